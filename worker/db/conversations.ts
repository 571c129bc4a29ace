// Conversations (a contact on a channel): upserted by the inbound path, listed and updated by the inbox API,
// read by the 24-hour window check.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { contacts, conversations } from "./schema";

export type Conversation = typeof conversations.$inferSelect;

export async function upsertConversation(
  db: Db,
  businessId: string,
  channel: { id: string; deviceKey: string | null },
  contactId: string,
  now: number,
): Promise<Conversation> {
  return db
    .insert(conversations)
    .values({ id: crypto.randomUUID(), businessId, channelId: channel.id, deviceKey: channel.deviceKey, contactId, lastMessageAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [conversations.businessId, conversations.channelId, conversations.contactId], set: { lastMessageAt: now } })
    .returning()
    .get();
}

const preview = (text: string | null) => (text ?? "").slice(0, 200);

/**
 * Counts an inbound message and shows it as the last one; a resolved or snoozed conversation opens again
 * (the customer wrote). Returns the updated row (the inbox's real-time event carries it).
 */
export async function noteInbound(db: Db, conversationId: string, at: number, text: string | null = null): Promise<Conversation | undefined> {
  return db
    .update(conversations)
    .set({
      lastInboundAt: at,
      lastMessageAt: at,
      lastMessageText: preview(text),
      lastMessageDirection: "in",
      unreadCount: sql`${conversations.unreadCount} + 1`,
      status: sql`CASE WHEN ${conversations.status} IN ('resolved', 'snoozed') THEN 'open' ELSE ${conversations.status} END`,
      snoozeUntil: sql`CASE WHEN ${conversations.status} IN ('resolved', 'snoozed') THEN NULL ELSE ${conversations.snoozeUntil} END`,
      updatedAt: at,
    })
    .where(eq(conversations.id, conversationId))
    .returning()
    .get();
}

/** An agent's (or the bot's) reply: the last message, and the customer's messages count as read. */
export async function noteOutbound(db: Db, conversationId: string, at: number, text: string | null): Promise<Conversation | undefined> {
  return db
    .update(conversations)
    .set({ lastMessageAt: at, lastMessageText: preview(text), lastMessageDirection: "out", unreadCount: 0, updatedAt: at })
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
    .where(and(eq(conversations.businessId, businessId), eq(conversations.deviceKey, deviceKey), eq(contacts.waJid, jid)))
    .get();
  return row?.at ?? null;
}
