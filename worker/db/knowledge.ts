// Knowledge entries (FAQ, free text, products) and their full-text search (FTS5 `knowledge_fts`, BM25 ranking).
import { and, desc, eq, sql } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { afterCursor } from "./paging";
import { knowledgeEntries } from "./schema";

export type KnowledgeEntry = typeof knowledgeEntries.$inferSelect;
export type KnowledgeFields = Pick<KnowledgeEntry, "kind" | "title" | "body" | "price" | "link">;

export async function insertKnowledge(db: Db, businessId: string, f: KnowledgeFields): Promise<KnowledgeEntry> {
  return db.insert(knowledgeEntries).values({ id: crypto.randomUUID(), businessId, ...f }).returning().get();
}

export async function listKnowledge(db: Db, businessId: string, limit: number, cursor?: Cursor): Promise<KnowledgeEntry[]> {
  return db
    .select()
    .from(knowledgeEntries)
    .where(and(eq(knowledgeEntries.businessId, businessId), afterCursor(knowledgeEntries.createdAt, knowledgeEntries.id, cursor)))
    .orderBy(desc(knowledgeEntries.createdAt), desc(knowledgeEntries.id))
    .limit(limit + 1)
    .all();
}

export async function updateKnowledge(db: Db, businessId: string, id: string, patch: Partial<KnowledgeFields>): Promise<KnowledgeEntry | undefined> {
  return db
    .update(knowledgeEntries)
    .set({ ...patch, updatedAt: Date.now() })
    .where(and(eq(knowledgeEntries.businessId, businessId), eq(knowledgeEntries.id, id)))
    .returning()
    .get();
}

export async function deleteKnowledge(db: Db, businessId: string, id: string): Promise<boolean> {
  const rows = await db.delete(knowledgeEntries).where(and(eq(knowledgeEntries.businessId, businessId), eq(knowledgeEntries.id, id))).returning({ id: knowledgeEntries.id });
  return rows.length > 0;
}

/**
 * The business's entries matching an FTS5 query, best first (BM25, title weighted 2× over body). The MATCH runs
 * on the whole index and the business filter on the joined rows: FTS5 has no per-tenant partition.
 */
export async function searchKnowledge(db: Db, businessId: string, ftsQuery: string, limit: number): Promise<KnowledgeEntry[]> {
  return db
    .select()
    .from(knowledgeEntries)
    .innerJoin(sql`knowledge_fts`, sql`knowledge_fts.rowid = ${knowledgeEntries}.rowid`)
    .where(and(sql`knowledge_fts MATCH ${ftsQuery}`, eq(knowledgeEntries.businessId, businessId)))
    .orderBy(sql`bm25(knowledge_fts, 2.0, 1.0)`)
    .limit(limit)
    .all()
    .then((rows) => rows.map((r) => r.knowledge_entries));
}
