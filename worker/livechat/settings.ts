// The live-chat settings a business edits (GET/PUT /api/v1/livechat-settings) and the public part the widget
// receives. One zod schema: stored JSON is parsed with it too, so an old row gains new defaults on read.
import { z } from "zod";

const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, "colour must be #rrggbb");
const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "time must be HH:MM");
// An origin the widget may run on: scheme + host (+ port), no path. `http://localhost:3000`, `https://toko.co.id`.
const Origin = z
  .string()
  .trim()
  .max(200)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === "https:" || u.protocol === "http:") && u.origin === s.replace(/\/$/, "");
    } catch {
      return false;
    }
  }, "origin must be like https://example.co.id (no path)")
  .transform((s) => s.replace(/\/$/, ""));

export const LivechatConfig = z.object({
  enabled: z.boolean().default(true),
  color: Color.default("#0b6e4f"),
  text_color: Color.default("#ffffff"),
  position: z.enum(["right", "left"]).default("right"),
  z_index: z.number().int().min(0).max(2147483647).default(2147483000),
  greeting: z.string().trim().max(300).default("Halo! Ada yang bisa kami bantu?"),
  expected_reply: z.string().trim().max(60).default(""),
  avatar_url: z.string().url().max(500).nullable().default(null),
  prechat: z.boolean().default(false),
  lang: z.enum(["id", "en"]).nullable().default(null),
  /** Empty: any origin (shown as a warning in the settings); otherwise only these pages get a chat. */
  allowed_origins: z.array(Origin).max(20).default([]),
  /** Business hours in the business's time zone; null = always open. Day 0 = Sunday. */
  hours: z
    .array(z.object({ day: z.number().int().min(0).max(6), from: Hhmm, to: Hhmm }))
    .max(21)
    .nullable()
    .default(null),
  out_of_office: z.string().trim().max(500).default("Terima kasih! Kami sedang di luar jam kerja dan akan membalas secepatnya."),
  /** New website conversations go to an online agent (worker/livechat/round-robin.ts). */
  auto_assign: z.boolean().default(false),
  /** Staff see every conversation in /app/inbox; false: only theirs and unassigned ones (admins always see all). */
  staff_see_all: z.boolean().default(false),
  /** The business's WhatsApp number for "Continue on WhatsApp" (international digits, 62…); null = not offered. */
  whatsapp_number: z.string().regex(/^\d{8,15}$/).nullable().default(null),
  /** Open conversations one agent may hold before auto-assignment skips them; null = no cap. */
  max_open_per_agent: z.number().int().min(1).max(1000).nullable().default(null),
});
export type LivechatConfig = z.infer<typeof LivechatConfig>;

/** A PUT replaces the fields it names. */
export const LivechatConfigPatch = z.strictObject({
  enabled: z.boolean().optional(),
  color: Color.optional(),
  text_color: Color.optional(),
  position: z.enum(["right", "left"]).optional(),
  z_index: z.number().int().min(0).max(2147483647).optional(),
  greeting: z.string().trim().max(300).optional(),
  expected_reply: z.string().trim().max(60).optional(),
  avatar_url: z.string().url().max(500).nullable().optional(),
  prechat: z.boolean().optional(),
  lang: z.enum(["id", "en"]).nullable().optional(),
  // The dashboard's form sends the list as text, one origin per line.
  allowed_origins: z
    .preprocess((v) => (typeof v === "string" ? v.split(/[\s,]+/).filter(Boolean) : v), z.array(Origin).max(20))
    .optional(),
  hours: z
    .array(z.object({ day: z.number().int().min(0).max(6), from: Hhmm, to: Hhmm }))
    .max(21)
    .nullable()
    .optional(),
  out_of_office: z.string().trim().max(500).optional(),
  auto_assign: z.boolean().optional(),
  staff_see_all: z.boolean().optional(),
  /** 08… or +62… accepted; stored as international digits (normalised by the API). */
  whatsapp_number: z.string().trim().max(30).nullable().optional(),
  max_open_per_agent: z.number().int().min(1).max(1000).nullable().optional(),
});

export function parseConfig(stored: unknown): LivechatConfig {
  const r = LivechatConfig.safeParse(stored ?? {});
  return r.success ? r.data : LivechatConfig.parse({});
}

/** Is `now` inside the business hours (in `timeZone`)? No hours configured = always open. */
export function withinHours(cfg: Pick<LivechatConfig, "hours">, timeZone: string, now: number): boolean {
  if (!cfg.hours || cfg.hours.length === 0) return true;
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(now));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(get("weekday"));
  const hhmm = `${get("hour")}:${get("minute")}`;
  return cfg.hours.some((h) => h.day === day && h.from <= hhmm && hhmm < h.to);
}

/** May a page on `origin` use this business's widget? */
export function originAllowed(cfg: Pick<LivechatConfig, "allowed_origins">, origin: string | null): boolean {
  if (cfg.allowed_origins.length === 0) return true;
  return origin !== null && cfg.allowed_origins.includes(origin);
}
