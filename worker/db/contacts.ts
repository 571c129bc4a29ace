// Contacts: the automatic create-or-merge every source goes through, manual create/update, and reads.
// Search and list filters are in contact-search.ts; deletion (with conversations, messages, media) in
// worker/crm/delete-contacts.ts.
import { and, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import { type Known, lookupKeys, type MergePlan, type Observation, planMerge } from "../crm/merge-plan";
import type { Db } from "./client";
import { contactConflicts, contacts } from "./schema";

export type Contact = typeof contacts.$inferSelect;
export type NewContact = typeof contacts.$inferInsert;

export type Recorded = { contact: Contact; created: boolean; conflictWith: string | null };

/** The contacts of a business sharing any key of the observation (at most one per key, so at most four). */
async function candidates(db: Db, businessId: string, obs: Observation): Promise<Contact[]> {
  const k = lookupKeys(obs);
  const keys: SQL[] = [];
  if (k.phone) keys.push(eq(contacts.phone, k.phone));
  if (k.waJid) keys.push(eq(contacts.waJid, k.waJid));
  if (k.webVisitorId) keys.push(eq(contacts.webVisitorId, k.webVisitorId));
  if (k.email) keys.push(eq(contacts.email, k.email));
  if (keys.length === 0) return [];
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.businessId, businessId), or(...keys)))
    .orderBy(contacts.createdAt)
    .limit(8)
    .all();
}

async function apply(db: Db, businessId: string, plan: MergePlan, obs: Observation, found: Contact[]): Promise<Recorded | null> {
  if (plan.kind === "none") return null;
  if (plan.kind === "create") {
    const row = await db
      .insert(contacts)
      .values({ id: crypto.randomUUID(), businessId, ...plan.values, updatedAt: obs.at })
      .onConflictDoNothing()
      .returning()
      .get();
    // Lost a race with another message of the same person: the caller plans again against the winner.
    return row ? { contact: row, created: true, conflictWith: null } : null;
  }
  const current = found.find((c) => c.id === plan.contactId);
  let contact = current;
  if (Object.keys(plan.set).length > 0 || !current) {
    contact = await db
      .update(contacts)
      .set({ ...plan.set, updatedAt: Math.max(obs.at, current?.updatedAt ?? 0) })
      .where(and(eq(contacts.businessId, businessId), eq(contacts.id, plan.contactId)))
      .returning()
      .get();
  }
  if (!contact) return null;
  if (plan.conflict && contact.phone && obs.email) {
    await db
      .insert(contactConflicts)
      .values({ id: crypto.randomUUID(), businessId, contactId: contact.id, otherContactId: plan.conflict.otherContactId, phone: contact.phone, email: obs.email, source: obs.source })
      .onConflictDoNothing()
      .run();
  }
  return { contact, created: false, conflictWith: plan.conflict?.otherContactId ?? null };
}

/**
 * Creates or merges the contact a source describes (phone, then JID/visitor, then email). Returns null
 * when the observation names nobody (no phone, email, JID or visitor id).
 */
export async function recordContact(db: Db, businessId: string, obs: Observation): Promise<Recorded | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await candidates(db, businessId, obs);
    const plan = planMerge(obs, found satisfies Known[]);
    if (plan.kind === "none") return null;
    const done = await apply(db, businessId, plan, obs, found);
    if (done) return done;
  }
  throw new Error("contact upsert kept racing");
}

export async function getContact(db: Db, businessId: string, id: string): Promise<Contact | undefined> {
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.businessId, businessId), eq(contacts.id, id)))
    .get();
}

export async function getContacts(db: Db, businessId: string, ids: string[]): Promise<Contact[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.businessId, businessId), inArray(contacts.id, ids)))
    .all();
}

/** The contact holding a phone or an email in this business (for "already exists" answers). */
export async function findByPhoneOrEmail(db: Db, businessId: string, phone: string | null, email: string | null, exceptId?: string): Promise<Contact | undefined> {
  const keys: SQL[] = [];
  if (phone) keys.push(eq(contacts.phone, phone));
  if (email) keys.push(eq(contacts.email, email));
  if (keys.length === 0) return undefined;
  const rows = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.businessId, businessId), or(...keys)))
    .limit(4)
    .all();
  return rows.find((r) => r.id !== exceptId && r.phone !== null && r.phone === phone) ?? rows.find((r) => r.id !== exceptId);
}

export async function insertContact(db: Db, row: NewContact): Promise<Contact | undefined> {
  return db.insert(contacts).values(row).onConflictDoNothing().returning().get();
}

export async function updateContact(db: Db, businessId: string, id: string, set: Partial<NewContact>): Promise<Contact | undefined> {
  return db
    .update(contacts)
    .set(set)
    .where(and(eq(contacts.businessId, businessId), eq(contacts.id, id)))
    .returning()
    .get();
}

/** The same change on many contacts of one business in one statement (bulk actions). */
export async function updateContacts(db: Db, businessId: string, ids: string[], set: Partial<NewContact>): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(contacts)
    .set(set)
    // json_each: any number of ids in one bound parameter (D1 binds at most 100).
    .where(and(eq(contacts.businessId, businessId), sql`${contacts.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`))
    .run();
}

export type Conflict = typeof contactConflicts.$inferSelect;

export async function listConflicts(db: Db, businessId: string, limit: number): Promise<Conflict[]> {
  return db.select().from(contactConflicts).where(eq(contactConflicts.businessId, businessId)).orderBy(contactConflicts.createdAt).limit(limit).all();
}

export async function deleteConflict(db: Db, businessId: string, id: string): Promise<boolean> {
  const r = await db.delete(contactConflicts).where(and(eq(contactConflicts.businessId, businessId), eq(contactConflicts.id, id))).returning().get();
  return r !== undefined;
}
