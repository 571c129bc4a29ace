// Shared setup of the campaign tests: the broadcast tests' tenant (sandbox device, labels, contacts with every
// reason not to send), a campaign builder, ways to drive the business's CampaignEngine alarm directly and to move
// an enrollment's clock.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { campaignEngine } from "../../worker/durable/stubs";
import type { CampaignEngine } from "../../worker/durable/campaign-engine";
import { call, eventually, type Tenant } from "./helpers";
import type { Setup } from "./broadcast-fixtures";

export const ALL_DAY = { window_start: "00:00", window_end: "00:00" };

export const THANKS = { type: "send", message: { texts: ["{Halo|Hai} {name}, terima kasih sudah belanja!"], variable_defaults: { name: "Kak" } } };
export const PROMO = { type: "send", message: { texts: ["{name}, ada {promo|diskon} khusus untuk Anda"], variable_defaults: { name: "Kak" } } };
export const WAIT_3_DAYS = { type: "wait", days: 3 };

export async function createCampaign(t: Setup, extra: Record<string, unknown> = {}, activate = true) {
  const r = await call("/api/v1/campaigns", {
    cookie: t.cookie,
    json: { name: "Upsell", device_key: t.deviceKey, trigger: { type: "manual" }, steps: [THANKS, WAIT_3_DAYS, PROMO], window: ALL_DAY, ...extra },
  });
  expect(r.status, r.text).toBe(201);
  if (activate) expect((await call(`/api/v1/campaigns/${r.body.id}/activate`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
  return r.body;
}

export async function enrol(t: Tenant, campaignId: string, contactIds: string[], eventId?: string) {
  const r = await call(`/api/v1/campaigns/${campaignId}/enrollments`, { cookie: t.cookie, json: { contact_ids: contactIds, ...(eventId ? { event_id: eventId } : {}) } });
  expect(r.status, r.text).toBe(200);
  return r.body as { enrolled: number; skipped: number };
}

export type EnrollmentRow = { id: string; contact_id: string; status: string; exit_reason: string | null; step: number; next_at: number; replied_at: number | null; trigger_event: string };

export async function enrollments(campaignId: string): Promise<EnrollmentRow[]> {
  return (await env.DB.prepare("SELECT * FROM campaign_enrollments WHERE campaign_id = ? ORDER BY created_at, id").bind(campaignId).all<EnrollmentRow>()).results;
}

export type SentRow = { id: string; to_jid: string; text: string; status: string; idempotency_key: string; provider_message_id: string | null; lane: string };

/** The campaign's message rows (its keys start with `campaign:<id>:`). */
export async function campaignMessages(businessId: string, campaignId: string): Promise<SentRow[]> {
  return (
    await env.DB.prepare("SELECT id, to_jid, text, status, idempotency_key, provider_message_id, lane FROM messages WHERE business_id = ? AND idempotency_key LIKE ? ORDER BY created_at, idempotency_key")
      .bind(businessId, `campaign:${campaignId}:%`)
      .all<SentRow>()
  ).results;
}

/**
 * One turn of the engine now, whatever its alarm said: the alarm handler run inside the object (setting an alarm
 * for "now" and running it would race the runtime, which runs such an alarm by itself).
 */
export async function turn(businessId: string) {
  await runInDurableObject(campaignEngine(env, businessId), (o: CampaignEngine) => o.alarm());
}

/** Runs the engine's alarm as it is set (no moving of time). */
export async function runAlarm(businessId: string) {
  return runDurableObjectAlarm(campaignEngine(env, businessId));
}

/** Moves the clock of a campaign's running enrollments: everything they wait for is over. */
export async function timePasses(campaignId: string) {
  await env.DB.prepare("UPDATE campaign_enrollments SET next_at = ? WHERE campaign_id = ? AND status = 'active'").bind(Date.now() - 1, campaignId).run();
}

/** Waits until the campaign has `n` messages the sandbox reported sent (or further). */
export async function sentCount(businessId: string, campaignId: string, n: number) {
  return eventually(async () => {
    const rows = await campaignMessages(businessId, campaignId);
    return rows.length === n && rows.every((r) => r.status !== "queued") && rows;
  }, 8000, `${n} campaign messages sent`);
}

const PEOPLE = ["budi", "sari", "andi", "dewi", "eko", "fitri", "gita", "hadi", "ina"] as const;

/** The setup's contact ids by name, typed (Gita opted out, Hadi not on WhatsApp, Ina without a number). */
export function idsOf(t: Setup): Record<(typeof PEOPLE)[number], string> {
  const out = {} as Record<(typeof PEOPLE)[number], string>;
  for (const name of PEOPLE) {
    const id = t.ids[name];
    if (!id) throw new Error(`setup has no ${name}`);
    out[name] = id;
  }
  return out;
}
