// One page of a running broadcast: the next pending recipients in audience order become message rows (idempotent
// by `broadcast:<id>:<contact id>`) and jobs for the device's outbox. Rows, recipient updates and the package's
// usage commit in one D1 batch, so a crash leaves either all or none; a replay after a crash finds the rows by key
// and writes nothing. Every statement takes its page as one JSON list (json_each) and reaches recipients by their
// primary key, so a turn costs the same at recipient 100 and at recipient 100,000 and does not grow with D1's
// 100-parameter limit (the page used to be 17 INSERTs of 12 rows and an UPDATE … FROM json_each that SQLite ran
// as a scan of the whole broadcast per page).
import { insertTextMessagesJsonStatement } from "../db/messages";
import type { Broadcast } from "../db/broadcasts";
import { usagePeriod } from "../billing/limits";
import { toJid } from "../lib/phone";
import type { OutboundJob } from "../messaging/jobs";
import { pagePlan } from "./render";

type Pending = { seq: number; contact_id: string; phone: string; text: string | null; name: string | null; custom_fields: string | null; opted_out: number | null; on_whatsapp: string | null };

export type Page = { jobs: OutboundJob[]; lastSeq: number | null; lastText: string | null; skipped: number };

/**
 * A page's message list is cut into pieces of at most this many bytes of JSON: D1 refuses a bound value over
 * 2 MB, and a page of 1,000 texts of 4,096 characters would be 4 MB and more.
 */
export const CHUNK_BYTES = 256 * 1024;

const keyPrefix = (broadcastId: string) => `broadcast:${broadcastId}:`;
const keySuffix = (epoch: number) => (epoch > 0 ? `:${epoch}` : "");

/** The idempotency key of a recipient's message; `epoch` > 0 after a pause withdrew never-sent jobs. */
export const recipientKey = (broadcastId: string, contactId: string, epoch: number) => `${keyPrefix(broadcastId)}${contactId}${keySuffix(epoch)}`;

type Send = { seq: number; id: string; idempotencyKey: string; to: string; text: string; content: Record<string, unknown> | null };

/** Consecutive pieces of `items` whose JSON stays under `maxBytes` (an item larger than that goes alone). */
export function chunksByBytes<T>(items: T[], maxBytes: number, size: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length && bytes + n > maxBytes) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length) out.push(current);
  return out;
}

// UTF-8 is at most 3 bytes per UTF-16 unit, and JSON escapes make control characters at most 6: bounded above.
const sendBytes = (s: Send) =>
  64 + s.id.length + s.idempotencyKey.length + s.to.length + 6 * s.text.length + (s.content ? 6 * JSON.stringify(s.content).length : 0);

export async function feedPage(d1: D1Database, b: Broadcast, limit: number, epoch: number, previousText: string | null): Promise<Page> {
  const pending = await d1
    .prepare(
      `SELECT r.seq, r.contact_id, r.phone, r.text, c.name, c.custom_fields, c.opted_out, c.on_whatsapp FROM broadcast_recipients r
       LEFT JOIN contacts c ON c.id = r.contact_id WHERE r.broadcast_id = ? AND r.status = 'pending' ORDER BY r.seq LIMIT ?`,
    )
    .bind(b.id, limit)
    .all<Pending>();
  if (pending.results.length === 0) return { jobs: [], lastSeq: null, lastText: previousText, skipped: 0 };
  // Text, saved template, media or Meta template, as frozen at start: worker/broadcasts/render.ts.
  const plan = pagePlan(b);
  const sends: Send[] = [];
  const skips = new Map<string, number[]>();
  const skip = (reason: string, seq: number) => {
    const list = skips.get(reason);
    if (list) list.push(seq);
    else skips.set(reason, [seq]);
  };
  let last = previousText;
  for (const r of pending.results) {
    // Opted out (or found not on WhatsApp) since the audience was drawn: never sent.
    if (r.opted_out === 1 || r.opted_out === null) skip(r.opted_out === null ? "invalid_phone" : "opted_out", r.seq);
    else if (r.on_whatsapp === "no") skip("not_on_whatsapp", r.seq);
    else {
      const fields = r.custom_fields ? (JSON.parse(r.custom_fields) as Record<string, string | number>) : {};
      const { text, content } = plan.render({ contactId: r.contact_id, name: r.name, phone: r.phone, customFields: fields, stored: r.text }, last);
      last = text;
      sends.push({ seq: r.seq, id: crypto.randomUUID(), idempotencyKey: recipientKey(b.id, r.contact_id, epoch), to: toJid(r.phone), text, content: content ?? null });
    }
  }
  const common = { businessId: b.businessId, deviceKey: b.deviceKey, source: "broadcast", lane: "broadcast" } as const;
  const stmts: D1PreparedStatement[] = chunksByBytes(sends, CHUNK_BYTES, sendBytes).map((chunk) => insertTextMessagesJsonStatement(d1, common, chunk));
  const queuedAt = stmts.length;
  if (sends.length) {
    stmts.push(
      d1
        .prepare(
          // The recipient's text and message are those of the row its key names: the one just written, or on a
          // replay the one written before (whose text is what was sent).
          `UPDATE broadcast_recipients SET status = 'queued', (text, message_id) =
             (SELECT m.text, m.id FROM messages m WHERE m.business_id = ?1 AND m.idempotency_key = ?2 || broadcast_recipients.contact_id || ?3)
           WHERE broadcast_id = ?4 AND status = 'pending' AND seq IN (SELECT value FROM json_each(?5)) RETURNING seq, message_id`,
        )
        .bind(b.businessId, keyPrefix(b.id), keySuffix(epoch), b.id, JSON.stringify(sends.map((s) => s.seq))),
      // The package counts recipients once: the messages that exist under this page's new ids (none on a replay).
      d1
        .prepare(
          `INSERT INTO usage_counters (business_id, metric, period, amount)
           SELECT ?1, 'broadcast_recipients_per_month', ?2, count(*) FROM messages WHERE id IN (SELECT value FROM json_each(?3))
           ON CONFLICT (business_id, metric, period) DO UPDATE SET amount = amount + excluded.amount`,
        )
        .bind(b.businessId, usagePeriod("broadcast_recipients_per_month", Date.now()), JSON.stringify(sends.map((s) => s.id))),
    );
  }
  for (const [reason, seqs] of skips) {
    stmts.push(
      d1
        .prepare(`UPDATE broadcast_recipients SET status = 'skipped', skip_reason = ?1 WHERE broadcast_id = ?2 AND status = 'pending' AND seq IN (SELECT value FROM json_each(?3))`)
        .bind(reason, b.id, JSON.stringify(seqs)),
    );
  }
  const results = await d1.batch<{ seq: number; message_id: string | null }>(stmts);
  const queued = sends.length ? (results[queuedAt]?.results ?? []) : [];
  const jobs: OutboundJob[] = queued
    .sort((x, y) => x.seq - y.seq)
    .flatMap((r) => (r.message_id ? [{ v: 1 as const, message_id: r.message_id, business_id: b.businessId, device_key: b.deviceKey }] : []));
  const lastSeq = pending.results[pending.results.length - 1]?.seq ?? null;
  return { jobs, lastSeq, lastText: last, skipped: pending.results.length - sends.length };
}

/**
 * Jobs of handed-out recipients whose message no outbox has taken yet (a turn died between its page's D1 batch and
 * the outbox's answer, or the outbox deferred them), at most `limit`, in audience order.
 */
export async function unacceptedJobs(d1: D1Database, b: Broadcast, limit: number): Promise<OutboundJob[]> {
  const r = await d1
    .prepare(
      `SELECT m.id FROM broadcast_recipients r JOIN messages m ON m.id = r.message_id
       WHERE r.broadcast_id = ? AND r.status = 'queued' AND m.status = 'queued' AND m.accepted_at IS NULL ORDER BY r.seq LIMIT ?`,
    )
    .bind(b.id, limit)
    .all<{ id: string }>();
  return r.results.map((m) => ({ v: 1, message_id: m.id, business_id: b.businessId, device_key: b.deviceKey }));
}

/** Messages written for a page that no outbox took become `skipped`, as a withdraw would have made them. */
export async function skipUnaccepted(d1: D1Database, businessId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await d1
    .prepare(
      `UPDATE messages SET status = 'skipped', error = 'withdrawn before sending', updated_at = ?1
       WHERE id IN (SELECT value FROM json_each(?2)) AND +business_id = ?3 AND +status = 'queued' AND accepted_at IS NULL`,
    )
    .bind(Date.now(), JSON.stringify(ids), businessId)
    .run();
}

/** Whether any recipient is still waiting for its page. */
export async function anyPending(d1: D1Database, broadcastId: string): Promise<boolean> {
  return (await d1.prepare("SELECT 1 FROM broadcast_recipients WHERE broadcast_id = ? AND status = 'pending' LIMIT 1").bind(broadcastId).first()) !== null;
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
