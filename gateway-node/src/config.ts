// gateway-node is configured by environment only (see docs/configuration.md).
import { z } from "zod";

const Config = z.object({
  PING_URL: z.string().url().default("http://127.0.0.1:8787"),
  GATEWAY_ID: z.string().min(1).max(100),
  GATEWAY_SECRET: z.string().min(16),
  DATA_DIR: z.string().default(".data/gateway"),
  /** base64 32-byte key encrypting the session store at rest. */
  STORE_KEY: z.string().min(1),
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(8790),
  HEALTH_HOST: z.string().default("127.0.0.1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** WhatsApp's WebSocket endpoint; only set to reach a simulator (tests, benchmark). */
  WA_WEBSOCKET_URL: z.string().url().optional(),
  /** QR codes shown before pairing gives up (each lives about 20 s). */
  QR_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** Simulated typing before a send when the Worker sets none: ms per character, bounded; 0 disables. */
  TYPING_MS_PER_CHAR: z.coerce.number().int().min(0).max(1000).default(40),
  TYPING_MIN_MS: z.coerce.number().int().min(0).default(800),
  TYPING_MAX_MS: z.coerce.number().int().min(0).max(15000).default(6000),
  /** Check a number is on WhatsApp before the first message to it (cached). */
  CHECK_NUMBERS: z.enum(["true", "false"]).default("true").transform((v) => v === "true"),
  /** Jobs pulled ahead per device (credits). */
  CREDIT_WINDOW: z.coerce.number().int().min(1).max(100).default(4),
  /** Jobs one device sends at the same time, to different chats (a chat's messages always go in order). */
  SEND_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(4),
  /** How often the list of devices assigned to this gateway is refreshed. */
  DEVICE_POLL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How long SIGTERM waits for in-flight sends. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(25_000),
});
export type Config = z.infer<typeof Config>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = Config.safeParse(env);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`gateway-node configuration is invalid: ${problems}`);
  }
  return r.data;
}
