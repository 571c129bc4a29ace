// One page of a running broadcast: the next pending recipients in audience order become message rows (idempotent
// by `broadcast:<id>:<contact id>`) and jobs for the device's outbox. Rows and recipient updates commit in one D1
// batch, so a crash leaves either both or neither; a replay after a crash finds the rows by key and writes nothing.
import { insertTextMessagesStatements, type NewTextMessage } from "../db/messages";
import type { Broadcast } from "../db/broadcasts";
import { toJid } from "../lib/phone";
import type { OutboundJob } from "../messaging/jobs";
import { pagePlan } from "./render";

type Pending = { seq: number; contact_id: string; phone: string; text: string | null; name: string | null; custom_fields: string | null; opted_out: number | null; on_whatsapp: string | null };

export type Page = { jobs: OutboundJob[]; lastSeq: number | null; lastText: string | null; skipped: number };

/** The idempotency key of a recipient's message; `epoch` > 0 after a pause withdrew never-sent jobs. */
export const recipientKey = (broadcastId: string, contactId: string, epoch: number) => `broadcast:${broadcastId}:${contactId}${epoch > 0 ? `:${epoch}` : ""}`;

export async function feedPage(d1: D1Database, b: Broadcast, limit: number, epoch: number, previousText: string | null): Promise<Page> {
  const pending = await d1
    .prepare(
      `SELECT r.seq, r.contact_id, r.phone, r.text, c.name, c.custom_fields, c.opted_out, c.on_whatsapp FROM broadcast_recipients r
       LEFT JOIN contacts c ON c.id = r.contact_id WHERE r.broadcast_id = ? AND r.status = 'pending' ORDER BY r.seq LIMIT ?`,
    )
    .bind(b.id, limit)
    .all<Pending>();
  if (pending.results.length === 0) return { jobs: [], lastSeq: null, lastText: previousText, skipped: 0 };
  // Text, saved template, media or Meta template: worker/broadcasts/render.ts.
  const plan = pagePlan(b);
  const rows: NewTextMessage[] = [];
  const updates: { seq: number; text: string; key: string }[] = [];
  const skips: { seq: number; reason: string }[] = [];
  let last = previousText;
  for (const r of pending.results) {
    // Opted out (or found not on WhatsApp) since the audience was drawn: never sent.
    if (r.opted_out === 1 || r.opted_out === null) skips.push({ seq: r.seq, reason: r.opted_out === null ? "invalid_phone" : "opted_out" });
    else if (r.on_whatsapp === "no") skips.push({ seq: r.seq, reason: "not_on_whatsapp" });
    else {
      const fields = r.custom_fields ? (JSON.parse(r.custom_fields) as Record<string, string | number>) : {};
      const { text, content } = plan.render({ contactId: r.contact_id, name: r.name, phone: r.phone, customFields: fields, stored: r.text }, last);
      last = text;
      const key = recipientKey(b.id, r.contact_id, epoch);
      rows.push({ id: crypto.randomUUID(), businessId: b.businessId, deviceKey: b.deviceKey, idempotencyKey: key, to: toJid(r.phone), text, content, source: "broadcast", lane: "broadcast" });
      updates.push({ seq: r.seq, text, key });
    }
  }
  const stmts: D1PreparedStatement[] = [...insertTextMessagesStatements(d1, rows)];
  const queuedAt = stmts.length;
  if (updates.length) {
    stmts.push(
      d1
        .prepare(
          `UPDATE broadcast_recipients SET status = 'queued', text = j.value ->> 'text',
             message_id = (SELECT m.id FROM messages m WHERE m.business_id = ?1 AND m.idempotency_key = j.value ->> 'key')
           FROM json_each(?2) j WHERE broadcast_recipients.broadcast_id = ?3 AND broadcast_recipients.seq = j.value ->> 'seq' RETURNING message_id`,
        )
        .bind(b.businessId, JSON.stringify(updates), b.id),
    );
  }
  if (skips.length) {
    stmts.push(
      d1
        .prepare(
          `UPDATE broadcast_recipients SET status = 'skipped', skip_reason = j.value ->> 'reason' FROM json_each(?1) j
           WHERE broadcast_recipients.broadcast_id = ?2 AND broadcast_recipients.seq = j.value ->> 'seq'`,
        )
        .bind(JSON.stringify(skips), b.id),
    );
  }
  const results = await d1.batch<{ message_id: string | null }>(stmts);
  const ids = updates.length ? (results[queuedAt]?.results ?? []).flatMap((r) => (r.message_id ? [r.message_id] : [])) : [];
  const jobs: OutboundJob[] = ids.map((id) => ({ v: 1, message_id: id, business_id: b.businessId, device_key: b.deviceKey }));
  const lastSeq = pending.results[pending.results.length - 1]?.seq ?? null;
  return { jobs, lastSeq, lastText: last, skipped: skips.length };
}

/** True when every recipient was handed out and no message of the broadcast is still waiting to be sent. */
export async function allSettled(d1: D1Database, broadcastId: string): Promise<boolean> {
  const r = await d1
    .prepare(
      `SELECT (SELECT count(*) FROM broadcast_recipients WHERE broadcast_id = ?1 AND status = 'pending')
        + (SELECT count(*) FROM broadcast_recipients r JOIN messages m ON m.id = r.message_id WHERE r.broadcast_id = ?1 AND r.status = 'queued' AND m.status = 'queued') AS n`,
    )
    .bind(broadcastId)
    .first<{ n: number }>();
  return (r?.n ?? 0) === 0;
}

/**
 * After a pause withdrew jobs not yet handed out (their messages became `skipped`), their recipients go back to
 * `pending` keeping their text, so a resume sends them the same words under a new key.
 */
export async function repend(d1: D1Database, broadcastId: string): Promise<number> {
  const r = await d1
    .prepare(
      `UPDATE broadcast_recipients SET status = 'pending', message_id = NULL WHERE broadcast_id = ?1 AND status = 'queued'
       AND message_id IN (SELECT m.id FROM broadcast_recipients r JOIN messages m ON m.id = r.message_id
         WHERE r.broadcast_id = ?1 AND r.status = 'queued' AND m.status = 'skipped')`,
    )
    .bind(broadcastId)
    .run();
  return r.meta.changes;
}
