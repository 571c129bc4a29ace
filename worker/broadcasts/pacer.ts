// The broadcast lane's pacer for one number: when may the next broadcast or campaign message go? Pure (clock and
// random source are arguments) so the runner keeps its state in storage and the simulation (`npm run sim:pacing`)
// runs it on a simulated clock. Fixed gaps are what ban detectors key on, so every wait is drawn at random:
//   gap   ~ U[gap_min_s, gap_max_s]              after every message
//   rest  ~ U[rest_min_s, rest_max_s]             after every k messages, k ~ U{rest_every_min..rest_every_max}
//   caps  max_per_hour, and the day cap of the warm-up schedule:
//         day_cap(age) = round(start · (max_per_day / start)^(min(age, warmup_days) / warmup_days))
//   health factor (device health h in [0,1]): h ≥ 0.9 → caps × 1, 0.7 ≤ h < 0.9 → caps × 0.5, h < 0.7 → pause.
// Transactional sends never pass through here (the DeviceSession's own pacing keeps their bound).
import { z } from "zod";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Per-broadcast overrides are accepted only inside these bounds (the defaults sit inside them). */
export const BroadcastPacing = z
  .strictObject({
    gap_min_s: z.number().min(8).max(600).default(10),
    gap_max_s: z.number().min(15).max(1200).default(40),
    rest_every_min: z.number().int().min(10).max(100).default(20),
    rest_every_max: z.number().int().min(15).max(150).default(50),
    rest_min_s: z.number().min(60).max(3600).default(120),
    rest_max_s: z.number().min(120).max(7200).default(300),
    max_per_hour: z.number().int().min(1).max(120).default(60),
    max_per_day: z.number().int().min(1).max(1000).default(500),
    warmup_days: z.number().int().min(7).max(14).default(10),
    warmup_start_per_day: z.number().int().min(5).max(100).default(30),
  })
  .refine((p) => p.gap_max_s >= p.gap_min_s && p.rest_every_max >= p.rest_every_min && p.rest_max_s >= p.rest_min_s, "each maximum must be at least its minimum");
export type BroadcastPacing = z.infer<typeof BroadcastPacing>;
export const DEFAULT_PACING: BroadcastPacing = BroadcastPacing.parse({});

export type PacerState = { sinceRest: number; restAfter: number; nextAt: number };
export type Rng = () => number;

const uniform = (rng: Rng, lo: number, hi: number) => lo + rng() * (hi - lo);
const uniformInt = (rng: Rng, lo: number, hi: number) => Math.min(hi, lo + Math.floor(rng() * (hi - lo + 1)));

export function initialState(p: BroadcastPacing, rng: Rng): PacerState {
  return { sinceRest: 0, restAfter: uniformInt(rng, p.rest_every_min, p.rest_every_max), nextAt: 0 };
}

/** After a message went at `now`: the next earliest time (a gap, or a rest every k messages). */
export function afterSend(s: PacerState, p: BroadcastPacing, now: number, rng: Rng): PacerState & { rested: boolean } {
  const since = s.sinceRest + 1;
  if (since >= s.restAfter) {
    return { sinceRest: 0, restAfter: uniformInt(rng, p.rest_every_min, p.rest_every_max), nextAt: now + Math.round(uniform(rng, p.rest_min_s, p.rest_max_s) * 1000), rested: true };
  }
  return { sinceRest: since, restAfter: s.restAfter, nextAt: now + Math.round(uniform(rng, p.gap_min_s, p.gap_max_s) * 1000), rested: false };
}

/** The day cap of a number `ageDays` old: grows geometrically from the start cap to max_per_day. */
export function warmupCap(p: BroadcastPacing, ageDays: number): number {
  const start = Math.min(p.warmup_start_per_day, p.max_per_day);
  const f = Math.min(1, Math.max(0, ageDays) / p.warmup_days);
  return Math.round(start * (p.max_per_day / start) ** f);
}

export type WarmupStage = { day: number; of: number; day_cap: number; done: boolean };
export function warmupStage(p: BroadcastPacing, ageDays: number): WarmupStage {
  const day = Math.floor(Math.max(0, ageDays)) + 1;
  return { day: Math.min(day, p.warmup_days), of: p.warmup_days, day_cap: warmupCap(p, ageDays), done: ageDays >= p.warmup_days };
}

/** Cap multiplier for a health figure; 0 means broadcasts pause. */
export function healthFactor(health: number): 1 | 0.5 | 0 {
  if (health >= 0.9) return 1;
  if (health >= 0.7) return 0.5;
  return 0;
}

/** Sends of the number's broadcast lane in the last hour and day, with the oldest of each (for when a cap frees). */
export type LaneCounts = { hour: number; hourOldest: number | null; day: number; dayOldest: number | null };

export type Caps = { per_hour: number; per_day: number };
export function capsOf(p: BroadcastPacing, ageDays: number, health: number): Caps {
  const f = healthFactor(health);
  return { per_hour: Math.floor(p.max_per_hour * f), per_day: Math.floor(warmupCap(p, ageDays) * f) };
}

/** The earliest time ≥ now the next broadcast message may go, or "pause" when health forbids sending. */
export function nextBroadcastAt(now: number, s: PacerState, p: BroadcastPacing, c: LaneCounts, ageDays: number, health: number): number | "pause" {
  const caps = capsOf(p, ageDays, health);
  if (caps.per_hour === 0 || caps.per_day === 0) return "pause";
  let t = Math.max(now, s.nextAt);
  if (c.hour >= caps.per_hour) t = Math.max(t, (c.hourOldest ?? now) + HOUR);
  if (c.day >= caps.per_day) t = Math.max(t, (c.dayOldest ?? now) + DAY);
  return t;
}

/** Auto-pause when at least `rate` of the last `window` finished sends failed (once `minimum` have finished). */
export function failureTrips(finished: readonly string[], rate = 0.3, minimum = 10): boolean {
  if (finished.length < minimum) return false;
  return finished.filter((s) => s === "failed").length / finished.length >= rate;
}
