import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "./client";
import { type MessageStatus, messages } from "./schema";

export type Message = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;

/** Inserts rows, skipping any whose idempotency key already exists; returns the rows that are new. */
export async function insertMessagesIdempotent(db: Db, rows: NewMessage[]): Promise<Message[]> {
  if (rows.length === 0) return [];
  return db.insert(messages).values(rows).onConflictDoNothing({ target: [messages.businessId, messages.idempotencyKey] }).returning();
}

/** A new outbound text message, as the hot paths that batch their own writes create it. */
export type NewTextMessage = Required<Pick<NewMessage, "id" | "businessId" | "deviceKey" | "idempotencyKey" | "to" | "text" | "source" | "lane">>;
export type CreatedMessage = { id: string; businessId: string; deviceKey: string };

const TEXT_MESSAGE_COLUMNS = 8;
// D1 allows 100 bound parameters per statement.
const ROWS_PER_STATEMENT = Math.floor(100 / TEXT_MESSAGE_COLUMNS);

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
          `INSERT INTO messages (id, business_id, device_key, idempotency_key, to_jid, text, source, lane) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")} ON CONFLICT (business_id, idempotency_key) DO NOTHING RETURNING id, business_id AS businessId, device_key AS deviceKey`,
        )
        .bind(...chunk.flatMap((m) => [m.id, m.businessId, m.deviceKey, m.idempotencyKey, m.to, m.text, m.source, m.lane])),
    );
  }
  return out;
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
