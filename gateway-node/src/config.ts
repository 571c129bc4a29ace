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
