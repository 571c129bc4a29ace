// Broadcast feeders pull at the pace the number allows: how many broadcast-lane jobs it can take now (what the
// caps leave, minus the broadcast jobs already waiting, within the outbox's room) and, when none, when to ask again.
import { nextSendAt, type PacingState } from "../messaging/pacing";
import type { DeviceSettings } from "../messaging/settings";

/** `restricted`: WhatsApp reported the number restricted; broadcast feeders auto-pause rather than wait. */
export type Capacity = { available: number; next_at: number | null; restricted?: boolean };

/** Unpaced numbers take up to this many broadcast jobs per ask. */
const UNPACED_BATCH = 1000;
const ASK_AGAIN_MS = 1000;

export function capacityOf(
  s: DeviceSettings,
  state: PacingState,
  o: { waitingBroadcast: number; room: number; timeZone: string },
  now: number,
): Capacity {
  if (!s.pacing_enabled) {
    const available = Math.max(0, Math.min(o.room, UNPACED_BATCH) - o.waitingBroadcast);
    return { available, next_at: available > 0 ? null : now + ASK_AGAIN_MS };
  }
  const left = Math.min(s.max_per_minute - state.windows.minute.count, s.max_per_hour - state.windows.hour.count, s.max_per_day - state.windows.day.count);
  const at = nextSendAt(now, s, state, "broadcast", o.timeZone);
  const available = at > now ? 0 : Math.max(0, Math.min(left, o.room) - o.waitingBroadcast);
  return { available, next_at: available > 0 ? null : Math.max(at, now + ASK_AGAIN_MS) };
}
