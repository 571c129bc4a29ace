// The campaign engine's edges in workerd and its pure planner: a paced number takes one campaign message per
// turn with the pacer's gap before the next (the broadcast lane's pacing), the cron sweep gives an idle engine an
// alarm when enrollments are overdue, and the planner's branches (window, one send per turn, skip at the end).
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sweepCampaigns } from "../../worker/campaigns/service";
import { planEnrollment, type CampaignFacts, type EnrollmentFacts } from "../../worker/campaigns/plan";
import { CampaignSteps, DEFAULT_WINDOW } from "../../worker/campaigns/steps";
import { campaignEngine } from "../../worker/durable/stubs";
import { setup } from "./broadcast-fixtures";
import { campaignMessages, createCampaign, enrol, enrollments, idsOf, sentCount, THANKS, turn } from "./campaign-fixtures";
import { call } from "./helpers";

describe("campaign engine", () => {
  it("a paced number takes one campaign message per turn, the next after the pacer's gap", async () => {
    const t = await setup();
    const p = idsOf(t);
    const d = await call(`/api/v1/devices/${t.deviceKey}`, { cookie: t.cookie, method: "PATCH", json: { settings: { pacing_enabled: true, window_start: "00:00", window_end: "00:00" } } });
    expect(d.status, d.text).toBe(200);
    const k = await createCampaign(t, { steps: [THANKS] });
    await enrol(t, k.id, [p.budi, p.sari, p.andi]);
    await sentCount(t.businessId, k.id, 1);
    await turn(t.businessId);
    await turn(t.businessId);
    expect(await campaignMessages(t.businessId, k.id)).toHaveLength(1);
    const waiting = (await enrollments(k.id)).filter((r) => r.status === "active");
    expect(waiting).toHaveLength(2);
    // The broadcast pacer's gap: 10–40 s by default.
    for (const r of waiting) {
      expect(r.next_at).toBeGreaterThan(Date.now() + 5_000);
      expect(r.next_at).toBeLessThan(Date.now() + 41_000);
    }
    const alarm = await runInDurableObject(campaignEngine(env, t.businessId), (_o, s) => s.storage.getAlarm());
    expect(alarm).toBe(Math.min(...waiting.map((r) => r.next_at)));
  });

  it("the cron sweep gives an engine without an alarm one when enrollments are overdue, and leaves a waiting one alone", async () => {
    const t = await setup();
    const p = idsOf(t);
    const k = await createCampaign(t);
    await enrol(t, k.id, [p.budi]);
    await sentCount(t.businessId, k.id, 1);
    const stub = campaignEngine(env, t.businessId);
    // Waiting three days: the sweep keeps the alarm it has.
    const before = await runInDurableObject(stub, (_o, s) => s.storage.getAlarm());
    expect(before).toBeGreaterThan(Date.now() + 86_400_000);
    await sweepCampaigns(env, Date.now());
    expect(await runInDurableObject(stub, (_o, s) => s.storage.getAlarm())).toBe(before);
    // The alarm lost and the wait over for a while: the sweep sets one, and the turn sends.
    await runInDurableObject(stub, (_o, s) => s.storage.deleteAlarm());
    await env.DB.prepare("UPDATE campaign_enrollments SET next_at = ? WHERE campaign_id = ?").bind(Date.now() - 120_000, k.id).run();
    expect(await sweepCampaigns(env, Date.now())).toBeGreaterThanOrEqual(1);
    await sentCount(t.businessId, k.id, 2);
  });
});

describe("campaign planner", () => {
  const contact = { name: "Budi", phone: "62811111111", optedOut: false, onWhatsapp: "yes" as const, customFields: {}, labelIds: new Set<string>() };
  const facts = (steps: unknown[], window = { ...DEFAULT_WINDOW, window_start: "00:00", window_end: "00:00" }): CampaignFacts => ({
    id: "k1",
    steps: CampaignSteps.parse(steps),
    window,
    exitOnReply: true,
    timeZone: "Asia/Jakarta",
  });
  const enrolment = (step: number, extra: Partial<EnrollmentFacts> = {}): EnrollmentFacts => ({ id: "e1", step, repliedAt: null, contactId: "c1", contact, ...extra });
  const send = (text: string) => ({ type: "send", message: { texts: [text] } });
  const now = Date.UTC(2026, 11, 4, 5, 0); // Friday 12:00 in Jakarta

  it("sends once per turn, starts waits, skips past the end, exits on reply and opt-out", () => {
    const k = facts([send("a"), send("b"), { type: "wait", hours: 2 }, { type: "condition", check: { kind: "no_reply" }, otherwise: "skip_next" }, send("c")]);
    expect(planEnrollment(k, enrolment(-1), now)).toEqual({ send: { step: 0, text: "a", content: null }, state: { kind: "active", step: 1, nextAt: now } });
    expect(planEnrollment(k, enrolment(1), now)).toEqual({ send: { step: 1, text: "b", content: null }, state: { kind: "active", step: 2, nextAt: now + 7_200_000 } });
    expect(planEnrollment(k, enrolment(2), now)).toEqual({ send: { step: 4, text: "c", content: null }, state: { kind: "completed", step: 5 } });
    const noExit = { ...k, exitOnReply: false };
    expect(planEnrollment(noExit, enrolment(2, { repliedAt: now - 1 }), now)).toEqual({ send: null, state: { kind: "completed", step: 5 } });
    expect(planEnrollment(k, enrolment(2, { repliedAt: now - 1 }), now).state).toEqual({ kind: "exited", step: 2, reason: "replied" });
    expect(planEnrollment(k, enrolment(2, { contact: { ...contact, optedOut: true } }), now).state).toMatchObject({ kind: "exited", reason: "opted_out" });
    expect(planEnrollment(k, enrolment(-1, { contact: { ...contact, onWhatsapp: "no" } }), now).state).toMatchObject({ kind: "exited", reason: "not_on_whatsapp" });
    expect(planEnrollment(k, enrolment(-1, { contact: null }), now).state).toMatchObject({ kind: "exited", reason: "contact_gone" });
  });

  it("outside the window the send waits for the opening; the text is the same on every render", () => {
    const k = facts([send("{Halo|Hai|Pagi} {name}")], { ...DEFAULT_WINDOW, window_start: "13:00", window_end: "14:00" });
    const p = planEnrollment(k, enrolment(-1), now);
    expect(p).toEqual({ send: null, state: { kind: "active", step: 0, nextAt: now + 3_600_000 } });
    const open = planEnrollment(k, enrolment(0), now + 3_600_000);
    expect(open.send?.text).toMatch(/^(Halo|Hai|Pagi) Budi$/);
    expect(planEnrollment(k, enrolment(0), now + 3_700_000).send).toEqual(open.send);
  });
});
