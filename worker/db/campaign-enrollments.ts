// Campaign enrollments: written by the triggers (one INSERT … SELECT each, unique per campaign + contact + trigger
// event, so a replayed event enrols nobody twice), moved by the CampaignEngine, counted by the funnel.
// A contact is enrolled only when a message could reach them (not opted out, not known off WhatsApp, a number,
// not a group, not archived) and not while already running through the same campaign.
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { campaignEnrollments, campaigns, type EnrollmentStatus, type ExitReason } from "./schema";

/** A random RFC 4122 version-4 id made by SQLite (rows are created by INSERT … SELECT). */
const UUID_SQL = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
  substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

const REACHABLE = `c.archived = 0 AND c.opted_out = 0 AND c.is_group = 0 AND c.on_whatsapp != 'no'
  AND (c.phone IS NOT NULL OR c.wa_jid LIKE '%@s.whatsapp.net')`;
const NOT_RUNNING = `NOT EXISTS (SELECT 1 FROM campaign_enrollments x WHERE x.campaign_id = k.id AND x.contact_id = c.id AND x.status = 'active')`;

export type EnrolEvent = { businessId: string; contactIds: string[]; event: string; now: number };

/** Enrols the contacts into the business's campaigns that `campaignWhere` (on `k`) selects, for one trigger event. */
function enrolSql(e: EnrolEvent, campaignWhere: SQL): SQL {
  return sql`INSERT INTO campaign_enrollments (id, campaign_id, business_id, contact_id, trigger_event, status, step, next_at, created_at, updated_at)
    SELECT ${sql.raw(UUID_SQL)}, k.id, k.business_id, c.id, ${e.event}, 'active', -1, ${e.now}, ${e.now}, ${e.now}
    FROM campaigns k JOIN contacts c ON c.business_id = k.business_id
    WHERE k.business_id = ${e.businessId} AND c.id IN (SELECT value FROM json_each(${JSON.stringify(e.contactIds)}))
      AND ${campaignWhere} AND ${sql.raw(REACHABLE)} AND ${sql.raw(NOT_RUNNING)}
    ON CONFLICT (campaign_id, contact_id, trigger_event) DO NOTHING`;
}

/** Manual enrolment into one campaign (any status; the engine runs only active ones). */
export const enrolManualSql = (e: EnrolEvent, campaignId: string): SQL => enrolSql(e, sql`k.id = ${campaignId}`);

/** A webhook event matched these rules: every active campaign triggered by one of them. */
export const enrolWebhookSql = (e: EnrolEvent, ruleIds: string[]): SQL =>
  enrolSql(e, sql`k.status = 'active' AND k.trigger_type = 'webhook_rule' AND k.trigger_ref IN (SELECT value FROM json_each(${JSON.stringify(ruleIds)}))`);

/**
 * For the relabel batch, BEFORE the label's insert: the active campaigns triggered by this label, for the contacts
 * that do not carry it yet (a label that was already there is no event). Same transaction as the insert.
 */
export const enrolLabelSql = (e: EnrolEvent, labelId: string): SQL =>
  enrolSql(
    e,
    sql`k.status = 'active' AND k.trigger_type = 'label_added' AND k.trigger_ref = ${labelId}
      AND NOT EXISTS (SELECT 1 FROM contact_labels cl WHERE cl.contact_id = c.id AND cl.label_id = ${labelId})`,
  );

/**
 * For the inbound message's own batch: the contact replied. Sets `replied_at` on their running enrollments and
 * ends those whose campaign exits on reply. Written only if this batch created the message (a redelivery is not
 * a second reply).
 */
export function replyStatement(db: Db, businessId: string, contactId: string, messageId: string, now: number) {
  return db
    .update(campaignEnrollments)
    .set({
      repliedAt: sql`COALESCE(${campaignEnrollments.repliedAt}, ${now})`,
      status: sql`CASE WHEN (SELECT ${campaigns.exitOnReply} FROM ${campaigns} WHERE ${campaigns.id} = ${campaignEnrollments.campaignId}) = 1 THEN 'exited' ELSE ${campaignEnrollments.status} END`,
      exitReason: sql`CASE WHEN (SELECT ${campaigns.exitOnReply} FROM ${campaigns} WHERE ${campaigns.id} = ${campaignEnrollments.campaignId}) = 1 THEN 'replied' ELSE NULL END`,
      updatedAt: now,
    })
    .where(
      and(
        eq(campaignEnrollments.contactId, contactId),
        eq(campaignEnrollments.businessId, businessId),
        eq(campaignEnrollments.status, "active"),
        sql`EXISTS (SELECT 1 FROM messages WHERE id = ${messageId})`,
      ),
    );
}

/** Ends every running enrollment of the contacts (an opt-out always does, by keyword, API or bulk action). */
export async function exitContactEnrollments(db: Db, businessId: string, contactIds: string[], reason: ExitReason, now: number): Promise<number> {
  let n = 0;
  // D1 binds at most 100 parameters.
  for (let i = 0; i < contactIds.length; i += 90) {
    const r = await db
      .update(campaignEnrollments)
      .set({ status: "exited", exitReason: reason, updatedAt: now })
      .where(and(eq(campaignEnrollments.businessId, businessId), inArray(campaignEnrollments.contactId, contactIds.slice(i, i + 90)), eq(campaignEnrollments.status, "active")))
      .returning({ id: campaignEnrollments.id });
    n += r.length;
  }
  return n;
}

export type DueRow = {
  id: string;
  campaign_id: string;
  contact_id: string;
  step: number;
  replied_at: number | null;
  name: string | null;
  phone: string | null;
  opted_out: number | null;
  on_whatsapp: "unknown" | "yes" | "no" | null;
  is_group: number | null;
  custom_fields: string | null;
  label_ids: string | null;
};

/** The business's enrollments due now in active campaigns, oldest due first, with what the planner reads. */
export async function dueEnrollments(d1: D1Database, businessId: string, now: number, limit: number): Promise<DueRow[]> {
  const r = await d1
    .prepare(
      `SELECT e.id, e.campaign_id, e.contact_id, e.step, e.replied_at, c.name, c.opted_out, c.on_whatsapp, c.is_group, c.custom_fields,
         COALESCE(c.phone, CASE WHEN c.wa_jid LIKE '%@s.whatsapp.net' THEN substr(c.wa_jid, 1, instr(c.wa_jid, '@') - 1) END) AS phone,
         (SELECT json_group_array(cl.label_id) FROM contact_labels cl WHERE cl.contact_id = e.contact_id) AS label_ids
       FROM campaign_enrollments e JOIN campaigns k ON k.id = e.campaign_id AND k.status = 'active'
       LEFT JOIN contacts c ON c.id = e.contact_id
       WHERE e.business_id = ?1 AND e.status = 'active' AND e.next_at <= ?2 ORDER BY e.next_at LIMIT ?3`,
    )
    .bind(businessId, now, limit)
    .all<DueRow>();
  return r.results;
}

/** When the business's next enrollment in an active campaign is due; null when none runs. */
export async function nextDueAt(d1: D1Database, businessId: string): Promise<number | null> {
  const r = await d1
    .prepare(
      `SELECT min(e.next_at) AS at FROM campaign_enrollments e JOIN campaigns k ON k.id = e.campaign_id AND k.status = 'active'
       WHERE e.business_id = ? AND e.status = 'active'`,
    )
    .bind(businessId)
    .first<{ at: number | null }>();
  return r?.at ?? null;
}

/** The new position of an enrollment, guarded by the step it was read at (a concurrent exit is not undone). */
export function moveStatement(d1: D1Database, id: string, fromStep: number, to: { status: EnrollmentStatus; step: number; nextAt: number; exitReason: ExitReason | null }, now: number): D1PreparedStatement {
  return d1
    .prepare("UPDATE campaign_enrollments SET status = ?1, step = ?2, next_at = ?3, exit_reason = ?4, updated_at = ?5 WHERE id = ?6 AND status = 'active' AND step = ?7")
    .bind(to.status, to.step, to.nextAt, to.exitReason, now, id, fromStep);
}

/** Businesses with enrollments overdue by `graceMs` (their engine's alarm was lost or never set): the cron's backstop. */
export async function businessesOverdue(d1: D1Database, now: number, graceMs: number, limit: number): Promise<string[]> {
  const r = await d1
    .prepare(
      `SELECT DISTINCT e.business_id AS id FROM campaign_enrollments e JOIN campaigns k ON k.id = e.campaign_id AND k.status = 'active'
       WHERE e.status = 'active' AND e.next_at <= ? LIMIT ?`,
    )
    .bind(now - graceMs, limit)
    .all<{ id: string }>();
  return r.results.map((x) => x.id);
}

export type Funnel = { enrolled: number; active: number; completed: number; replied: number; left: number; exit_reasons: Record<string, number>; steps: number[] };

/** Enrolled, reached per step (an enrollment at step i, or past it, reached it), replied, left by reason. */
export async function campaignFunnel(d1: D1Database, campaignId: string, stepCount: number): Promise<Funnel> {
  const rows = await d1
    .prepare("SELECT status, exit_reason AS reason, step, replied_at IS NOT NULL AS replied, count(*) AS n FROM campaign_enrollments WHERE campaign_id = ? GROUP BY 1, 2, 3, 4")
    .bind(campaignId)
    .all<{ status: EnrollmentStatus; reason: string | null; step: number; replied: number; n: number }>();
  const f: Funnel = { enrolled: 0, active: 0, completed: 0, replied: 0, left: 0, exit_reasons: {}, steps: Array.from({ length: stepCount }, () => 0) };
  for (const r of rows.results) {
    f.enrolled += r.n;
    if (r.replied) f.replied += r.n;
    if (r.status === "active") f.active += r.n;
    else if (r.status === "completed") f.completed += r.n;
    else {
      f.left += r.n;
      f.exit_reasons[r.reason ?? "unknown"] = (f.exit_reasons[r.reason ?? "unknown"] ?? 0) + r.n;
    }
    for (let i = 0; i < stepCount && i <= r.step; i++) f.steps[i] = (f.steps[i] ?? 0) + r.n;
  }
  return f;
}

export type EnrollmentItem = {
  id: string;
  contact_id: string;
  name: string | null;
  phone: string | null;
  trigger_event: string;
  status: EnrollmentStatus;
  exit_reason: string | null;
  step: number;
  next_at: number;
  replied_at: number | null;
  created_at: number;
  updated_at: number;
};

/** A campaign's enrollments, newest first, paged by (created_at, id). */
export async function listEnrollments(d1: D1Database, campaignId: string, status: EnrollmentStatus | undefined, limit: number, cursor?: { t: number; id: string }): Promise<EnrollmentItem[]> {
  const r = await d1
    .prepare(
      `SELECT e.id, e.contact_id, c.name, c.phone, e.trigger_event, e.status, e.exit_reason, e.step, e.next_at, e.replied_at, e.created_at, e.updated_at
       FROM campaign_enrollments e LEFT JOIN contacts c ON c.id = e.contact_id
       WHERE e.campaign_id = ?1 AND (?2 IS NULL OR e.status = ?2) AND (?3 IS NULL OR e.created_at < ?3 OR (e.created_at = ?3 AND e.id < ?4))
       ORDER BY e.created_at DESC, e.id DESC LIMIT ?5`,
    )
    .bind(campaignId, status ?? null, cursor?.t ?? null, cursor?.id ?? "", limit)
    .all<EnrollmentItem>();
  return r.results;
}
