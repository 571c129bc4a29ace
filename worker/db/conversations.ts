// Conversations (a contact on a channel): upserted by the inbound path, listed and updated by the inbox API,
// read by the 24-hour window check.
import { and, desc, eq, gt, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { afterCursor } from "./paging";
import { channels, contacts, conversationLabels, conversations } from "./schema";

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
  return db.update(conversations).set(inboundSet(at, text)).where(eq(conversations.id, conversationId)).returning().get();
}

function inboundSet(at: number, text: string | null) {
  return {
    lastInboundAt: at,
    lastMessageAt: at,
    lastMessageText: preview(text),
    lastMessageDirection: "in" as const,
    unreadCount: sql`${conversations.unreadCount} + 1`,
    status: sql`CASE WHEN ${conversations.status} IN ('resolved', 'snoozed') THEN 'open' ELSE ${conversations.status} END`,
    snoozeUntil: sql`CASE WHEN ${conversations.status} IN ('resolved', 'snoozed') THEN NULL ELSE ${conversations.snoozeUntil} END`,
    updatedAt: at,
  };
}

/**
 * noteInbound as a statement for the message's own batch, counted once: only a message newer than the last one
 * counted moves the conversation (the website chat gives each visitor message a strictly later time), so a batch
 * written again after its answer was lost changes nothing.
 */
export function noteInboundOnceStatement(db: Db, conversationId: string, at: number, text: string | null) {
  return db
    .update(conversations)
    .set(inboundSet(at, text))
    .where(and(eq(conversations.id, conversationId), sql`coalesce(${conversations.lastInboundAt}, 0) < ${at}`))
    .returning();
}

/** noteOutbound for the reply's own batch, only when that batch created the reply (a replay's new id is absent). */
export function noteOutboundIfStatement(db: Db, conversationId: string, messageId: string, at: number, text: string | null) {
  return db
    .update(conversations)
    .set({ lastMessageAt: at, lastMessageText: preview(text), lastMessageDirection: "out", unreadCount: 0, updatedAt: at })
    .where(and(eq(conversations.id, conversationId), sql`EXISTS (SELECT 1 FROM messages WHERE id = ${messageId})`));
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

export type ConversationFilter = {
  channelId?: string;
  deviceKey?: string;
  status?: (typeof conversations.$inferSelect)["status"];
  /** A user id, or "none" for unassigned. */
  assignee?: string;
  labelId?: string;
  /** Contacts matching the search (name, email, phone). */
  contactWhere?: SQL;
  /** Live chat's staff visibility rule: only conversations assigned to this user or to nobody. */
  visibleTo?: string;
};

export type ConversationRow = { conversation: Conversation; contact: typeof contacts.$inferSelect; channel: typeof channels.$inferSelect };

export async function listConversations(db: Db, businessId: string, f: ConversationFilter, limit: number, cursor?: Cursor): Promise<ConversationRow[]> {
  return db
    .select({ conversation: conversations, contact: contacts, channel: channels })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .where(
      and(
        eq(conversations.businessId, businessId),
        f.channelId ? eq(conversations.channelId, f.channelId) : undefined,
        f.deviceKey ? eq(conversations.deviceKey, f.deviceKey) : undefined,
        f.status ? eq(conversations.status, f.status) : undefined,
        f.assignee === "none" ? isNull(conversations.assigneeId) : f.assignee ? eq(conversations.assigneeId, f.assignee) : undefined,
        f.labelId
          ? sql`EXISTS (SELECT 1 FROM ${conversationLabels} WHERE ${conversationLabels.conversationId} = ${conversations.id} AND ${conversationLabels.labelId} = ${f.labelId})`
          : undefined,
        f.contactWhere,
        f.visibleTo ? or(isNull(conversations.assigneeId), eq(conversations.assigneeId, f.visibleTo)) : undefined,
        afterCursor(conversations.lastMessageAt, conversations.id, cursor),
      ),
    )
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(limit + 1)
    .all();
}

export async function getConversationRow(db: Db, businessId: string, id: string): Promise<ConversationRow | undefined> {
  return db
    .select({ conversation: conversations, contact: contacts, channel: channels })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .where(and(eq(conversations.businessId, businessId), eq(conversations.id, id)))
    .get();
}

export async function updateConversation(db: Db, businessId: string, id: string, set: Partial<Conversation>): Promise<Conversation | undefined> {
  return db
    .update(conversations)
    .set(set)
    .where(and(eq(conversations.businessId, businessId), eq(conversations.id, id)))
    .returning()
    .get();
}

/** Unread messages over the business's open conversations (the inbox badge), within a staff member's view. */
export async function unreadTotals(db: Db, businessId: string, visibleTo?: string): Promise<{ conversations: number; messages: number }> {
  const row = await db
    .select({ conversations: sql<number>`count(*)`, messages: sql<number>`coalesce(sum(${conversations.unreadCount}), 0)` })
    .from(conversations)
    .where(
      and(
        eq(conversations.businessId, businessId),
        gt(conversations.unreadCount, 0),
        visibleTo ? or(isNull(conversations.assigneeId), eq(conversations.assigneeId, visibleTo)) : undefined,
      ),
    )
    .get();
  return row ?? { conversations: 0, messages: 0 };
}

/** Snoozed conversations whose time has come open again (the cron). */
export async function wakeSnoozed(db: Db, now: number): Promise<number> {
  const rows = await db
    .update(conversations)
    .set({ status: "open", snoozeUntil: null, updatedAt: now })
    .where(and(eq(conversations.status, "snoozed"), lt(conversations.snoozeUntil, now)))
    .returning({ id: conversations.id })
    .all();
  return rows.length;
}
