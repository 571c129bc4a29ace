import { and, desc, eq } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { afterCursor } from "./paging";
import { templates } from "./schema";

export type Template = typeof templates.$inferSelect;

export async function insertTemplate(db: Db, businessId: string, name: string, body: string): Promise<Template | undefined> {
  return db
    .insert(templates)
    .values({ id: crypto.randomUUID(), businessId, name, body })
    .onConflictDoNothing({ target: [templates.businessId, templates.name] })
    .returning()
    .get();
}

export async function getTemplate(db: Db, businessId: string, id: string): Promise<Template | undefined> {
  return db.select().from(templates).where(and(eq(templates.businessId, businessId), eq(templates.id, id))).get();
}

export async function getTemplateByName(db: Db, businessId: string, name: string): Promise<Template | undefined> {
  return db.select().from(templates).where(and(eq(templates.businessId, businessId), eq(templates.name, name))).get();
}

export async function listTemplates(db: Db, businessId: string, limit: number, cursor?: Cursor): Promise<Template[]> {
  return db
    .select()
    .from(templates)
    .where(and(eq(templates.businessId, businessId), afterCursor(templates.createdAt, templates.id, cursor)))
    .orderBy(desc(templates.createdAt), desc(templates.id))
    .limit(limit + 1)
    .all();
}

export async function updateTemplate(db: Db, businessId: string, id: string, patch: { name?: string; body?: string }): Promise<Template | undefined> {
  return db
    .update(templates)
    .set({ ...patch, updatedAt: Date.now() })
    .where(and(eq(templates.businessId, businessId), eq(templates.id, id)))
    .returning()
    .get();
}

export async function deleteTemplate(db: Db, businessId: string, id: string): Promise<boolean> {
  const rows = await db.delete(templates).where(and(eq(templates.businessId, businessId), eq(templates.id, id))).returning({ id: templates.id });
  return rows.length > 0;
}
