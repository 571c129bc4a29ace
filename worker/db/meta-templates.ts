// Meta message templates synced per business and cloud_api device. A sync replaces the device's whole set in one
// D1 batch (upserts, then the ones Meta no longer lists are deleted), so a reader never sees half a sync.
import { and, asc, eq } from "drizzle-orm";
import type { MetaTemplateRow } from "../messaging/providers/cloud-api-templates";
import type { Db } from "./client";
import { metaTemplates } from "./schema";

export type MetaTemplate = typeof metaTemplates.$inferSelect;

/** Templates per upsert statement: one bound JSON array each. */
const CHUNK = 200;

export async function replaceMetaTemplates(d1: D1Database, businessId: string, deviceKey: string, rows: MetaTemplateRow[], now: number): Promise<void> {
  const stmts: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK).map((r) => ({ id: r.id ?? null, name: r.name, language: r.language, status: r.status, category: r.category ?? null, components: r.components }));
    stmts.push(
      d1
        .prepare(
          `INSERT INTO meta_templates (business_id, device_key, name, language, meta_id, status, category, components, synced_at)
           SELECT ?1, ?2, j.value ->> 'name', j.value ->> 'language', j.value ->> 'id', j.value ->> 'status', j.value ->> 'category', j.value -> 'components', ?3
           FROM json_each(?4) j WHERE true
           ON CONFLICT (business_id, device_key, name, language) DO UPDATE SET meta_id = excluded.meta_id, status = excluded.status,
             category = excluded.category, components = excluded.components, synced_at = excluded.synced_at`,
        )
        .bind(businessId, deviceKey, now, JSON.stringify(chunk)),
    );
  }
  stmts.push(d1.prepare("DELETE FROM meta_templates WHERE business_id = ?1 AND device_key = ?2 AND synced_at < ?3").bind(businessId, deviceKey, now));
  await d1.batch(stmts);
}

export async function listMetaTemplates(db: Db, businessId: string, deviceKey: string, status?: string): Promise<MetaTemplate[]> {
  const conds = [eq(metaTemplates.businessId, businessId), eq(metaTemplates.deviceKey, deviceKey)];
  if (status) conds.push(eq(metaTemplates.status, status));
  return db
    .select()
    .from(metaTemplates)
    .where(and(...conds))
    .orderBy(asc(metaTemplates.name), asc(metaTemplates.language))
    .all();
}

export async function getMetaTemplate(db: Db, businessId: string, deviceKey: string, name: string, language: string): Promise<MetaTemplate | undefined> {
  return db
    .select()
    .from(metaTemplates)
    .where(and(eq(metaTemplates.businessId, businessId), eq(metaTemplates.deviceKey, deviceKey), eq(metaTemplates.name, name), eq(metaTemplates.language, language)))
    .get();
}
