// Queue consumer for `outbound`: jobs are grouped by device and handed to that device's DeviceSession,
// then acked one by one; a job whose hand-off failed is retried with backoff and, after the retry budget,
// lands in the dead-letter queue, where its message is marked failed with the reason.
import { database } from "../db/client";
import { setMessageStatus } from "../db/messages";
import { deviceSession } from "../durable/stubs";
import type { InboxEvent } from "../inbox/events";
import { publishInbox } from "../inbox/publish";
import { OutboundJob } from "./jobs";

export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 2 ** Math.min(attempts, 9));
}

export async function handleOutboundBatch(batch: MessageBatch, env: Env, _ctx: ExecutionContext): Promise<void> {
  const byDevice = new Map<string, { msg: Message; job: OutboundJob }[]>();
  for (const msg of batch.messages) {
    const parsed = OutboundJob.safeParse(msg.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "error", msg: "bad outbound job", id: msg.id }));
      msg.ack();
      continue;
    }
    const list = byDevice.get(parsed.data.device_key) ?? [];
    list.push({ msg, job: parsed.data });
    byDevice.set(parsed.data.device_key, list);
  }
  await Promise.all(
    [...byDevice.entries()].map(async ([deviceKey, items]) => {
      try {
        const { deferred } = await deviceSession(env, deviceKey).acceptBatch(items.map((i) => i.job));
        const full = new Set(deferred);
        for (const i of items) {
          // A full outbox is backpressure: the job waits on the queue and counts toward its retry budget.
          if (full.has(i.job.message_id)) i.msg.retry({ delaySeconds: retryDelaySeconds(i.msg.attempts) });
          else i.msg.ack();
        }
      } catch (e) {
        for (const i of items) {
          console.warn(JSON.stringify({ level: "warn", msg: "outbound retry", id: i.msg.id, attempts: i.msg.attempts, error: String(e) }));
          i.msg.retry({ delaySeconds: retryDelaySeconds(i.msg.attempts) });
        }
      }
    }),
  );
}

/**
 * Jobs that exhausted their retries: the message is marked failed with the reason, never silently dropped, and
 * the business's live inbox hears of it (one publish per business per batch; it never fails the batch).
 */
export async function handleDeadLetterBatch(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
  const db = database(env.DB);
  const failed = new Map<string, InboxEvent[]>();
  for (const msg of batch.messages) {
    const parsed = OutboundJob.safeParse(msg.body);
    if (parsed.success) {
      const error = `could not reach the device's outbox after ${msg.attempts} attempts (dead-lettered)`;
      const moved = await setMessageStatus(db, parsed.data.message_id, ["queued"], { status: "failed", error });
      if (moved) {
        const list = failed.get(parsed.data.business_id) ?? [];
        list.push({ type: "message.status", message: { id: parsed.data.message_id, device_key: parsed.data.device_key, status: "failed", error } });
        failed.set(parsed.data.business_id, list);
      }
    }
    msg.ack();
  }
  for (const [businessId, events] of failed) ctx.waitUntil(publishInbox(env, businessId, events));
}
