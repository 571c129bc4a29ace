// Opt-out by keyword in workerd: STOP (any case, with punctuation) from a customer on the sandbox marks the contact
// opted out and sends one confirmation; a second STOP sends none; MULAI opts back in; custom keywords; the next
// broadcast skips an opted-out contact.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { broadcastRunner } from "../../worker/durable/stubs";
import { draft, get, setup } from "./broadcast-fixtures";
import { call, eventually, type Tenant } from "./helpers";

async function inbound(t: Tenant & { deviceKey: string }, from: string, text: string) {
  const r = await call(`/api/v1/devices/${t.deviceKey}/sandbox/inbound`, { cookie: t.cookie, json: { from, text } });
  expect(r.status, r.text).toBe(201);
  return r.body as { reply: string | null };
}

async function replies(businessId: string) {
  return (await env.DB.prepare("SELECT text FROM messages WHERE business_id = ? AND source = 'auto_reply' ORDER BY created_at").bind(businessId).all<{ text: string }>()).results.map((r) => r.text);
}

describe("opt-out keywords", () => {
  it("STOP opts out with one confirmation, MULAI opts back in; the next broadcast skips the opted out", async () => {
    const t = await setup();
    await inbound(t, "0811111111", "stop!");
    const budi = await eventually(async () => {
      const c = await call(`/api/v1/contacts/${t.ids.budi}`, { cookie: t.cookie });
      return c.body.opted_out === true && c.body;
    }, 8000, "opted out");
    expect(budi.opted_out_reason).toBe("keyword:STOP");
    await eventually(async () => (await replies(t.businessId)).length === 1, 8000, "one confirmation");
    expect((await replies(t.businessId))[0]).toMatch(/tidak akan menerima promosi/);
    // Again: already opted out, no second confirmation.
    await inbound(t, "0811111111", "STOP");
    await new Promise((ok) => setTimeout(ok, 300));
    expect(await replies(t.businessId)).toHaveLength(1);
    // Not a keyword: nothing happens.
    await inbound(t, "0812222222", "jangan kirim ke alamat lama ya");
    expect((await call(`/api/v1/contacts/${t.ids.sari}`, { cookie: t.cookie })).body.opted_out).toBe(false);

    const count = await call("/api/v1/broadcasts/audience-count", { cookie: t.cookie, json: { labels_all: [t.vip, t.pelanggan], exclude_labels: [t.blokir] } });
    expect(count.body.skipped_reasons.opted_out).toBe(2);

    await inbound(t, "0811111111", "Mulai");
    await eventually(async () => (await call(`/api/v1/contacts/${t.ids.budi}`, { cookie: t.cookie })).body.opted_out === false, 8000, "opted in");
    await eventually(async () => (await replies(t.businessId)).length === 2, 8000, "opt-in confirmation");
    expect((await replies(t.businessId))[1]).toMatch(/kembali berlangganan/);
  });

  it("custom keywords; a contact opted out after the audience was drawn is skipped when its turn comes", async () => {
    const t = await setup();
    const s = await call("/api/v1/broadcast-settings", { cookie: t.cookie, method: "PATCH", json: { stop_keywords: ["STOP", "CUKUP"] } });
    expect(s.status, s.text).toBe(200);
    expect((await call("/api/v1/broadcast-settings", { cookie: t.cookie, method: "PATCH", json: { stop_keywords: [] } })).status).toBe(400);
    // Paused before any send, so the opt-out lands between drawing the audience and the send.
    const d = await call(`/api/v1/devices/${t.deviceKey}`, { cookie: t.cookie, method: "PATCH", json: { settings: { window_start: "00:00", window_end: "00:00" } } });
    expect(d.status).toBe(200);
    const b = await draft(t, { schedule: { start_at: Date.now() + 3_600_000, window_start: "00:00", window_end: "00:00" } });
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    await inbound(t, "0812222222", "cukup.");
    await eventually(async () => (await call(`/api/v1/contacts/${t.ids.sari}`, { cookie: t.cookie })).body.opted_out === true, 8000, "custom keyword");
    await env.DB.prepare("UPDATE broadcasts SET schedule = json_set(schedule, '$.start_at', NULL) WHERE id = ?").bind(b.id).run();
    await runInDurableObject(broadcastRunner(env, b.id), (_o, st) => st.storage.setAlarm(Date.now()));
    const g = await eventually(async () => {
      const x = await get(t, b.id);
      return x.status === "completed" && x;
    }, 10000, "completed");
    expect(g.progress.skipped_reasons.opted_out).toBe(2);
    expect(g.progress.sent + g.progress.delivered + g.progress.read).toBe(3);
  });
});

describe("a repeated stop", () => {
  it("is consumed by the opt-out step: no keyword rule answers someone already opted out", async () => {
    const t = await setup();
    // A keyword rule that would answer the word STOP if the opt-out step let it through.
    const rule = await call("/api/v1/auto-replies", { cookie: t.cookie, json: { match_type: "contains", pattern: "stop", reply_text: "Info promo terbaru!" } });
    expect(rule.status, rule.text).toBe(201);
    await inbound(t, "0811111111", "STOP");
    await eventually(async () => (await replies(t.businessId)).length === 1, 8000, "one confirmation");
    await inbound(t, "0811111111", "Stop.");
    // The seed callback's answer is the chain's answer: nothing for a consumed stop.
    const again = await inbound(t, "0811111111", "STOP");
    expect(again.reply).toBe(null);
    await new Promise((ok) => setTimeout(ok, 300));
    expect(await replies(t.businessId)).toEqual([expect.stringMatching(/tidak akan menerima promosi/)]);
    // A non-keyword text from the same contact still reaches the keyword rule.
    await inbound(t, "0811111111", "tolong stop kirim yang lama");
    await eventually(async () => (await replies(t.businessId)).includes("Info promo terbaru!"), 8000, "keyword rule still answers other texts");
  });
});
