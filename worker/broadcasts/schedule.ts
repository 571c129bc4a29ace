// When a broadcast may send: a start time, a daily sending window and the days of the week, all in the
// business's time zone. Outside them the broadcast waits (`waiting_window`) and its alarm is set to the opening.
// Pure (the clock is an argument).
import { z } from "zod";
import { wallTime } from "../lib/zoned-dates";
import { msUntilWindowOpens } from "../messaging/pacing";
import { BroadcastPacing } from "./pacer";

const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "time must be HH:MM (24-hour)");

export const BroadcastSchedule = z.strictObject({
  /** Epoch milliseconds; absent or past = start now. */
  start_at: z.number().int().min(0).max(8.64e15).nullable().default(null),
  /** The broadcast's own window (in addition to the device's); equal start and end = all day. */
  window_start: Clock.default("08:00"),
  window_end: Clock.default("21:00"),
  /** ISO days of the week it may send on: 1 = Monday … 7 = Sunday. */
  days: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5, 6, 7]),
  /** Per-broadcast pacing overrides, accepted only within the safe bounds (pacer.ts). */
  pacing: BroadcastPacing.optional(),
});
export type BroadcastSchedule = z.infer<typeof BroadcastSchedule>;

const isoDay = (wd: number) => (wd === 0 ? 7 : wd);

/** Milliseconds from `now` until the broadcast may send (0 when it may send now). */
export function msUntilSendable(now: number, s: BroadcastSchedule, timeZone: string): number {
  let t = Math.max(now, s.start_at ?? 0);
  // Each turn either lands in the window on an allowed day or moves to the next local midnight: ≤ 8 turns.
  for (let turn = 0; turn < 9; turn++) {
    t += msUntilWindowOpens(t, s, timeZone);
    const w = wallTime(t, timeZone);
    if (!w || s.days.includes(isoDay(w.wd))) return t - now;
    t += ((24 - w.h) * 60 - w.mi) * 60_000 - w.s * 1000 - (t % 1000);
  }
  return t - now;
}
