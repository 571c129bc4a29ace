// Per-device sending settings: pacing (anti-ban) and the sending window. Stored as JSON on the device row;
// a PATCH merges into what is stored, and every read fills the gaps with the provider's defaults.
import { z } from "zod";
import type { Provider } from "../db/schema";

const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "time must be HH:MM (24-hour)");

export const DeviceSettings = z.strictObject({
  /** Off means jobs go as fast as the provider takes them (sandbox default; benchmarks). */
  pacing_enabled: z.boolean(),
  /** Minimum time between two sends of this number, plus a random 0..jitter on top. */
  min_gap_seconds: z.number().min(0).max(3600),
  jitter_seconds: z.number().min(0).max(3600),
  max_per_minute: z.number().int().min(1).max(10_000),
  max_per_hour: z.number().int().min(1).max(100_000),
  max_per_day: z.number().int().min(1).max(1_000_000),
  /** Sending window in the business's time zone; start > end means it spans midnight. */
  window_start: Clock,
  window_end: Clock,
  /** Which lanes the window holds back: broadcasts only (default), every send, or none. */
  window_lanes: z.enum(["broadcast", "all", "none"]),
});
export type DeviceSettings = z.infer<typeof DeviceSettings>;

export const DeviceSettingsPatch = DeviceSettings.partial();
export type DeviceSettingsPatch = z.infer<typeof DeviceSettingsPatch>;

/** Safe defaults for a real number: a message every 4–7 s, at most 10 a minute, broadcasts 08:00–21:00. */
export function defaultSettings(provider: Provider): DeviceSettings {
  return {
    pacing_enabled: provider !== "sandbox",
    min_gap_seconds: 4,
    jitter_seconds: 3,
    max_per_minute: 10,
    max_per_hour: 200,
    max_per_day: 1000,
    window_start: "08:00",
    window_end: "21:00",
    window_lanes: "broadcast",
  };
}

/** The stored JSON merged over the defaults; anything stored that no longer validates falls back to the default. */
export function effectiveSettings(provider: Provider, stored: Record<string, unknown> | null | undefined): DeviceSettings {
  const base = defaultSettings(provider);
  const parsed = DeviceSettingsPatch.safeParse(stored ?? {});
  return parsed.success ? { ...base, ...parsed.data } : base;
}
