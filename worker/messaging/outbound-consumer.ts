// Queue consumer for `outbound`: each job goes to its device's DeviceSession, acked one by one.
import { database } from "../db/client";
import { setMessageStatus } from "../db/messages";
import { OutboundJob } from "./jobs";

export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 2 ** Math.min(attempts, 9));
}

export async function handleOutboundBatch(batch: MessageBatch, env: Env, _ctx: ExecutionContext): Promise<void> {
  for (const msg of batch.messages) {
    const parsed = OutboundJob.safeParse(msg.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "error", msg: "bad outbound job", id: msg.id }));
      msg.ack();
      continue;
    }
    try {
      const stub = env.DEVICE_SESSION.get(env.DEVICE_SESSION.idFromName(parsed.data.device_key));
      await stub.accept(parsed.data);
      msg.ack();
    } catch (e) {
      console.warn(JSON.stringify({ level: "warn", msg: "outbound retry", id: msg.id, attempts: msg.attempts, error: String(e) }));
      msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
    }
  }
}

/** Jobs that exhausted their retries: the message is marked failed with the reason, never silently dropped. */
export async function handleDeadLetterBatch(batch: MessageBatch, env: Env): Promise<void> {
  const db = database(env.DB);
  for (const msg of batch.messages) {
    const parsed = OutboundJob.safeParse(msg.body);
    if (parsed.success) {
      await setMessageStatus(db, parsed.data.message_id, ["queued"], { status: "failed", error: "delivery retries exhausted" });
    }
    msg.ack();
  }
}
