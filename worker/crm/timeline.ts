// A contact's timeline: orders and the messages of every channel (their conversations, and sends to their
// WhatsApp id outside a conversation), merged newest first. Keyset paging over (time, id) on both sources.
import { and, desc, eq, inArray, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Contact } from "../db/contacts";
import type { Message } from "../db/messages";
import { type Order, ordersOfContact } from "../db/orders";
import { conversations, messages } from "../db/schema";
import type { Cursor } from "../lib/cursor";

export type TimelineEntry = { type: "message"; at: number; id: string; message: Message } | { type: "order"; at: number; id: string; order: Order };

export async function contactTimeline(db: Db, businessId: string, contact: Contact, limit: number, cursor?: Cursor): Promise<{ items: TimelineEntry[]; next: Cursor | null }> {
  const convIds = (
    await db
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.businessId, businessId), eq(conversations.contactId, contact.id)))
      .limit(50)
      .all()
  ).map((r) => r.id);
  const theirs = or(convIds.length > 0 ? inArray(messages.conversationId, convIds) : undefined, contact.waJid ? eq(messages.to, contact.waJid) : undefined);
  const after = cursor ? or(lt(messages.createdAt, cursor.t), and(eq(messages.createdAt, cursor.t), lt(messages.id, cursor.id))) : undefined;
  const [msgs, ords] = await Promise.all([
    theirs
      ? db
          .select()
          .from(messages)
          .where(and(eq(messages.businessId, businessId), theirs, after))
          .orderBy(desc(messages.createdAt), desc(messages.id))
          .limit(limit + 1)
          .all()
      : Promise.resolve([]),
    ordersOfContact(db, businessId, contact.id, limit + 1, cursor),
  ]);
  const all: TimelineEntry[] = [
    ...msgs.map((m) => ({ type: "message" as const, at: m.createdAt, id: m.id, message: m })),
    ...ords.map((o) => ({ type: "order" as const, at: o.eventAt, id: o.id, order: o })),
  ].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const items = all.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: all.length > limit && last ? { t: last.at, id: last.id } : null };
}
