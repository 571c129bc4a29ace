// Canned responses of a business's inbox (the reply box's `/` shortcut). Every query is scoped by business.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "./client";
import { cannedResponses } from "./schema";

export type CannedResponse = typeof cannedResponses.$inferSelect;

export async function listCanned(db: Db, businessId: string): Promise<CannedResponse[]> {
  return db.select().from(cannedResponses).where(eq(cannedResponses.businessId, businessId)).orderBy(asc(cannedResponses.shortcut)).all();
}

/** undefined when the shortcut is taken. */
export async function createCanned(db: Db, businessId: string, v: { shortcut: string; text: string }, now = Date.now()): Promise<CannedResponse | undefined> {
  return db
    .insert(cannedResponses)
    .values({ id: crypto.randomUUID(), businessId, ...v, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning()
    .get();
}

/** undefined: not this business's; null: the new shortcut is taken. */
export async function updateCanned(db: Db, businessId: string, id: string, v: { shortcut?: string; text?: string }, now = Date.now()): Promise<CannedResponse | null | undefined> {
  try {
    return await db
      .update(cannedResponses)
      .set({ ...v, updatedAt: now })
      .where(and(eq(cannedResponses.businessId, businessId), eq(cannedResponses.id, id)))
      .returning()
      .get();
  } catch (e) {
    // drizzle wraps D1's error: the constraint's name is in the cause.
    if (`${String(e)} ${e instanceof Error ? String(e.cause) : ""}`.includes("UNIQUE")) return null;
    throw e;
  }
}

export async function deleteCanned(db: Db, businessId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(cannedResponses)
    .where(and(eq(cannedResponses.businessId, businessId), eq(cannedResponses.id, id)))
    .returning({ id: cannedResponses.id })
    .all();
  return rows.length > 0;
}
