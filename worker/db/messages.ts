import { and, asc, desc, eq, inArray, like, or, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { afterCursor } from "./paging";
import { type MessageStatus, messages } from "./schema";

export type Message = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;

// D1 binds at most 100 parameters per statement. A row binds one per non-null value it gives, plus one
// for each of the three columns whose default drizzle fills in (direction, lane, status).
const D1_MAX_PARAMS = 100;
// Id lists leave room for the statement's other bound values (business id, status).
const IDS_PER_STATEMENT = D1_MAX_PARAMS - 10;
/**
 * `column IN (the ids)` with the ids bound as one JSON list: a page of 1,000 ids is one statement (D1 binds at
 * most 100 values), and the primary key still serves the lookup.
 */
const inJsonList = (column: SQLiteColumn, ids: string[]) => sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
function rowsPerInsert(rows: NewMessage[]): number {
  let widest = 1;
  for (const r of rows) {
    const given = Object.values(r).filter((v) => v !== undefined && v !== null).length;
    widest = Math.max(widest, given + 3);
  }
  return Math.max(1, Math.floor(D1_MAX_PARAMS / widest));
}

/** Inserts rows, skipping any whose idempotency key already exists; returns the rows that are new (one round trip). */
export async function insertMessagesIdempotent(db: Db, rows: NewMessage[]): Promise<Message[]> {
  if (rows.length === 0) return [];
  const size = rowsPerInsert(rows);
  const insert = (chunk: NewMessage[]) =>
    db.insert(messages).values(chunk).onConflictDoNothing({ target: [messages.businessId, messages.idempotencyKey] }).returning();
  const [first, ...rest] = Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => insert(rows.slice(i * size, (i + 1) * size)));
  if (!first) return [];
  const results = await db.batch([first, ...rest]);
  return results.flat();
}

/** One idempotent insert as a statement for the caller's own batch (RETURNING yields the row only when new). */
export function insertMessageStatement(db: Db, row: NewMessage) {
  return db.insert(messages).values(row).onConflictDoNothing({ target: [messages.businessId, messages.idempotencyKey] }).returning();
}

/** A new outbound message, as the hot paths that batch their own writes create it (`content` for media and templates). */
export type NewTextMessage = Required<Pick<NewMessage, "id" | "businessId" | "deviceKey" | "idempotencyKey" | "to" | "text" | "source" | "lane">> & { content?: Record<string, unknown> | null };
export type CreatedMessage = { id: string; businessId: string; deviceKey: string };

const TEXT_MESSAGE_COLUMNS = 9;
const ROWS_PER_STATEMENT = Math.floor(D1_MAX_PARAMS / TEXT_MESSAGE_COLUMNS);

/**
 * The same idempotent insert as insertMessagesIdempotent, as raw D1 statements for a caller's own batch
 * (so rows commit together with that caller's records). Raw SQL because building it with drizzle costs
 * more CPU than the rest of the webhook path; RETURNING yields only the rows that are new.
 */
export function insertTextMessagesStatements(d1: D1Database, rows: NewTextMessage[]): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    out.push(
      d1
        .prepare(
          `INSERT INTO messages (id, business_id, device_key, idempotency_key, to_jid, text, content, source, lane) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")} ON CONFLICT (business_id, idempotency_key) DO NOTHING RETURNING id, business_id AS businessId, device_key AS deviceKey`,
        )
        .bind(...chunk.flatMap((m) => [m.id, m.businessId, m.deviceKey, m.idempotencyKey, m.to, m.text, m.content ? JSON.stringify(m.content) : null, m.source, m.lane])),
    );
  }
  return out;
}

/**
 * The same idempotent insert for a large page of rows of one business and device (a broadcast page): one
 * statement over a JSON list (json_each), so its cost does not grow with D1's 100-parameter limit. The caller
 * bounds the list's size (D1 refuses a bound value over 2 MB). No RETURNING: the caller knows the ids it chose.
 */
export function insertTextMessagesJsonStatement(
  d1: D1Database,
  common: Pick<NewTextMessage, "businessId" | "deviceKey" | "source" | "lane">,
  rows: (Pick<NewTextMessage, "id" | "idempotencyKey" | "to" | "text"> & { content?: Record<string, unknown> | null })[],
): D1PreparedStatement {
  return d1
    .prepare(
      // `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT. `content` (media and
      // templates) is copied as JSON text; a row without it has none.
      `INSERT INTO messages (id, business_id, device_key, idempotency_key, to_jid, text, content, source, lane)
       SELECT value ->> 'id', ?1, ?2, value ->> 'key', value ->> 'to', value ->> 'text', value -> 'content', ?3, ?4 FROM json_each(?5) WHERE true
       ON CONFLICT (business_id, idempotency_key) DO NOTHING`,
    )
    .bind(
      common.businessId,
      common.deviceKey,
      common.source,
      common.lane,
      JSON.stringify(rows.map((r) => ({ id: r.id, key: r.idempotencyKey, to: r.to, text: r.text, ...(r.content ? { content: r.content } : {}) }))),
    );
}

export async function getMessage(db: Db, businessId: string, id: string): Promise<Message | undefined> {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.businessId, businessId), eq(messages.id, id)))
    .get();
}

/** Moves a message forward only from the given states, so late or duplicate updates cannot move it back. */
export async function setMessageStatus(
  db: Db,
  id: string,
  from: MessageStatus[],
  patch: { status: MessageStatus; error?: string | null; providerMessageId?: string | null },
): Promise<boolean> {
  const rows = await db
    .update(messages)
    .set({ ...patch, updatedAt: Date.now() })
    .where(and(eq(messages.id, id), inArray(messages.status, from)))
    .returning({ id: messages.id });
  return rows.length > 0;
}

/**
 * Messages still `queued` whose idempotency key starts with `prefix` (keys are `prefix` + an id made of
 * [0-9a-z-], so "~" bounds the range and the unique index serves it).
 */
export function queuedByKeyPrefixStatement(d1: D1Database, businessId: string, prefix: string): D1PreparedStatement {
  return d1
    .prepare(
      "SELECT id, business_id AS businessId, device_key AS deviceKey FROM messages WHERE business_id = ? AND idempotency_key > ? AND idempotency_key < ? AND status = 'queued'",
    )
    .bind(businessId, prefix, `${prefix}~`);
}

/** The rows of a device's jobs that are still waiting to be sent: one statement over a JSON list of ids. */
export async function getQueuedMessages(db: Db, businessId: string, ids: string[]): Promise<Message[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(messages)
    // `+`: neither the status index (every queued message of every tenant) nor the business's index may drive
    // this; the primary key over the id list does.
    .where(and(sql`+${messages.businessId} = ${businessId}`, inJsonList(messages.id, ids), sql`+${messages.status} = 'queued'`))
    .all();
}

/** Marks rows as taken by the device's outbox, so the outbox sweep leaves them alone (one statement). */
export async function markAccepted(db: Db, ids: string[], at: number): Promise<void> {
  if (ids.length === 0) return;
  await db.update(messages).set({ acceptedAt: at }).where(inJsonList(messages.id, ids));
}

/** Receipts and provider callbacks name the provider's message id; status only moves forward. Returns the id it moved, if any. */
export async function setStatusByProviderId(
  db: Db,
  deviceKey: string,
  providerMessageId: string,
  status: "sent" | "delivered" | "read" | "failed",
  error?: string,
): Promise<string | null> {
  const from: MessageStatus[] =
    status === "read" ? ["queued", "sent", "delivered"] : status === "delivered" ? ["queued", "sent"] : status === "sent" ? ["queued"] : ["queued", "sent"];
  const rows = await db
    .update(messages)
    .set({ status, updatedAt: Date.now(), ...(error !== undefined ? { error } : {}) })
    .where(and(eq(messages.deviceKey, deviceKey), eq(messages.providerMessageId, providerMessageId), inArray(messages.status, from)))
    .returning({ id: messages.id });
  return rows[0]?.id ?? null;
}

export type MessageFilter = { deviceKey?: string; to?: string; status?: MessageStatus; conversationId?: string };

export async function listMessages(db: Db, businessId: string, f: MessageFilter, limit: number, cursor?: Cursor): Promise<Message[]> {
  return db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.businessId, businessId),
        f.deviceKey ? eq(messages.deviceKey, f.deviceKey) : undefined,
        f.to ? eq(messages.to, f.to) : undefined,
        f.status ? eq(messages.status, f.status) : undefined,
        f.conversationId ? eq(messages.conversationId, f.conversationId) : undefined,
        afterCursor(messages.createdAt, messages.id, cursor),
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit + 1)
    .all();
}

/**
 * Outbound rows written but never taken by a device outbox (the Worker died between insert and enqueue), at most
 * `perBusiness` per business and `limit` in all, oldest first within each business: one business's backlog (say a
 * large broadcast caught by an outage) cannot starve the others' order confirmations.
 */
export async function findUnacceptedQueued(db: Db, olderThan: number, limit: number, perBusiness = 100): Promise<Message[]> {
  const picked = await db.$client
    .prepare(
      `SELECT id FROM (
         SELECT id, created_at, ROW_NUMBER() OVER (PARTITION BY business_id ORDER BY created_at) AS n
         FROM messages WHERE status = 'queued' AND direction = 'out' AND accepted_at IS NULL AND created_at < ?1
       ) WHERE n <= ?2 ORDER BY n, created_at LIMIT ?3`,
    )
    .bind(olderThan, perBusiness, limit)
    .all<{ id: string }>();
  const ids = picked.results.map((r) => r.id);
  const out: Message[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    out.push(...(await db.select().from(messages).where(inArray(messages.id, ids.slice(i, i + IDS_PER_STATEMENT))).orderBy(asc(messages.createdAt)).all()));
  }
  return out;
}

/** The message a provider id names on a device (receipts, and a gateway echoing a send back), if any. */
export async function getMessageByProviderId(db: Db, deviceKey: string, providerMessageId: string): Promise<Pick<Message, "id"> | undefined> {
  return db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.deviceKey, deviceKey), eq(messages.providerMessageId, providerMessageId)))
    .get();
}

export async function getMessageByKey(db: Db, businessId: string, idempotencyKey: string): Promise<Message | undefined> {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.businessId, businessId), eq(messages.idempotencyKey, idempotencyKey)))
    .get();
}

export type StatusUpdate = { id: string; status: "sent" | "delivered" | "failed" | "skipped"; providerMessageId: string | null; error: string | null };

const FORWARD_FROM: Record<StatusUpdate["status"], MessageStatus[]> = { sent: ["queued"], delivered: ["queued", "sent"], failed: ["queued"], skipped: ["queued"] };

/**
 * Many status changes in one D1 round trip (the DeviceSession's batched write-back): one UPDATE per target
 * status whatever the number of rows; each row only moves forward. The rows go as one JSON object keyed by message
 * id, so each row's provider id and error are one keyed look-up in it (not a scan of the batch per row), and
 * `+status` keeps the status index from driving the update (it would walk every queued or sent message of every
 * tenant): the primary key over the batch's ids does.
 */
export async function applyStatusBatch(db: Db, updates: StatusUpdate[], at: number): Promise<void> {
  const d1 = db.$client;
  const statements = (["sent", "delivered", "failed", "skipped"] as const).flatMap((status) => {
    const group = updates.filter((u) => u.status === status);
    if (group.length === 0) return [];
    const from = FORWARD_FROM[status];
    const payload = JSON.stringify(Object.fromEntries(group.map((u) => [u.id, { p: u.providerMessageId, e: u.error }])));
    return [
      d1
        .prepare(
          `UPDATE messages SET status = ?1, updated_at = ?2,
             provider_message_id = coalesce(?3 -> id ->> 'p', provider_message_id),
             error = coalesce(?3 -> id ->> 'e', error)
           WHERE id IN (SELECT key FROM json_each(?3)) AND +status IN (${from.map((_, i) => `?${i + 4}`).join(", ")})`,
        )
        .bind(status, at, payload, ...from),
    ];
  });
  if (statements.length) await d1.batch(statements);
}

export type ReceiptUpdate = { providerMessageId: string; status: "delivered" | "read" };

/**
 * Gateway receipts in one D1 round trip (the DeviceSession's write-back, like acks): one UPDATE per target
 * status over the batch's provider ids, on the (device_key, provider_message_id) index; status only moves
 * forward. Returns the messages that moved, for the live inbox.
 */
export async function applyReceiptBatch(db: Db, deviceKey: string, receipts: ReceiptUpdate[], at: number): Promise<{ id: string; status: "delivered" | "read" }[]> {
  const d1 = db.$client;
  const targets = (["delivered", "read"] as const).filter((status) => receipts.some((r) => r.status === status));
  if (targets.length === 0) return [];
  const statements = targets.map((status) => {
    const ids = JSON.stringify(receipts.filter((r) => r.status === status).map((r) => r.providerMessageId));
    const from = status === "read" ? ["queued", "sent", "delivered"] : ["queued", "sent"];
    return d1
      .prepare(
        `UPDATE messages SET status = ?1, updated_at = ?2 WHERE device_key = ?3 AND provider_message_id IN (SELECT value FROM json_each(?4)) AND +status IN (${from.map((_, i) => `?${i + 5}`).join(", ")}) RETURNING id`,
      )
      .bind(status, at, deviceKey, ids, ...from);
  });
  const results = await d1.batch<{ id: string }>(statements);
  return results.flatMap((r, i) => r.results.map((row) => ({ id: row.id, status: targets[i] ?? "delivered" })));
}

/** The AI agent's answer to one turn, in order: its first part (`ai:<turn id>`) and the parts after it (`…:n`). */
export async function aiAnswerOf(db: Db, businessId: string, turnId: string): Promise<string[]> {
  const key = `ai:${turnId}`;
  const rows = await db
    .select({ text: messages.text, key: messages.idempotencyKey })
    .from(messages)
    .where(and(eq(messages.businessId, businessId), eq(messages.source, "ai"), or(eq(messages.idempotencyKey, key), like(messages.idempotencyKey, `${key}:%`))))
    .all();
  const part = (k: string) => (k === key ? 0 : Number(k.slice(key.length + 1)) || 0);
  return rows.sort((a, b) => part(a.key) - part(b.key)).flatMap((r) => (r.text ? [r.text] : []));
}
