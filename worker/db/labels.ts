// Labels and what carries them (contacts, conversations). Every query is scoped by business: attaching a
// label checks that both the label and the contact belong to the caller's business.
import { and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { enrolLabelSql } from "./campaign-enrollments";
import type { Db } from "./client";
import { contactLabels, contacts, conversationLabels, conversations, labels } from "./schema";

export type Label = typeof labels.$inferSelect;

const dialect = new SQLiteSyncDialect();

export const labelKey = (name: string) => name.trim().toLowerCase();

export async function listLabels(db: Db, businessId: string): Promise<(Label & { contactCount: number })[]> {
  return db
    .select({
      id: labels.id,
      businessId: labels.businessId,
      name: labels.name,
      nameKey: labels.nameKey,
      color: labels.color,
      createdAt: labels.createdAt,
      contactCount: sql<number>`(SELECT count(*) FROM ${contactLabels} WHERE ${contactLabels.labelId} = ${labels.id})`,
    })
    .from(labels)
    .where(eq(labels.businessId, businessId))
    .orderBy(asc(labels.nameKey))
    .all();
}

export async function getLabel(db: Db, businessId: string, id: string): Promise<Label | undefined> {
  return db
    .select()
    .from(labels)
    .where(and(eq(labels.businessId, businessId), eq(labels.id, id)))
    .get();
}

/** Null when the name is taken (any case). */
export async function createLabel(db: Db, businessId: string, name: string, color: string | undefined): Promise<Label | null> {
  const row = await db
    .insert(labels)
    .values({ id: crypto.randomUUID(), businessId, name: name.trim(), nameKey: labelKey(name), ...(color ? { color } : {}) })
    .onConflictDoNothing()
    .returning()
    .get();
  return row ?? null;
}

/** Undefined when not found; null when the new name is taken. */
export async function updateLabel(db: Db, businessId: string, id: string, set: { name?: string; color?: string }): Promise<Label | undefined | null> {
  const values: Partial<Label> = {};
  if (set.name !== undefined) Object.assign(values, { name: set.name.trim(), nameKey: labelKey(set.name) });
  if (set.color !== undefined) values.color = set.color;
  if (Object.keys(values).length === 0) return getLabel(db, businessId, id);
  try {
    return await db
      .update(labels)
      .set(values)
      .where(and(eq(labels.businessId, businessId), eq(labels.id, id)))
      .returning()
      .get();
  } catch (e) {
    if (String(e).includes("UNIQUE")) return null;
    throw e;
  }
}

export async function deleteLabel(db: Db, businessId: string, id: string): Promise<boolean> {
  const r = await db
    .delete(labels)
    .where(and(eq(labels.businessId, businessId), eq(labels.id, id)))
    .returning({ id: labels.id })
    .get();
  return r !== undefined;
}

/** The ids among `ids` that are this business's labels. */
export async function ownLabelIds(db: Db, businessId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: labels.id })
    .from(labels)
    .where(and(eq(labels.businessId, businessId), inArray(labels.id, ids)))
    .all();
  return rows.map((r) => r.id);
}

/** Labels of many contacts (or conversations) at once, for list pages, keyed by their id. */
async function labelsOf(db: Db, link: typeof contactLabels | typeof conversationLabels, ids: string[]): Promise<Map<string, Label[]>> {
  const owner = "contactId" in link ? link.contactId : link.conversationId;
  const out = new Map<string, Label[]>();
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db
      .select({ owner, label: labels })
      .from(link)
      .innerJoin(labels, eq(labels.id, link.labelId))
      .where(inArray(owner, ids.slice(i, i + 90)))
      .orderBy(asc(labels.nameKey))
      .all();
    for (const r of rows) out.set(r.owner, [...(out.get(r.owner) ?? []), r.label]);
  }
  return out;
}

export const labelsOfContacts = (db: Db, ids: string[]) => labelsOf(db, contactLabels, ids);
export const labelsOfConversations = (db: Db, ids: string[]) => labelsOf(db, conversationLabels, ids);

/**
 * Adds and removes labels on a set of contacts in one statement each, scoped to the business on both sides
 * (a foreign label or contact id simply matches nothing). Ids are chunked under D1's parameter limit.
 */
export async function relabelContacts(db: Db, businessId: string, contactIds: string[], add: string[], remove: string[]): Promise<{ enrolled: number }> {
  const addIds = await ownLabelIds(db, businessId, add);
  const stmts: SQL[] = [];
  // Campaigns triggered by a label (issue 11): each enrolment runs just before its label's insert, in the same
  // transaction, and only for contacts that did not carry the label yet. Their positions, to count them.
  const enrols: number[] = [];
  const now = Date.now();
  // D1 binds at most 100 parameters: 60 contact ids + the business + up to 20 label ids.
  for (let i = 0; i < contactIds.length; i += 60) {
    const chunk = contactIds.slice(i, i + 60);
    for (const labelId of addIds) {
      enrols.push(stmts.length);
      stmts.push(enrolLabelSql({ businessId, contactIds: chunk, event: `label:${labelId}:${now}`, now }, labelId));
      stmts.push(sql`INSERT OR IGNORE INTO ${contactLabels} (contact_id, label_id)
          SELECT ${contacts.id}, ${labelId} FROM ${contacts} WHERE ${contacts.businessId} = ${businessId} AND ${contacts.id} IN ${chunk}`);
    }
    if (remove.length > 0) {
      stmts.push(sql`DELETE FROM ${contactLabels} WHERE ${contactLabels.contactId} IN
          (SELECT ${contacts.id} FROM ${contacts} WHERE ${contacts.businessId} = ${businessId} AND ${contacts.id} IN ${chunk})
          AND ${contactLabels.labelId} IN ${remove.slice(0, 20)}`);
    }
  }
  // One round trip for all of them (D1 runs a batch as one transaction).
  if (stmts.length === 0) return { enrolled: 0 };
  const results = await db.$client.batch(stmts.map((q) => rawStatement(db, q)));
  return { enrolled: enrols.reduce((n, i) => n + (results[i]?.meta.changes ?? 0), 0) };
}

/** A drizzle `sql` fragment as a D1 prepared statement (for batches of raw statements). */
export function rawStatement(db: Db, q: SQL): D1PreparedStatement {
  const { sql: text, params } = dialect.sqlToQuery(q);
  return db.$client.prepare(text).bind(...params);
}

export async function relabelConversation(db: Db, businessId: string, conversationId: string, add: string[], remove: string[]): Promise<void> {
  const addIds = await ownLabelIds(db, businessId, add);
  for (const labelId of addIds) {
    await db.run(sql`INSERT OR IGNORE INTO ${conversationLabels} (conversation_id, label_id)
      SELECT ${conversations.id}, ${labelId} FROM ${conversations} WHERE ${conversations.businessId} = ${businessId} AND ${conversations.id} = ${conversationId}`);
  }
  if (remove.length > 0) {
    await db
      .delete(conversationLabels)
      .where(and(eq(conversationLabels.conversationId, conversationId), inArray(conversationLabels.labelId, remove)))
      .run();
  }
}
