// One turn of a business's campaign engine: the due enrollments of its active campaigns, each planned
// (./plan.ts), the sends within each number's budget (./budget.ts) and the package limit, then ONE D1 batch that
// moves every enrollment and inserts its message. The message insert is keyed `campaign:<campaign>:<enrollment>:<step>`
// and guarded by the move, so a turn replayed after a crash (or a lost checkpoint) writes no second message.
import { type BroadcastPacing, DEFAULT_PACING, type PacerState } from "../broadcasts/pacer";
import { assertWithinLimit } from "../billing/limits";
import type { Business } from "../db/businesses";
import { type Campaign, campaignsByIds } from "../db/campaigns";
import { type DueRow, dueEnrollments, moveStatement } from "../db/campaign-enrollments";
import type { Db } from "../db/client";
import type { CreatedMessage } from "../db/messages";
import { ApiError } from "../http/errors";
import { toJid } from "../lib/phone";
import { type Budget, deviceBudget } from "./budget";
import { type CampaignFacts, type ContactFacts, type EnrollmentFacts, type Planned, planEnrollment } from "./plan";
import { CampaignSteps, CampaignWindow } from "./steps";

/** Enrollments handled per turn (one D1 batch); a full page asks for the next turn at once. */
export const TURN_PAGE = 50;
/** A package over its broadcast recipients this month: campaign sends wait this long before asking again. */
const LIMIT_RETRY_MS = 3_600_000;

/** The message key of one enrollment's send step: its idempotency key, and the outbox's withdraw prefix. */
export const campaignMessageKey = (campaignId: string, enrollmentId: string, step: number) => `campaign:${campaignId}:${enrollmentId}:${step}`;

export type TurnOutcome = { jobs: CreatedMessage[]; pacers: Map<string, { state: PacerState; pacing: BroadcastPacing }>; full: boolean };

function contactOf(r: DueRow): ContactFacts | null {
  if (r.opted_out === null) return null;
  const fields = r.custom_fields ? (JSON.parse(r.custom_fields) as Record<string, string | number>) : {};
  const labels = r.label_ids ? (JSON.parse(r.label_ids) as string[]) : [];
  return {
    name: r.name,
    phone: r.is_group === 1 ? null : r.phone,
    optedOut: r.opted_out === 1,
    onWhatsapp: r.on_whatsapp ?? "unknown",
    customFields: fields,
    labelIds: new Set(labels),
  };
}

function factsOf(k: Campaign, timeZone: string): CampaignFacts & { pacing: BroadcastPacing; deviceKey: string } {
  const window = CampaignWindow.parse(k.window);
  return { id: k.id, steps: CampaignSteps.parse(k.steps), window, exitOnReply: k.exitOnReply, timeZone, pacing: window.pacing ?? DEFAULT_PACING, deviceKey: k.deviceKey };
}

const campaignInsertSql = `INSERT INTO messages (id, business_id, device_key, idempotency_key, to_jid, text, content, source, lane)
  SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?10, 'campaign', 'broadcast'
  WHERE EXISTS (SELECT 1 FROM campaign_enrollments WHERE id = ?7 AND step = ?8 AND updated_at = ?9)
  ON CONFLICT (business_id, idempotency_key) DO NOTHING RETURNING id, business_id AS businessId, device_key AS deviceKey`;

export async function runTurn(env: Env, db: Db, business: Business, storedPacer: (deviceKey: string) => PacerState | null, now: number): Promise<TurnOutcome> {
  const due = await dueEnrollments(env.DB, business.id, now, TURN_PAGE);
  const out: TurnOutcome = { jobs: [], pacers: new Map(), full: due.length === TURN_PAGE };
  if (due.length === 0) return out;
  const campaigns = new Map((await campaignsByIds(db, business.id, [...new Set(due.map((d) => d.campaign_id))])).map((k) => [k.id, factsOf(k, business.timezone)]));
  const budgets = new Map<string, Budget & { pacing: BroadcastPacing }>();
  const lastText = new Map<string, string>();
  const planned: { row: DueRow; plan: Planned; deviceKey: string }[] = [];
  for (const row of due) {
    const k = campaigns.get(row.campaign_id);
    if (!k) continue;
    const e: EnrollmentFacts = { id: row.id, step: row.step, repliedAt: row.replied_at, contactId: row.contact_id, contact: contactOf(row) };
    let plan = planEnrollment(k, e, now, lastText.get(k.deviceKey) ?? null);
    if (plan.send) {
      let budget = budgets.get(k.deviceKey);
      if (!budget) {
        budget = { ...(await deviceBudget(env, db, business.id, k.deviceKey, storedPacer(k.deviceKey), k.pacing, TURN_PAGE, now)), pacing: k.pacing };
        budgets.set(k.deviceKey, budget);
      }
      if (budget.allowed > 0) {
        budget.allowed -= 1;
        lastText.set(k.deviceKey, plan.send.text);
      } else {
        // The number cannot take it now: the enrollment stays at its step and asks again when the number may
        // (or in the next turn, when this turn used up what the number took).
        plan = { send: null, state: { kind: "active", step: row.step, nextAt: budget.retryAt ?? now } };
      }
    }
    planned.push({ row, plan, deviceKey: k.deviceKey });
  }
  const sends = planned.filter((p) => p.plan.send).length;
  if (sends > 0) {
    try {
      await assertWithinLimit(db, business, "broadcast_recipients_per_month", sends, now);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 403) throw e;
      for (const p of planned) if (p.plan.send) p.plan = { send: null, state: { kind: "active", step: p.row.step, nextAt: now + LIMIT_RETRY_MS } };
    }
  }
  const stmts: D1PreparedStatement[] = [];
  const inserts: number[] = [];
  for (const { row, plan, deviceKey } of planned) {
    const s = plan.state;
    const to = { status: s.kind, step: s.step, nextAt: s.kind === "active" ? s.nextAt : now, exitReason: s.kind === "exited" ? s.reason : null };
    stmts.push(moveStatement(env.DB, row.id, row.step, to, now));
    const send = plan.send;
    const phone = row.phone;
    if (!send || !phone) continue;
    inserts.push(stmts.length);
    stmts.push(
      env.DB.prepare(campaignInsertSql).bind(crypto.randomUUID(), business.id, deviceKey, campaignMessageKey(row.campaign_id, row.id, send.step), toJid(phone), send.text, row.id, to.step, now, send.content ? JSON.stringify(send.content) : null),
    );
  }
  if (stmts.length === 0) return out;
  const results = await env.DB.batch<CreatedMessage>(stmts);
  out.jobs = inserts.flatMap((i) => results[i]?.results ?? []);
  for (const [deviceKey, b] of budgets) if (b.pacer) out.pacers.set(deviceKey, { state: b.pacer, pacing: b.pacing });
  return out;
}
