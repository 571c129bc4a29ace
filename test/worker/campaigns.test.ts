// Upselling campaigns in workerd (real D1, the CampaignEngine DO with its alarm driven directly, the sandbox
// provider): CRUD and validation, tenancy, labels; manual enrolment once per event; the engine's first send, the
// wait (by the alarm and by moving the stored time), a replayed turn without a second message.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { setup } from "./broadcast-fixtures";
import { ALL_DAY, campaignMessages, createCampaign, enrol, enrollments, idsOf, PROMO, runAlarm, sentCount, THANKS, timePasses, turn, WAIT_3_DAYS } from "./campaign-fixtures";
import { call, signup } from "./helpers";

describe("campaigns: API", () => {
  it("creates, lists by label, reads, updates and deletes; refuses bad input; hides other tenants' campaigns", async () => {
    const t = await setup();
    const p = idsOf(t);
    const k = await createCampaign(t, { label_ids: [t.vip] }, false);
    expect(k).toMatchObject({ status: "inactive", trigger: { type: "manual" }, exit_on_reply: true, label_ids: [t.vip] });
    expect(k.steps).toHaveLength(3);
    const other = await createCampaign(t, { name: "Lain", trigger: { type: "label_added", label_id: t.pelanggan } }, false);
    expect(other.trigger).toEqual({ type: "label_added", label_id: t.pelanggan });

    const byLabel = await call(`/api/v1/campaigns?label_id=${t.vip}`, { cookie: t.cookie });
    expect(byLabel.body.items.map((x: { id: string }) => x.id)).toEqual([k.id]);
    expect((await call("/api/v1/campaigns", { cookie: t.cookie })).body.items).toHaveLength(2);

    const got = await call(`/api/v1/campaigns/${k.id}`, { cookie: t.cookie });
    expect(got.status, got.text).toBe(200);
    expect(got.body.funnel).toEqual({ enrolled: 0, active: 0, completed: 0, replied: 0, left: 0, exit_reasons: {}, steps: [0, 0, 0] });

    const renamed = await call(`/api/v1/campaigns/${k.id}`, { cookie: t.cookie, method: "PATCH", json: { name: "Upsell 2", exit_on_reply: false, steps: [PROMO] } });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ name: "Upsell 2", exit_on_reply: false, steps: [PROMO] });
    // Active: the name may change, what runs may not.
    expect((await call(`/api/v1/campaigns/${k.id}/activate`, { cookie: t.cookie, method: "POST" })).body.status).toBe("active");
    const locked = await call(`/api/v1/campaigns/${k.id}`, { cookie: t.cookie, method: "PATCH", json: { steps: [THANKS] } });
    expect(locked.status).toBe(409);
    expect(locked.body.error_code).toBe("CAMPAIGN_ACTIVE");
    expect((await call(`/api/v1/campaigns/${k.id}`, { cookie: t.cookie, method: "PATCH", json: { name: "Upsell 3" } })).status).toBe(200);
    expect((await call(`/api/v1/campaigns/${k.id}/deactivate`, { cookie: t.cookie, method: "POST" })).body.status).toBe("inactive");

    const base = { name: "x", device_key: t.deviceKey, trigger: { type: "manual" }, window: ALL_DAY };
    const cases: [unknown, string][] = [
      [{ ...base, steps: [WAIT_3_DAYS] }, "VALIDATION_ERROR"],
      [{ ...base, steps: [] }, "VALIDATION_ERROR"],
      [{ ...base, steps: [{ type: "wait" }, THANKS] }, "VALIDATION_ERROR"],
      [{ ...base, steps: [{ type: "send", message: { texts: ["Halo {alamat}"] } }] }, "UNKNOWN_VARIABLE"],
      [{ ...base, steps: [{ type: "send", message: { texts: ["{Halo|Hai"] } }] }, "BAD_SPINTAX"],
      [{ ...base, steps: [THANKS], trigger: { type: "label_added", label_id: crypto.randomUUID() } }, "UNKNOWN_LABEL"],
      [{ ...base, steps: [THANKS], trigger: { type: "webhook_rule", rule_id: crypto.randomUUID() } }, "UNKNOWN_RULE"],
      [{ ...base, steps: [{ type: "condition", check: { kind: "has_label", label_id: crypto.randomUUID() } }, THANKS] }, "UNKNOWN_LABEL"],
      [{ ...base, steps: [{ type: "condition", check: { kind: "bogus" } }, THANKS] }, "VALIDATION_ERROR"],
      [{ ...base, steps: [THANKS], device_key: "nope" }, "UNKNOWN_DEVICE"],
      [{ ...base, steps: [THANKS], window: { window_start: "25:00" } }, "VALIDATION_ERROR"],
      [{ ...base, steps: [THANKS], trigger: { type: "sometimes" } }, "VALIDATION_ERROR"],
    ];
    for (const [json, code] of cases) {
      const r = await call("/api/v1/campaigns", { cookie: t.cookie, json });
      expect(r.status, `${JSON.stringify(json)} → ${r.text}`).toBe(400);
      expect(r.body.error_code).toBe(code);
    }
    expect((await call("/api/v1/campaigns?label_id=nope", { cookie: t.cookie })).status).toBe(400);
    expect((await call(`/api/v1/campaigns/${k.id}/enrollments`, { cookie: t.cookie, json: { contact_ids: [] } })).status).toBe(400);

    const stranger = await signup("Toko Lain");
    const paths: [string, string, unknown?][] = [
      [`/api/v1/campaigns/${k.id}`, "GET"],
      [`/api/v1/campaigns/${k.id}`, "PATCH", { name: "x" }],
      [`/api/v1/campaigns/${k.id}`, "DELETE"],
      [`/api/v1/campaigns/${k.id}/activate`, "POST"],
      [`/api/v1/campaigns/${k.id}/deactivate`, "POST"],
      [`/api/v1/campaigns/${k.id}/enrollments`, "GET"],
      [`/api/v1/campaigns/${k.id}/enrollments`, "POST", { contact_ids: [p.budi] }],
    ];
    for (const [path, method, json] of paths) expect((await call(path, { cookie: stranger.cookie, method, json })).status, `${method} ${path}`).toBe(404);
    expect((await call("/api/v1/campaigns", { cookie: stranger.cookie })).body.items).toHaveLength(0);
    // Another tenant's contacts cannot be enrolled into one's own campaign.
    const theirs = await createCampaign({ ...t, ...stranger, deviceKey: (await call("/api/v1/devices", { cookie: stranger.cookie, json: { name: "HP", provider: "sandbox" } })).body.device_key }, {}, true);
    expect(await enrol(stranger, theirs.id, [p.budi])).toEqual({ enrolled: 0, skipped: 1 });

    expect((await call(`/api/v1/campaigns/${k.id}`, { cookie: t.cookie, method: "DELETE" })).status).toBe(204);
    expect((await call(`/api/v1/campaigns/${k.id}`, { cookie: t.cookie })).status).toBe(404);
  });
});

describe("campaigns: manual enrolment and the engine", () => {
  it("enrols reachable contacts once per event, sends the first step, waits, then sends the next", async () => {
    const t = await setup();
    const p = idsOf(t);
    const k = await createCampaign(t);
    const all = [p.budi, p.sari, p.gita, p.hadi, p.ina];
    // Gita opted out, Hadi is not on WhatsApp, Ina has no number: none of them is enrolled.
    expect(await enrol(t, k.id, all, "order-1")).toEqual({ enrolled: 2, skipped: 3 });
    // The same event again: nobody twice.
    expect(await enrol(t, k.id, all, "order-1")).toEqual({ enrolled: 0, skipped: 5 });
    const first = await sentCount(t.businessId, k.id, 2);
    expect(first.map((m) => m.to_jid).sort()).toEqual(["62811111111@s.whatsapp.net", "62812222222@s.whatsapp.net"]);
    for (const m of first) {
      expect(m.text).toMatch(/^(Halo|Hai) (Budi|Sari), terima kasih sudah belanja!$/);
      expect(m).toMatchObject({ lane: "broadcast", provider_message_id: `sandbox-${m.id}` });
    }
    let rows = await enrollments(k.id);
    expect(rows.map((r) => [r.status, r.step])).toEqual([["active", 1], ["active", 1]]);
    const threeDays = 3 * 86_400_000;
    for (const r of rows) expect(r.next_at).toBeGreaterThan(Date.now() + threeDays - 60_000);

    // The alarm run before the wait is over sends nothing.
    await runAlarm(t.businessId);
    expect(await campaignMessages(t.businessId, k.id)).toHaveLength(2);
    // While running, a new event does not enrol them a second time.
    expect(await enrol(t, k.id, [p.budi], "order-2")).toEqual({ enrolled: 0, skipped: 1 });

    await timePasses(k.id);
    await turn(t.businessId);
    const second = await sentCount(t.businessId, k.id, 4);
    expect(second.slice(2).map((m) => m.text).every((x) => /khusus untuk Anda$/.test(x))).toBe(true);
    rows = await enrollments(k.id);
    expect(rows.map((r) => r.status)).toEqual(["completed", "completed"]);
    const funnel = (await call(`/api/v1/campaigns/${k.id}`, { cookie: t.cookie })).body.funnel;
    expect(funnel).toEqual({ enrolled: 2, active: 0, completed: 2, replied: 0, left: 0, exit_reasons: {}, steps: [2, 2, 2] });
    const list = await call(`/api/v1/campaigns/${k.id}/enrollments?status=completed&limit=1`, { cookie: t.cookie });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ status: "completed", trigger_event: "manual:order-1" });
    const next = await call(`/api/v1/campaigns/${k.id}/enrollments?status=completed&limit=1&cursor=${list.body.next_cursor}`, { cookie: t.cookie });
    expect(next.body.items).toHaveLength(1);
    expect(next.body.next_cursor).toBeNull();

    // Finished: a new event enrols again, the old event still does not.
    expect(await enrol(t, k.id, [p.budi], "order-1")).toEqual({ enrolled: 0, skipped: 1 });
    expect(await enrol(t, k.id, [p.budi], "order-3")).toEqual({ enrolled: 1, skipped: 0 });
  });

  it("a replayed turn (the checkpoint lost after the send) writes and sends no second message", async () => {
    const t = await setup();
    const p = idsOf(t);
    const k = await createCampaign(t);
    await enrol(t, k.id, [p.budi, p.sari]);
    const before = await sentCount(t.businessId, k.id, 2);
    // As if the enrollments' moves were lost: back at "just enrolled", due now; the engine runs again.
    await env.DB.prepare("UPDATE campaign_enrollments SET step = -1, next_at = 0 WHERE campaign_id = ?").bind(k.id).run();
    await turn(t.businessId);
    await turn(t.businessId);
    const after = await campaignMessages(t.businessId, k.id);
    expect(after).toEqual(before);
    expect(after.every((m) => m.provider_message_id === `sandbox-${m.id}` && m.status !== "queued")).toBe(true);
    const rows = await enrollments(k.id);
    expect(rows.map((r) => r.step)).toEqual([1, 1]);
  });

  it("an inactive campaign holds its enrollments until it is activated; sends wait for the window", async () => {
    const t = await setup();
    const p = idsOf(t);
    const k = await createCampaign(t, { window: { window_start: "03:00", window_end: "03:01", days: [1] } }, false);
    await enrol(t, k.id, [p.budi]);
    await turn(t.businessId);
    expect((await enrollments(k.id))[0]?.step).toBe(-1);
    expect((await call(`/api/v1/campaigns/${k.id}/activate`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    await turn(t.businessId);
    const [row] = await enrollments(k.id);
    // At the send step, waiting for Monday 03:00 in Jakarta (a minute a week: never now, bar a rare coincidence).
    expect(row).toMatchObject({ status: "active", step: 0 });
    expect(row?.next_at).toBeGreaterThan(Date.now());
    const opening = new Date((row?.next_at ?? 0) + 7 * 3_600_000);
    expect([opening.getUTCDay(), opening.getUTCHours(), opening.getUTCMinutes()]).toEqual([1, 3, 0]);
    expect(await campaignMessages(t.businessId, k.id)).toHaveLength(0);
  });
});
