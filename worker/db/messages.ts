import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "./client";
import { type MessageStatus, messages } from "./schema";

export type Message = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;

/** The batchable insert behind insertMessagesIdempotent (rows must be non-empty). */
export function insertMessagesIdempotentQuery(db: Db, rows: NewMessage[]) {
  return db.insert(messages).values(rows).onConflictDoNothing({ target: [messages.businessId, messages.idempotencyKey] }).returning();
}

/** Inserts rows, skipping any whose idempotency key already exists; returns the rows that are new. */
export async function insertMessagesIdempotent(db: Db, rows: NewMessage[]): Promise<Message[]> {
  if (rows.length === 0) return [];
  return insertMessagesIdempotentQuery(db, rows);
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
