// Campaign triggers and exits in workerd: a Lynk `payment.received` rule match enrols the customer once per
// event (a redelivered event enrols nobody, a re-run effect neither); a label put on a contact enrols once (a
// label already there is no event); a reply exits when the campaign says so and marks "no reply since"; STOP
// always exits; conditions branch (exit or skip the next step); the package limit holds sends back.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runWebhookCustomers } from "../../worker/webhooks/customer-effects";
import { operator, setPackage } from "./billing-helpers";
import { setup } from "./broadcast-fixtures";
import { campaignMessages, createCampaign, enrol, enrollments, idsOf, PROMO, sentCount, THANKS, timePasses, turn, WAIT_3_DAYS } from "./campaign-fixtures";
import { call, eventually, type Tenant } from "./helpers";
import { createRule, LYNK_SAMPLE, postWebhook } from "./webhook-fixtures";

const LYNK_UA = { "user-agent": "Lynk-Webhook/1.0" };

async function inbound(t: Tenant & { deviceKey: string }, from: string, text: string) {
  const r = await call(`/api/v1/devices/${t.deviceKey}/sandbox/inbound`, { cookie: t.cookie, json: { from, text } });
  expect(r.status, r.text).toBe(201);
}

describe("campaign triggers", () => {
  it("a Lynk payment.received rule match enrols the customer once per event", async () => {
    const t = await setup();
    const rule = await createRule(t, {
      name: "Pembayaran Lynk",
      source: "lynk",
      conditions: { operator: "AND", rules: [{ field: "event", operator: "equals", value: "payment.received" }] },
      template: "Terima kasih {{data.message_data.customer.name}}",
      phone_field: "data.message_data.customer.phone",
    });
    const k = await createCampaign(t, { trigger: { type: "webhook_rule", rule_id: rule.id } });
    const res = await postWebhook(t.businessId, LYNK_SAMPLE, LYNK_UA);
    expect(res.body.rule_matched).toBe(true);
    const sent = await sentCount(t.businessId, k.id, 1);
    expect(sent[0]?.to_jid).toBe("62812345677889@s.whatsapp.net");
    expect(sent[0]?.text).toMatch(/^(Halo|Hai) Lynk User, terima kasih sudah belanja!$/);
    const [row] = await enrollments(k.id);
    const log = await env.DB.prepare("SELECT id FROM webhook_logs WHERE business_id = ?").bind(t.businessId).first<{ id: string }>();
    expect(row?.trigger_event).toBe(`webhook:${log?.id}`);

    // The same event redelivered: deduped before any effect, no second enrollment.
    await postWebhook(t.businessId, LYNK_SAMPLE, LYNK_UA);
    // The effect re-run by the sweep after the customer finished the sequence: still one enrollment.
    await env.DB.prepare("UPDATE campaign_enrollments SET status = 'completed' WHERE campaign_id = ?").bind(k.id).run();
    const logged = await env.DB.prepare("SELECT id, customer FROM webhook_logs WHERE business_id = ? AND customer IS NOT NULL").bind(t.businessId).first<{ id: string; customer: string }>();
    expect(logged).not.toBeNull();
    await runWebhookCustomers(env, [{ logId: String(logged?.id), businessId: t.businessId, customer: JSON.parse(String(logged?.customer)) }], Date.now());
    expect(await enrollments(k.id)).toHaveLength(1);
    // Another payment (a new event) enrols again.
    await postWebhook(t.businessId, { ...LYNK_SAMPLE, data: { ...LYNK_SAMPLE.data, message_data: { ...LYNK_SAMPLE.data.message_data, refId: "second-payment" } } }, LYNK_UA);
    await eventually(async () => (await enrollments(k.id)).length === 2, 8000, "second enrollment");
    // An inactive campaign is not triggered.
    await call(`/api/v1/campaigns/${k.id}/deactivate`, { cookie: t.cookie, method: "POST" });
    await env.DB.prepare("UPDATE campaign_enrollments SET status = 'completed' WHERE campaign_id = ?").bind(k.id).run();
    await postWebhook(t.businessId, { ...LYNK_SAMPLE, data: { ...LYNK_SAMPLE.data, message_data: { ...LYNK_SAMPLE.data.message_data, refId: "third-payment" } } }, LYNK_UA);
    expect(await enrollments(k.id)).toHaveLength(2);
  });

  it("a label put on a contact enrols once; a label already there is no event", async () => {
    const t = await setup();
    const p = idsOf(t);
    const k = await createCampaign(t, { trigger: { type: "label_added", label_id: t.blokir } });
    const add = (id: string) => call(`/api/v1/contacts/${id}/labels`, { cookie: t.cookie, json: { label_ids: [t.blokir] } });
    expect((await add(p.budi)).status).toBe(200);
    // Fitri already carries the label: adding it again starts nothing.
    expect((await add(p.fitri)).status).toBe(200);
    // By the bulk action too, for several contacts (Gita is opted out: not enrolled).
    const bulk = await call("/api/v1/contacts/bulk", { cookie: t.cookie, json: { ids: [p.sari, p.gita], add_label_ids: [t.blokir] } });
    expect(bulk.status, bulk.text).toBe(200);
    await sentCount(t.businessId, k.id, 2);
    const rows = await enrollments(k.id);
    expect(rows.map((r) => r.contact_id).sort()).toEqual([p.budi, p.sari].sort());
    expect(rows.every((r) => r.trigger_event.startsWith(`label:${t.blokir}:`))).toBe(true);
    expect((await add(p.budi)).status).toBe(200);
    expect(await enrollments(k.id)).toHaveLength(2);
  });
});

describe("campaign exits and conditions", () => {
  it("a reply exits a campaign that exits on reply; one that does not goes on, and 'no reply' sees it", async () => {
    const t = await setup();
    const p = idsOf(t);
    const exits = await createCampaign(t, { name: "Keluar" });
    const stays = await createCampaign(t, {
      name: "Lanjut",
      exit_on_reply: false,
      steps: [THANKS, WAIT_3_DAYS, { type: "condition", check: { kind: "no_reply" }, otherwise: "skip_next" }, PROMO, { type: "send", message: { texts: ["Sampai jumpa {name}"] } }],
    });
    await enrol(t, exits.id, [p.budi, p.sari]);
    await enrol(t, stays.id, [p.budi, p.sari]);
    await sentCount(t.businessId, exits.id, 2);
    await sentCount(t.businessId, stays.id, 2);
    await inbound(t, "0811111111", "Kak, ada ukuran XL?");
    await eventually(async () => (await enrollments(exits.id)).some((r) => r.status === "exited"), 8000, "exit on reply");
    const exited = await enrollments(exits.id);
    expect(exited.find((r) => r.contact_id === p.budi)).toMatchObject({ status: "exited", exit_reason: "replied" });
    expect(exited.find((r) => r.contact_id === p.sari)).toMatchObject({ status: "active" });
    const going = await enrollments(stays.id);
    expect(going.find((r) => r.contact_id === p.budi)).toMatchObject({ status: "active" });
    expect(going.find((r) => r.contact_id === p.budi)?.replied_at).not.toBeNull();

    await timePasses(exits.id);
    await timePasses(stays.id);
    await turn(t.businessId);
    await turn(t.businessId);
    // Exits: only Sari gets the promo. Stays: Budi replied, so the condition skips the promo; both get the goodbye.
    const e = await sentCount(t.businessId, exits.id, 3);
    expect(e.filter((m) => m.to_jid.startsWith("62811111111"))).toHaveLength(1);
    const s = await sentCount(t.businessId, stays.id, 5);
    const budi = s.filter((m) => m.to_jid.startsWith("62811111111")).map((m) => m.text);
    expect(budi).toHaveLength(2);
    expect(budi[1]).toBe("Sampai jumpa Budi");
    const sari = s.filter((m) => m.to_jid.startsWith("62812222222")).map((m) => m.text);
    expect(sari).toHaveLength(3);
    expect(sari[1]).toMatch(/^Sari, ada (promo|diskon) khusus untuk Anda$/);
    const funnel = (await call(`/api/v1/campaigns/${exits.id}`, { cookie: t.cookie })).body.funnel;
    expect(funnel).toMatchObject({ enrolled: 2, completed: 1, replied: 1, left: 1, exit_reasons: { replied: 1 }, steps: [2, 2, 1] });
  });

  it("STOP exits every sequence at once and nothing more is sent", async () => {
    const t = await setup();
    const p = idsOf(t);
    const k = await createCampaign(t, { exit_on_reply: false });
    await enrol(t, k.id, [p.budi]);
    await sentCount(t.businessId, k.id, 1);
    await inbound(t, "0811111111", "STOP");
    await eventually(async () => (await enrollments(k.id))[0]?.status === "exited", 8000, "opt-out exit");
    expect((await enrollments(k.id))[0]).toMatchObject({ exit_reason: "opted_out", step: 1 });
    await timePasses(k.id);
    await turn(t.businessId);
    expect(await campaignMessages(t.businessId, k.id)).toHaveLength(1);
    // Opted out by the bulk action or the contact's PATCH while waiting: they leave at once too.
    await enrol(t, k.id, [p.sari, p.andi]);
    await sentCount(t.businessId, k.id, 3);
    expect((await call("/api/v1/contacts/bulk", { cookie: t.cookie, json: { ids: [p.sari], action: "opt_out" } })).status).toBe(200);
    expect((await call(`/api/v1/contacts/${p.andi}`, { cookie: t.cookie, method: "PATCH", json: { opted_out: true } })).status).toBe(200);
    const rows = await enrollments(k.id);
    expect(rows.filter((r) => r.contact_id !== p.budi).map((r) => [r.status, r.exit_reason])).toEqual([["exited", "opted_out"], ["exited", "opted_out"]]);
    await timePasses(k.id);
    await turn(t.businessId);
    expect(await campaignMessages(t.businessId, k.id)).toHaveLength(3);
    // And one opted out behind the API's back (a direct write): the engine exits them when they fall due.
    await enrol(t, k.id, [p.dewi]);
    await sentCount(t.businessId, k.id, 4);
    await env.DB.prepare("UPDATE contacts SET opted_out = 1 WHERE id = ?").bind(p.dewi).run();
    await timePasses(k.id);
    await turn(t.businessId);
    expect((await enrollments(k.id)).find((r) => r.contact_id === p.dewi)).toMatchObject({ status: "exited", exit_reason: "opted_out" });
    expect(await campaignMessages(t.businessId, k.id)).toHaveLength(4);
  });

  it("conditions on labels and custom fields: pass, exit, or skip the next step", async () => {
    const t = await setup();
    const p = idsOf(t);
    const field = await call("/api/v1/contact-fields", { cookie: t.cookie, json: { key: "kota", label: "Kota", type: "text" } });
    expect(field.status, field.text).toBe(201);
    expect((await call(`/api/v1/contacts/${p.budi}`, { cookie: t.cookie, method: "PATCH", json: { custom_fields: { kota: "Bandung" } } })).status).toBe(200);
    // Eko is VIP but not Pelanggan.
    const k = await createCampaign(t, {
      steps: [
        { type: "condition", check: { kind: "has_label", label_id: t.pelanggan } },
        { type: "condition", check: { kind: "field_equals", key: "kota", value: "bandung" }, otherwise: "skip_next" },
        { type: "send", message: { texts: ["Promo Bandung untuk {name}"] } },
        { type: "condition", check: { kind: "lacks_label", label_id: t.vip }, otherwise: "skip_next" },
        { type: "send", message: { texts: ["Jadi VIP, {name}?"] } },
        { type: "send", message: { texts: ["Terima kasih {name}"] } },
      ],
    });
    await enrol(t, k.id, [p.budi, p.sari, p.eko]);
    await eventually(async () => {
      await turn(t.businessId);
      return (await enrollments(k.id)).every((r) => r.status !== "active");
    }, 8000, "all finished");
    const rows = await enrollments(k.id);
    expect(rows.find((r) => r.contact_id === p.eko)).toMatchObject({ status: "exited", exit_reason: "condition", step: 0 });
    const texts = (await campaignMessages(t.businessId, k.id)).map((m) => `${m.to_jid.slice(0, 11)} ${m.text}`).sort();
    expect(texts).toEqual(["62811111111 Promo Bandung untuk Budi", "62811111111 Terima kasih Budi", "62812222222 Terima kasih Sari"]);
  });

  it("the package's broadcast recipients per month hold campaign sends back", async () => {
    const t = await setup();
    const p = idsOf(t);
    const id = `t${crypto.randomUUID().slice(0, 8)}`;
    const limits = { devices: null, agents: null, messages_per_day: null, broadcast_recipients_per_month: 1, ai_tokens_per_day: null, live_chat: true };
    const put = await call(`/internal/packages/${id}`, { method: "PUT", json: { name: id, price_monthly: 10000, price_yearly: 100000, limits }, headers: operator() });
    expect(put.status, put.text).toBe(200);
    await setPackage(t.businessId, id, Date.now() + 30 * 86400_000);
    const k = await createCampaign(t, { steps: [THANKS] });
    await enrol(t, k.id, [p.budi]);
    await sentCount(t.businessId, k.id, 1);
    await enrol(t, k.id, [p.sari]);
    await turn(t.businessId);
    await turn(t.businessId);
    expect(await campaignMessages(t.businessId, k.id)).toHaveLength(1);
    const sari = (await enrollments(k.id)).find((r) => r.contact_id === p.sari);
    // Still at the start, asking again in an hour.
    expect(sari).toMatchObject({ status: "active", step: -1 });
    expect(sari?.next_at).toBeGreaterThan(Date.now() + 3_000_000);
  });
});
