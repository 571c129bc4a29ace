// Contacts and conversations: upserted by the inbound path, read by the inbox and the 24-hour window check.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { contacts, conversations } from "./schema";

export type Contact = typeof contacts.$inferSelect;
export type Conversation = typeof conversations.$inferSelect;

export async function upsertContact(db: Db, businessId: string, jid: string, phone: string | null, name: string | null, now: number): Promise<Contact> {
  return db
    .insert(contacts)
    .values({ id: crypto.randomUUID(), businessId, jid, phone, name, updatedAt: now })
    .onConflictDoUpdate({
      target: [contacts.businessId, contacts.jid],
      // A push name can change; keep the last one WhatsApp gave, never erase it with an empty one.
      set: { name: sql`coalesce(excluded.name, ${contacts.name})`, updatedAt: now },
    })
    .returning()
    .get();
}

export async function upsertConversation(db: Db, businessId: string, deviceKey: string, contactId: string, now: number): Promise<Conversation> {
  return db
    .insert(conversations)
    .values({ id: crypto.randomUUID(), businessId, deviceKey, contactId, lastMessageAt: now })
    .onConflictDoUpdate({ target: [conversations.businessId, conversations.deviceKey, conversations.contactId], set: { lastMessageAt: now } })
    .returning()
    .get();
}

/** Counts an inbound message; returns the updated row (the inbox's real-time event carries it). */
export async function noteInbound(db: Db, conversationId: string, at: number): Promise<Conversation | undefined> {
  return db
    .update(conversations)
    .set({ lastInboundAt: at, lastMessageAt: at, unreadCount: sql`${conversations.unreadCount} + 1` })
    .where(eq(conversations.id, conversationId))
    .returning()
    .get();
}

/** The last time the customer wrote to this device (Cloud API's 24-hour customer-service window). */
export async function lastInboundAt(db: Db, businessId: string, deviceKey: string, jid: string): Promise<number | null> {
  const row = await db
    .select({ at: conversations.lastInboundAt })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(conversations.businessId, businessId), eq(conversations.deviceKey, deviceKey), eq(contacts.jid, jid)))
    .get();
  return row?.at ?? null;
}
