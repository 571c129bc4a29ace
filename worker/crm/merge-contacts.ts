// Merging two contacts by hand (`POST /contacts/{id}/merge {other_id}`): the kept contact takes the other's
// labels, conversations (one per channel: messages of a duplicate conversation move over), orders and the
// gaps in its profile; then the other contact is deleted and their open conflicts go with it. One D1 batch,
// so it happens entirely or not at all.
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Contact, getContact } from "../db/contacts";
import { rawStatement } from "../db/labels";
import { contactConflicts, contactLabels, contacts, conversationLabels, conversations, messages, orders } from "../db/schema";
import { planManualMerge } from "./merge-plan";

export async function mergeContacts(db: Db, businessId: string, keep: Contact, other: Contact): Promise<Contact | undefined> {
  const m = planManualMerge(keep, other);
  const dupes = await db.all<{ from_id: string; to_id: string }>(sql`
    SELECT o.id AS from_id, k.id AS to_id FROM ${conversations} o JOIN ${conversations} k ON k.channel_id = o.channel_id AND k.contact_id = ${keep.id}
    WHERE o.business_id = ${businessId} AND o.contact_id = ${other.id}`);
  const stmts: SQL[] = [
    // The other's unique keys are freed before the kept contact takes them.
    sql`UPDATE ${contacts} SET phone = NULL, wa_jid = NULL, web_visitor_id = NULL WHERE business_id = ${businessId} AND id = ${other.id}`,
    // Duplicate conversations (same channel) first, so moving the rest never hits one-conversation-per-channel.
    ...dupes.flatMap((d) => [
      sql`UPDATE ${messages} SET conversation_id = ${d.to_id} WHERE business_id = ${businessId} AND conversation_id = ${d.from_id}`,
      sql`INSERT OR IGNORE INTO ${conversationLabels} (conversation_id, label_id) SELECT ${d.to_id}, label_id FROM ${conversationLabels} WHERE conversation_id = ${d.from_id}`,
      sql`UPDATE ${conversations} SET
        unread_count = unread_count + (SELECT unread_count FROM ${conversations} WHERE id = ${d.from_id}),
        last_inbound_at = max(coalesce(last_inbound_at, 0), coalesce((SELECT last_inbound_at FROM ${conversations} WHERE id = ${d.from_id}), 0))
        WHERE id = ${d.to_id}`,
      sql`DELETE FROM ${conversations} WHERE id = ${d.from_id}`,
    ]),
    sql`INSERT OR IGNORE INTO ${contactLabels} (contact_id, label_id) SELECT ${keep.id}, label_id FROM ${contactLabels} WHERE contact_id = ${other.id}`,
    sql`UPDATE ${conversations} SET contact_id = ${keep.id} WHERE business_id = ${businessId} AND contact_id = ${other.id}`,
    sql`UPDATE ${orders} SET contact_id = ${keep.id} WHERE business_id = ${businessId} AND contact_id = ${other.id}`,
    sql`DELETE FROM ${contactConflicts} WHERE business_id = ${businessId} AND contact_id IN (${keep.id}, ${other.id}) AND other_contact_id IN (${keep.id}, ${other.id})`,
    sql`DELETE FROM ${contacts} WHERE business_id = ${businessId} AND id = ${other.id}`,
    sql`UPDATE ${contacts} SET phone = ${m.phone}, email = ${m.email}, wa_jid = ${m.waJid}, web_visitor_id = ${m.webVisitorId}, name = ${m.name},
      first_seen_at = ${m.firstSeenAt}, last_seen_at = ${m.lastSeenAt}, custom_fields = ${JSON.stringify(m.customFields)}, notes = ${m.notes}, updated_at = ${Date.now()}
      WHERE business_id = ${businessId} AND id = ${keep.id}`,
  ];
  await db.$client.batch(stmts.map((q) => rawStatement(db, q)));
  return getContact(db, businessId, keep.id);
}
