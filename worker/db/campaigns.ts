// Campaigns (upselling follow-up sequences). Every query scoped by business.
import { and, desc, eq, lt, or, type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { type CampaignStatus, campaigns } from "./schema";

export type Campaign = typeof campaigns.$inferSelect;
export type NewCampaign = typeof campaigns.$inferInsert;

export async function insertCampaign(db: Db, row: NewCampaign): Promise<Campaign> {
  return db.insert(campaigns).values(row).returning().get();
}

export async function getCampaign(db: Db, businessId: string, id: string): Promise<Campaign | undefined> {
  return db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.businessId, businessId), eq(campaigns.id, id)))
    .get();
}

/** Campaigns carrying a label (labels live as a JSON list on the row, like a broadcast's). */
const withLabel = (labelId: string): SQL => sql`EXISTS (SELECT 1 FROM json_each(${campaigns.labelIds}) WHERE value = ${labelId})`;

export async function listCampaigns(db: Db, businessId: string, f: { status?: CampaignStatus; labelId?: string }, limit: number, cursor?: Cursor): Promise<Campaign[]> {
  const conds: (SQL | undefined)[] = [eq(campaigns.businessId, businessId)];
  if (f.status) conds.push(eq(campaigns.status, f.status));
  if (f.labelId) conds.push(withLabel(f.labelId));
  if (cursor) conds.push(or(lt(campaigns.createdAt, cursor.t), and(eq(campaigns.createdAt, cursor.t), lt(campaigns.id, cursor.id))));
  return db
    .select()
    .from(campaigns)
    .where(and(...conds))
    .orderBy(desc(campaigns.createdAt), desc(campaigns.id))
    .limit(limit)
    .all();
}

/** Updates only while the campaign is in `from` (when given); undefined when not found or not in that state. */
export async function updateCampaign(db: Db, businessId: string, id: string, set: Partial<NewCampaign>, from?: CampaignStatus): Promise<Campaign | undefined> {
  return db
    .update(campaigns)
    .set({ ...set, updatedAt: Date.now() })
    .where(and(eq(campaigns.businessId, businessId), eq(campaigns.id, id), from ? eq(campaigns.status, from) : undefined))
    .returning()
    .get();
}

export async function deleteCampaign(db: Db, businessId: string, id: string): Promise<boolean> {
  const r = await db
    .delete(campaigns)
    .where(and(eq(campaigns.businessId, businessId), eq(campaigns.id, id)))
    .returning({ id: campaigns.id })
    .all();
  return r.length > 0;
}

/** Campaigns of the given ids (the engine's page names a handful). */
export async function campaignsByIds(db: Db, businessId: string, ids: string[]): Promise<Campaign[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.businessId, businessId), sql`${campaigns.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`))
    .all();
}
