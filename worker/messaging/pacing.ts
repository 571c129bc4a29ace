// Pacing of one number: when may the next send go? Pure functions over the settings and the recent sends,
// so the DeviceSession can keep its state in storage and wake itself with an alarm at the answer.
import type { DeviceSettings } from "./settings";

export type Lane = "transactional" | "broadcast";

export type PacingState = {
  /** Earliest time of the next broadcast send (last send of either lane + gap + the jitter drawn at that send). */
  nextAt: number;
  /** Earliest time of the next transactional send: the previous transactional send + its own gap. */
  nextTransactionalAt: number;
  /** Sends in the last minute/hour/day and the oldest of each, for the caps. */
  windows: { minute: Window; hour: Window; day: Window };
};
type Window = { count: number; oldest: number | null };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const CAP_SPANS = { minute: MINUTE, hour: HOUR, day: DAY } as const;

function minutesOfDay(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Milliseconds from `now` until the sending window opens (0 when it is open), in the given time zone. */
export function msUntilWindowOpens(now: number, s: Pick<DeviceSettings, "window_start" | "window_end">, timeZone: string): number {
  const start = minutesOfDay(s.window_start);
  const end = minutesOfDay(s.window_end);
  if (start === end) return 0;
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const nowMin = get("hour") * 60 + get("minute");
  const open = start < end ? nowMin >= start && nowMin < end : nowMin >= start || nowMin < end;
  if (open) return 0;
  const minutes = (start - nowMin + 1440) % 1440;
  return minutes * MINUTE - get("second") * 1000 - (now % 1000);
}

export function windowApplies(s: DeviceSettings, lane: Lane): boolean {
  return s.window_lanes === "all" || (s.window_lanes === "broadcast" && lane === "broadcast");
}

/**
 * The earliest time ≥ now at which a send in `lane` may go. Lanes: gaps after any send, caps and the window are
 * the broadcast lane's; a transactional send (rule, API, AI or agent reply) waits at most one transactional gap
 * since the previous transactional send, never behind broadcast pacing (the window holds it only with
 * `window_lanes: "all"`). Every send counts toward the caps, so transactional traffic slows broadcasts down.
 */
export function nextSendAt(now: number, s: DeviceSettings, state: PacingState, lane: Lane, timeZone: string): number {
  if (!s.pacing_enabled) return now;
  if (lane === "transactional") {
    const t = Math.max(now, state.nextTransactionalAt);
    return windowApplies(s, lane) ? t + msUntilWindowOpens(t, s, timeZone) : t;
  }
  let t = Math.max(now, state.nextAt);
  const caps: [Window, number, number][] = [
    [state.windows.minute, s.max_per_minute, MINUTE],
    [state.windows.hour, s.max_per_hour, HOUR],
    [state.windows.day, s.max_per_day, DAY],
  ];
  for (const [w, limit, span] of caps) {
    if (w.count >= limit && w.oldest !== null) t = Math.max(t, w.oldest + span);
  }
  if (windowApplies(s, lane)) t += msUntilWindowOpens(t, s, timeZone);
  return t;
}

/** The gap to wait after a send: the minimum plus a fresh random jitter. */
export function gapAfterSend(s: DeviceSettings, random: () => number = Math.random): number {
  if (!s.pacing_enabled) return 0;
  return Math.round((s.min_gap_seconds + random() * s.jitter_seconds) * 1000);
}
