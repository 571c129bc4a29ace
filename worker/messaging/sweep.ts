// The outbox sweep (cron, every minute): a `queued` row that no device outbox has taken a minute after it
// was written lost its queue job (the Worker died between the insert and the enqueue). Enqueue it again;
// the DeviceSession's dedupe by message id makes an extra job harmless.
import { database } from "../db/client";
import { findUnacceptedQueued } from "../db/messages";
import { jobFor } from "./enqueue";

export const SWEEP_AFTER_MS = 60_000;

export async function sweepOutbox(env: Env, now: number): Promise<number> {
  const stuck = await findUnacceptedQueued(database(env.DB), now - SWEEP_AFTER_MS, 500);
  for (let i = 0; i < stuck.length; i += 100) {
    await env.OUTBOUND.sendBatch(stuck.slice(i, i + 100).map((m) => ({ body: jobFor(m), contentType: "json" as const })));
  }
  if (stuck.length) console.warn(JSON.stringify({ level: "warn", msg: "outbox sweep re-enqueued", count: stuck.length }));
  return stuck.length;
}
