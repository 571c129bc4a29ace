// Real deletion for privacy: the contacts, their conversations, every message of those conversations and
// every message sent to their WhatsApp id, the inbound media of those messages in R2, their orders, labels
// and conflicts. R2 first, then the rows: a crash in between leaves rows that a retry deletes again, never
// media without a row pointing at it being gone unnoticed.
import { and, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { contacts, conversations, mediaObjects, messages } from "../db/schema";
import { mediaKey } from "../inbound/media";

const CHUNK = 40;

export async function deleteContacts(env: Env, db: Db, businessId: string, ids: string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const people = await db
      .select({ id: contacts.id, waJid: contacts.waJid })
      .from(contacts)
      .where(and(eq(contacts.businessId, businessId), inArray(contacts.id, ids.slice(i, i + CHUNK))))
      .all();
    if (people.length === 0) continue;
    const convIds = (
      await db
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(eq(conversations.businessId, businessId), inArray(conversations.contactId, people.map((p) => p.id))))
        .all()
    ).map((c) => c.id);
    const jids = people.map((p) => p.waJid).filter((j): j is string => j !== null);
    const theirs = or(
      convIds.length > 0 ? inArray(messages.conversationId, convIds.slice(0, 40)) : undefined,
      jids.length > 0 ? inArray(messages.to, jids) : undefined,
    );
    // Conversations beyond the first 40 of this chunk (rare: one contact on many channels) are handled below.
    for (let j = 0; j < Math.max(convIds.length, 1); j += 40) {
      const where = and(
        eq(messages.businessId, businessId),
        j === 0 ? theirs : inArray(messages.conversationId, convIds.slice(j, j + 40)),
      );
      const media = await db
        .select({ id: sql<string>`json_extract(${messages.content}, '$.media.media_id')` })
        .from(messages)
        .where(and(where, isNotNull(sql`json_extract(${messages.content}, '$.media.media_id')`)))
        .all();
      const keys = media.map((m) => mediaKey(businessId, m.id));
      for (let k = 0; k < keys.length; k += 1000) await env.MEDIA.delete(keys.slice(k, k + 1000));
      // Their media_objects rows go too: nothing may point at a file that no longer exists.
      for (let k = 0; k < media.length; k += 90) {
        await db.delete(mediaObjects).where(and(eq(mediaObjects.businessId, businessId), inArray(mediaObjects.id, media.slice(k, k + 90).map((m) => m.id)))).run();
      }
      await db.delete(messages).where(where).run();
    }
    // Conversations, orders, labels and conflicts go with the contact (ON DELETE CASCADE).
    const gone = await db
      .delete(contacts)
      .where(and(eq(contacts.businessId, businessId), inArray(contacts.id, people.map((p) => p.id))))
      .returning({ id: contacts.id })
      .all();
    deleted += gone.length;
  }
  return deleted;
}
