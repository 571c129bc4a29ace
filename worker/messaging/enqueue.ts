// The one way a message enters the send pipeline: a row (idempotent by key), then a queue job.
import type { Db } from "../db/client";
import { insertMessagesIdempotent, type NewMessage, type Message } from "../db/messages";
import type { OutboundJob } from "./jobs";

export function jobFor(m: Pick<Message, "id" | "businessId" | "deviceKey">): OutboundJob {
  return { v: 1, message_id: m.id, business_id: m.businessId, device_key: m.deviceKey };
}

/**
 * Writes the rows and enqueues a job for each new one. A key seen before yields no new row and no job.
 * If the Worker dies between the insert and the send, the row stays `queued` and the cron sweep
 * (messaging issue) re-enqueues it; the consumer's status check makes the extra job harmless.
 */
export async function queueMessages(db: Db, queue: Queue, rows: NewMessage[]): Promise<Message[]> {
  const created = await insertMessagesIdempotent(db, rows);
  await enqueueJobs(queue, created);
  return created;
}

/**
 * For callers that write message rows inside their own D1 batch (insertTextMessagesStatements, so the rows
 * commit together with their other records): enqueue the rows that batch actually created.
 */
export async function enqueueJobs(queue: Queue, created: Pick<Message, "id" | "businessId" | "deviceKey">[]): Promise<void> {
  for (let i = 0; i < created.length; i += 100) {
    await queue.sendBatch(created.slice(i, i + 100).map((m) => ({ body: jobFor(m), contentType: "json" as const })));
  }
}
