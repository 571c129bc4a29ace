// Internal notes on a conversation: written by agents, never sent to the customer.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "./client";
import { conversationNotes } from "./schema";

export type ConversationNote = typeof conversationNotes.$inferSelect;

export async function addNote(db: Db, v: { businessId: string; conversationId: string; authorId: string | null; text: string; mentions: string[] }, now = Date.now()): Promise<ConversationNote> {
  return db
    .insert(conversationNotes)
    .values({ id: crypto.randomUUID(), ...v, createdAt: now })
    .returning()
    .get();
}

export async function listNotes(db: Db, businessId: string, conversationId: string): Promise<ConversationNote[]> {
  return db
    .select()
    .from(conversationNotes)
    .where(and(eq(conversationNotes.businessId, businessId), eq(conversationNotes.conversationId, conversationId)))
    .orderBy(asc(conversationNotes.createdAt))
    .all();
}
