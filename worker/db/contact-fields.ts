// A business's custom contact field definitions.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "./client";
import { contactFields, type ContactFieldType } from "./schema";

export type ContactField = typeof contactFields.$inferSelect;

export async function listFields(db: Db, businessId: string): Promise<ContactField[]> {
  return db.select().from(contactFields).where(eq(contactFields.businessId, businessId)).orderBy(asc(contactFields.createdAt)).all();
}

/** Null when the key is taken. */
export async function createField(db: Db, businessId: string, f: { key: string; label: string; type: ContactFieldType; options: string[] }): Promise<ContactField | null> {
  const row = await db
    .insert(contactFields)
    .values({ id: crypto.randomUUID(), businessId, ...f })
    .onConflictDoNothing()
    .returning()
    .get();
  return row ?? null;
}

export async function updateField(db: Db, businessId: string, id: string, set: { label?: string; options?: string[] }): Promise<ContactField | undefined> {
  if (Object.keys(set).length === 0) return db.select().from(contactFields).where(and(eq(contactFields.businessId, businessId), eq(contactFields.id, id))).get();
  return db
    .update(contactFields)
    .set(set)
    .where(and(eq(contactFields.businessId, businessId), eq(contactFields.id, id)))
    .returning()
    .get();
}

export async function deleteField(db: Db, businessId: string, id: string): Promise<boolean> {
  const r = await db
    .delete(contactFields)
    .where(and(eq(contactFields.businessId, businessId), eq(contactFields.id, id)))
    .returning({ id: contactFields.id })
    .get();
  return r !== undefined;
}
