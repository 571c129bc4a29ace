// Campaign checks and the edges between the triggers and the engine: what a campaign refers to must exist in the
// business (device, rule, labels, variables), enrolments wake the business's CampaignEngine.
import { checkedPlan } from "../broadcasts/resolve-message";
import type { Db } from "../db/client";
import { businessesOverdue, enrolManualSql, enrolWebhookSql, type EnrolEvent } from "../db/campaign-enrollments";
import { getDevice } from "../db/devices";
import { getLabel, rawStatement } from "../db/labels";
import { getRule } from "../db/webhook-rules";
import { campaignEngine } from "../durable/stubs";
import { ApiError } from "../http/errors";
import type { CampaignStep, CampaignTriggerInput } from "./steps";

const bad = (code: string, message: string) => new ApiError(400, code, message);

/**
 * Checks what a campaign refers to and answers its steps with each send step's message resolved (the saved
 * template's body, the media object, the Meta template's components — read through the business, checked against
 * the device: a cloud_api device sends only approved Meta templates), which is what gets stored.
 */
export async function validateCampaign(db: Db, businessId: string, c: { deviceKey: string; trigger: CampaignTriggerInput; steps: CampaignStep[] }): Promise<CampaignStep[]> {
  const device = await getDevice(db, businessId, c.deviceKey);
  if (!device) throw bad("UNKNOWN_DEVICE", "No such device in this business");
  if (c.trigger.type === "webhook_rule" && !(await getRule(db, businessId, c.trigger.rule_id))) throw bad("UNKNOWN_RULE", "No such webhook rule in this business");
  const labels = new Set<string>();
  if (c.trigger.type === "label_added") labels.add(c.trigger.label_id);
  const steps: CampaignStep[] = [];
  for (const [i, s] of c.steps.entries()) {
    if (s.type === "condition" && (s.check.kind === "has_label" || s.check.kind === "lacks_label")) labels.add(s.check.label_id);
    steps.push(s.type === "send" ? { ...s, message: (await checkedPlan(db, businessId, `step ${i + 1}`, device, s.message)).resolved } : s);
  }
  for (const id of labels) if (!(await getLabel(db, businessId, id))) throw bad("UNKNOWN_LABEL", `No such label: ${id}`);
  return steps;
}

/** Runs a turn of the business's campaigns now (a trigger enrolled someone, a campaign was activated). */
export async function wakeCampaigns(env: Env, businessId: string): Promise<void> {
  await campaignEngine(env, businessId).wake(businessId);
}

/** Manual enrolment; answers how many contacts were enrolled (the others are unknown, unreachable or running). */
export async function enrolManually(env: Env, db: Db, e: EnrolEvent, campaignId: string): Promise<number> {
  const r = await rawStatement(db, enrolManualSql(e, campaignId)).run();
  if (r.meta.changes > 0) await wakeCampaigns(env, e.businessId);
  return r.meta.changes;
}

/**
 * A webhook event's customer was recorded (the `webhook_customer` effect): enrol them into the active campaigns
 * triggered by the rules the event matched. The event is the webhook log id, so a re-run of the effect (the
 * sweep after a crash) enrols nobody twice.
 */
export async function enrolFromWebhook(env: Env, db: Db, businessId: string, logId: string, ruleIds: string[], contactIds: string[]): Promise<number> {
  if (ruleIds.length === 0 || contactIds.length === 0) return 0;
  const r = await rawStatement(db, enrolWebhookSql({ businessId, contactIds, event: `webhook:${logId}`, now: Date.now() }, ruleIds)).run();
  if (r.meta.changes > 0) await wakeCampaigns(env, businessId);
  return r.meta.changes;
}

/** After labels were put on contacts: wake the engine when a label campaign enrolled someone. */
export async function afterRelabel(env: Env, businessId: string, r: { enrolled: number }): Promise<void> {
  if (r.enrolled > 0) await wakeCampaigns(env, businessId);
}

/**
 * Cron backstop: a business whose enrollments are overdue by a minute has an engine without an alarm (a wake lost
 * to a crash, a label added by an import, which does not wake it): set one. An engine that is waiting on purpose
 * (its pacer, a number that is down) keeps its alarm.
 */
export async function sweepCampaigns(env: Env, now: number): Promise<number> {
  const ids = await businessesOverdue(env.DB, now, 60_000, 100);
  for (const id of ids) await campaignEngine(env, id).wake(id, true);
  return ids.length;
}
