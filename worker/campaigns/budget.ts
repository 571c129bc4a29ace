// How many campaign messages a number may take in this turn of the engine, asked the way a broadcast runner asks:
// the device's state, then the broadcast lane's pacer (gaps, rests, hourly/daily caps shared with broadcasts, the
// warm-up, the health factor) when the number is paced, then the DeviceSession's capacity RPC (backpressure).
// When it may take none, `retryAt` says when to ask again; the enrollments wait until then.
import { healthOf } from "../broadcasts/health";
import { deviceStats, laneCounts } from "../broadcasts/lane-stats";
import { type BroadcastPacing, initialState, nextBroadcastAt, type PacerState } from "../broadcasts/pacer";
import type { Db } from "../db/client";
import { getDevice } from "../db/devices";
import { deviceSession } from "../durable/stubs";
import { effectiveSettings } from "../messaging/settings";

const WEEK = 7 * 24 * 3_600_000;
/** A device that is down, gone or restricted is asked again after this long. */
export const DEVICE_RETRY_MS = 5 * 60_000;
const DEVICE_DOWN = new Set(["disconnected", "logged_out", "failed"]);

export type Budget = { allowed: number; retryAt: number | null; pacer: PacerState | null };

export async function deviceBudget(
  env: Env,
  db: Db,
  businessId: string,
  deviceKey: string,
  stored: PacerState | null,
  pacing: BroadcastPacing,
  max: number,
  now: number,
): Promise<Budget> {
  const none = (retryAt: number): Budget => ({ allowed: 0, retryAt, pacer: stored });
  const row = await getDevice(db, businessId, deviceKey);
  // A Cloud API number's campaigns send only approved Meta templates (checked when the campaign is saved).
  if (!row || DEVICE_DOWN.has(row.status)) return none(now + DEVICE_RETRY_MS);
  let pacer: PacerState | null = null;
  if (effectiveSettings(row.provider, row.settings).pacing_enabled) {
    pacer = stored ?? initialState(pacing, Math.random);
    const health = healthOf(await deviceStats(env.DB, businessId, deviceKey, now - WEEK));
    const at = nextBroadcastAt(now, pacer, pacing, await laneCounts(env.DB, businessId, deviceKey, now), (now - row.createdAt) / 86_400_000, health);
    if (at === "pause") return none(now + DEVICE_RETRY_MS);
    if (at > now) return { allowed: 0, retryAt: at, pacer };
  }
  const cap = await deviceSession(env, deviceKey).capacity(deviceKey);
  if (cap.restricted || cap.available === 0) return { allowed: 0, retryAt: Math.max(cap.next_at ?? now + DEVICE_RETRY_MS, now + 100), pacer };
  // Paced: one message per turn, the pacer's gap between turns.
  return { allowed: Math.min(cap.available, pacer ? 1 : max), retryAt: null, pacer };
}
