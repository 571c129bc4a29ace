// Who a broadcast goes to: contacts by labels (all of / any of, minus exclusions), chosen contacts and/or the rows
// of uploaded CSV files (CRM imports, whose custom columns are custom fields, so variables), as one
// SQL filter so 100k recipients are materialised by a single INSERT … SELECT rather than rows through the Worker.
// Deduplicated by normalised phone (contacts.phone is already normalised; a contact known only by its WhatsApp
// JID counts by the JID's digits); each recipient that will not be sent gets a skip reason.
import { z } from "zod";

export const Audience = z
  .strictObject({
    labels_all: z.array(z.uuid()).max(20).default([]),
    labels_any: z.array(z.uuid()).max(20).default([]),
    exclude_labels: z.array(z.uuid()).max(20).default([]),
    contact_ids: z.array(z.uuid()).max(10_000).default([]),
    /** Finished CSV imports (POST /contacts/import): every contact a row of the file created or merged. */
    import_ids: z.array(z.uuid()).max(5).default([]),
  })
  .refine((a) => a.labels_all.length + a.labels_any.length + a.contact_ids.length + a.import_ids.length > 0, "choose at least one label, contact or CSV import");
export type Audience = z.infer<typeof Audience>;

export const labelIdsOf = (a: Audience) => [...new Set([...a.labels_all, ...a.labels_any, ...a.exclude_labels])];

type Sql = { sql: string; params: unknown[] };

const PHONE = "COALESCE(c.phone, CASE WHEN c.wa_jid LIKE '%@s.whatsapp.net' THEN substr(c.wa_jid, 1, instr(c.wa_jid, '@') - 1) END)";
const hasLabel = (list: string) => `EXISTS (SELECT 1 FROM contact_labels cl WHERE cl.contact_id = c.id AND cl.label_id IN (SELECT value FROM json_each(${list})))`;

/** The audience's contacts with their phone, audience order and duplicate rank (params bound as JSON lists). */
function members(businessId: string, a: Audience): Sql {
  const byLabel: string[] = [];
  const params: unknown[] = [businessId];
  if (a.labels_all.length) {
    params.push(JSON.stringify(a.labels_all), a.labels_all.length);
    byLabel.push(`(SELECT count(*) FROM contact_labels cl WHERE cl.contact_id = c.id AND cl.label_id IN (SELECT value FROM json_each(?${params.length - 1}))) = ?${params.length}`);
  }
  if (a.labels_any.length) {
    params.push(JSON.stringify(a.labels_any));
    byLabel.push(hasLabel(`?${params.length}`));
  }
  const either: string[] = [];
  if (byLabel.length) either.push(`(${byLabel.join(" AND ")})`);
  if (a.contact_ids.length) {
    params.push(JSON.stringify(a.contact_ids));
    either.push(`c.id IN (SELECT value FROM json_each(?${params.length}))`);
  }
  if (a.import_ids.length) {
    // The import's business is checked when the broadcast is saved; c.business_id = ?1 scopes it again here.
    params.push(JSON.stringify(a.import_ids));
    either.push(`c.id IN (SELECT ic.contact_id FROM contact_import_contacts ic WHERE ic.import_id IN (SELECT value FROM json_each(?${params.length})))`);
  }
  let where = `c.business_id = ?1 AND c.archived = 0 AND (${either.join(" OR ")})`;
  if (a.exclude_labels.length) {
    params.push(JSON.stringify(a.exclude_labels));
    where += ` AND NOT ${hasLabel(`?${params.length}`)}`;
  }
  const sql = `SELECT c.id, c.created_at, c.is_group, c.opted_out, c.on_whatsapp, ${PHONE} AS rphone,
      row_number() OVER (PARTITION BY ${PHONE} ORDER BY c.created_at, c.id) AS dup
    FROM contacts c WHERE ${where}`;
  return { sql, params };
}

const REASON = `CASE WHEN m.rphone IS NULL OR m.is_group = 1 THEN 'invalid_phone' WHEN m.dup > 1 THEN 'duplicate'
  WHEN m.opted_out = 1 THEN 'opted_out' WHEN m.on_whatsapp = 'no' THEN 'not_on_whatsapp' END`;

/** Writes the recipients of a broadcast in audience order (seq from 1), skip reasons included. */
export function materialiseStatement(d1: D1Database, broadcastId: string, businessId: string, a: Audience): D1PreparedStatement {
  const m = members(businessId, a);
  const params = [...m.params, broadcastId];
  const sql = `INSERT INTO broadcast_recipients (broadcast_id, seq, contact_id, phone, status, skip_reason)
    SELECT ?${params.length}, row_number() OVER (ORDER BY m.created_at, m.id), m.id, m.rphone,
      CASE WHEN (${REASON}) IS NULL THEN 'pending' ELSE 'skipped' END, ${REASON}
    FROM (${m.sql}) m ORDER BY m.created_at, m.id`;
  return d1.prepare(sql).bind(...params);
}

export type SampleMember = { id: string; name: string | null; phone: string | null; custom_fields: string | null };

/** The first `n` contacts the broadcast would send to, in audience order (the preview renders their texts). */
export async function sampleMembers(d1: D1Database, businessId: string, a: Audience, n: number): Promise<SampleMember[]> {
  const m = members(businessId, a);
  const rows = await d1
    .prepare(`SELECT m.id, c.name, c.phone, c.custom_fields FROM (${m.sql}) m JOIN contacts c ON c.id = m.id WHERE (${REASON}) IS NULL ORDER BY m.created_at, m.id LIMIT ?${m.params.length + 1}`)
    .bind(...m.params, n)
    .all<SampleMember>();
  return rows.results;
}

export type AudienceCount = { total: number; sendable: number; skipped_reasons: Record<string, number> };

/** The audience's size before sending, with what would be skipped and why. */
export async function countAudience(d1: D1Database, businessId: string, a: Audience): Promise<AudienceCount> {
  const m = members(businessId, a);
  const rows = await d1
    .prepare(`SELECT ${REASON} AS reason, count(*) AS n FROM (${m.sql}) m GROUP BY 1`)
    .bind(...m.params)
    .all<{ reason: string | null; n: number }>();
  const out: AudienceCount = { total: 0, sendable: 0, skipped_reasons: {} };
  for (const r of rows.results) {
    out.total += r.n;
    if (r.reason === null) out.sendable += r.n;
    else out.skipped_reasons[r.reason] = r.n;
  }
  return out;
}
