// Merging two contacts by hand (`POST /contacts/{id}/merge {other_id}`): the kept contact takes the other's
// labels, conversations (one per channel: messages of a duplicate conversation move over), orders and the
// gaps in its profile; then the other contact is deleted and their open conflicts go with it.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Contact, getContact } from "../db/contacts";
import { contactConflicts, contactLabels, contacts, conversationLabels, conversations, messages, orders } from "../db/schema";
import { planManualMerge } from "./merge-plan";

export async function mergeContacts(db: Db, businessId: string, keep: Contact, other: Contact): Promise<Contact | undefined> {
  const merged = planManualMerge(keep, other);
  const dupes = await db
    .select({ from: conversations.id, to: sql<string>`k.id` })
    .from(conversations)
    .innerJoin(sql`${conversations} AS k`, sql`k.channel_id = ${conversations.channelId} AND k.contact_id = ${keep.id}`)
    .where(and(eq(conversations.businessId, businessId), eq(conversations.contactId, other.id)))
    .all();
  const moves = dupes.flatMap((d) => [
    db.update(messages).set({ conversationId: d.to }).where(and(eq(messages.businessId, businessId), eq(messages.conversationId, d.from))),
    db.run(sql`INSERT OR IGNORE INTO ${conversationLabels} (conversation_id, label_id) SELECT ${d.to}, label_id FROM ${conversationLabels} WHERE conversation_id = ${d.from}`),
    db.run(sql`UPDATE ${conversations} SET
      unread_count = unread_count + (SELECT unread_count FROM ${conversations} WHERE id = ${d.from}),
      last_inbound_at = max(coalesce(last_inbound_at, 0), coalesce((SELECT last_inbound_at FROM ${conversations} WHERE id = ${d.from}), 0))
      WHERE id = ${d.to}`),
    db.delete(conversations).where(eq(conversations.id, d.from)),
  ]);
  // The other's unique keys are freed before the kept contact takes them.
  const freeKeys = db.update(contacts).set({ phone: null, waJid: null, webVisitorId: null }).where(and(eq(contacts.businessId, businessId), eq(contacts.id, other.id)));
  // One batch (one transaction): duplicate conversations first, so moving the rest never hits the
  // one-conversation-per-channel rule.
  await db.batch([
    freeKeys,
    ...moves,
    db.run(sql`INSERT OR IGNORE INTO ${contactLabels} (contact_id, label_id) SELECT ${keep.id}, label_id FROM ${contactLabels} WHERE contact_id = ${other.id}`),
    db.update(conversations).set({ contactId: keep.id }).where(and(eq(conversations.businessId, businessId), eq(conversations.contactId, other.id))),
    db.update(orders).set({ contactId: keep.id }).where(and(eq(orders.businessId, businessId), eq(orders.contactId, other.id))),
    db.delete(contactConflicts).where(and(eq(contactConflicts.businessId, businessId), sql`(${contactConflicts.contactId} IN (${keep.id}, ${other.id}) AND ${contactConflicts.otherContactId} IN (${keep.id}, ${other.id}))`)),
    db.delete(contacts).where(and(eq(contacts.businessId, businessId), eq(contacts.id, other.id))),
    db
      .update(contacts)
      .set({ ...merged, updatedAt: Date.now() })
      .where(and(eq(contacts.businessId, businessId), eq(contacts.id, keep.id))),
  ]);
  return getContact(db, businessId, keep.id);
}
