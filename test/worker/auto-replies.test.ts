// Keyword auto-replies in workerd: the API (validation, roles, tenancy), matching through the real inbound path
// (sandbox chat): precedence, match kinds, case/accent folding, templates with {name}, channel scope, per-contact
// cooldown, silence while handed off, regex bounds, and the seed callback's dry run.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createApiKey, member } from "./helpers";
import { tenantWithDevice, type WebhookTenant } from "./webhook-fixtures";

const rule = (t: WebhookTenant, json: Record<string, unknown>) => call("/api/v1/auto-replies", { cookie: t.cookie, json });
const say = async (t: WebhookTenant, text: string, from = "081211112222", name = "Rani") => {
  const r = await call(`/api/v1/devices/${t.deviceKey}/sandbox/inbound`, { cookie: t.cookie, json: { from, text, name } });
  expect(r.status, r.text).toBe(201);
  return r.body.reply as string | null;
};

describe("keyword auto-replies", () => {
  it("validates rules: one reply kind, RE2 syntax and length, own channel and template; admins write, staff read; tenants apart", async () => {
    const t = await tenantWithDevice();
    expect((await rule(t, { match_type: "contains", pattern: "harga" })).body.error_code).toBe("VALIDATION_ERROR");
    expect((await rule(t, { match_type: "contains", pattern: "harga", reply_text: "x", template_id: crypto.randomUUID() })).body.error_code).toBe("VALIDATION_ERROR");
    const bad = await rule(t, { match_type: "regex", pattern: "(?<=a)b", reply_text: "x" });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_PATTERN");
    expect((await rule(t, { match_type: "regex", pattern: "a".repeat(201), reply_text: "x" })).status).toBe(400);
    expect((await rule(t, { match_type: "exact", pattern: "x", reply_text: "x", template_id: null, channel_id: crypto.randomUUID() })).status).toBe(404);
    expect((await rule(t, { match_type: "exact", pattern: "x", template_id: crypto.randomUUID() })).status).toBe(404);
    const ok = await rule(t, { match_type: "regex", pattern: "^(harga|price)\\b", reply_text: "Mulai 10rb", priority: 5, cooldown_seconds: 60 });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body).toMatchObject({ match_type: "regex", channel_id: null, active: true, priority: 5, cooldown_seconds: 60, reply_text: "Mulai 10rb", template_id: null });
    // PATCH to a template clears the text; a PATCH that leaves neither is refused.
    const tpl = (await call("/api/v1/templates", { cookie: t.cookie, json: { name: "sapa", body: "Halo {name}!" } })).body.id;
    const p = await call(`/api/v1/auto-replies/${ok.body.id}`, { method: "PATCH", cookie: t.cookie, json: { template_id: tpl } });
    expect(p.body).toMatchObject({ template_id: tpl, reply_text: null });
    expect((await call(`/api/v1/auto-replies/${ok.body.id}`, { method: "PATCH", cookie: t.cookie, json: { template_id: null } })).status).toBe(400);
    const staff = await member(t, "staff");
    expect((await call("/api/v1/auto-replies", { cookie: staff.cookie, json: { match_type: "exact", pattern: "x", reply_text: "y" } })).status).toBe(403);
    expect((await call("/api/v1/auto-replies", { cookie: staff.cookie })).body.items).toHaveLength(1);
    const other = await tenantWithDevice();
    expect((await call(`/api/v1/auto-replies/${ok.body.id}`, { cookie: other.cookie })).status).toBe(404);
    expect((await call(`/api/v1/auto-replies/${ok.body.id}`, { method: "DELETE", cookie: other.cookie })).status).toBe(404);
    expect((await call(`/api/v1/auto-replies/${ok.body.id}`, { method: "DELETE", cookie: t.cookie })).body).toEqual({ deleted: true });
  });

  it("answers through the inbound path: highest priority first, every match kind, case and accent folded, {name} from a template", async () => {
    const t = await tenantWithDevice();
    const tpl = (await call("/api/v1/templates", { cookie: t.cookie, json: { name: "jam", body: "Halo {name}, kami buka 08.00–17.00" } })).body.id;
    await rule(t, { match_type: "contains", pattern: "harga", reply_text: "umum", priority: 0 });
    await rule(t, { match_type: "contains", pattern: "harga kopi", reply_text: "Kopi 15rb", priority: 10 });
    await rule(t, { match_type: "exact", pattern: "Menu", reply_text: "Ini menunya" });
    await rule(t, { match_type: "starts_with", pattern: "jam", template_id: tpl });
    await rule(t, { match_type: "regex", pattern: "^(ongkir|ongkos kirim)\\s+\\w+", reply_text: "Ongkir dihitung saat checkout" });
    await rule(t, { match_type: "contains", pattern: "rahasia", reply_text: "tidak aktif", active: false });
    expect(await say(t, "Berapa HARGA kopí susu?")).toBe("Kopi 15rb");
    expect(await say(t, "harga teh")).toBe("umum");
    expect(await say(t, "  menu ")).toBe("Ini menunya");
    expect(await say(t, "menu dong")).toBeNull();
    expect(await say(t, "Jam buka?")).toBe("Halo Rani, kami buka 08.00–17.00");
    expect(await say(t, "buka jam berapa")).toBeNull();
    expect(await say(t, "Ongkos  kirim Bandung")).toBe("Ongkir dihitung saat checkout");
    expect(await say(t, "rahasia")).toBeNull();
    // Upper-case classes keep their meaning (case folding is the engine's flag, not the pattern's).
    await rule(t, { match_type: "regex", pattern: "^INV\\D\\d{3}$", reply_text: "Nomor invoice diterima" });
    expect(await say(t, "inv-123")).toBe("Nomor invoice diterima");
    expect(await say(t, "inv1123")).toBeNull();
    // Each reply went out once, through the send pipeline, as an auto-reply.
    const sent = await env.DB.prepare("SELECT COUNT(*) AS n FROM messages WHERE business_id = ? AND source = 'auto_reply'").bind(t.businessId).first<{ n: number }>();
    expect(sent?.n).toBe(6);
  });

  it("keeps to its channel, its per-contact cooldown, and silence while a human has the conversation", async () => {
    const t = await tenantWithDevice();
    const second = (await call("/api/v1/devices", { json: { name: "Gudang", provider: "sandbox" }, cookie: t.cookie })).body.device_key;
    // The device's channel exists once it has had a message.
    await call(`/api/v1/devices/${second}/sandbox/inbound`, { cookie: t.cookie, json: { from: "081299990000", text: "tes" } });
    const ch = await env.DB.prepare("SELECT id FROM channels WHERE device_key = ?").bind(second).first<{ id: string }>();
    const channelOf = (_key: string) => ch?.id;
    expect(channelOf(second)).toBeTruthy();
    await rule(t, { match_type: "contains", pattern: "stok", reply_text: "Stok gudang ada", channel_id: channelOf(second) });
    await rule(t, { match_type: "contains", pattern: "promo", reply_text: "Promo 10%", cooldown_seconds: 3600 });
    expect(await say(t, "stok ada?")).toBeNull();
    const inSecond = await call(`/api/v1/devices/${second}/sandbox/inbound`, { cookie: t.cookie, json: { from: "081211112222", text: "stok ada?" } });
    expect(inSecond.body.reply).toBe("Stok gudang ada");
    expect(await say(t, "ada promo?")).toBe("Promo 10%");
    expect(await say(t, "promo lagi?")).toBeNull();
    expect(await say(t, "promo?", "081233334444", "Tono")).toBe("Promo 10%");
    // Handed off: no keyword reply, however often the customer writes, until released.
    const conv = (await call("/api/v1/conversations?q=3444", { cookie: t.cookie })).body.items[0];
    await call(`/api/v1/conversations/${conv.id}`, { method: "PATCH", cookie: t.cookie, json: { bot_state: "handed_off", bot_state_reason: "agent" } });
    await rule(t, { match_type: "contains", pattern: "halo", reply_text: "Halo juga" });
    expect(await say(t, "halo", "081233334444", "Tono")).toBeNull();
    expect(await say(t, "halo", "081233334444", "Tono")).toBeNull();
    await call(`/api/v1/conversations/${conv.id}`, { method: "PATCH", cookie: t.cookie, json: { bot_state: "active" } });
    expect(await say(t, "halo", "081233334444", "Tono")).toBe("Halo juga");
  });

  it("regex runs in linear time: a catastrophic pattern for backtracking engines answers at once", async () => {
    const t = await tenantWithDevice();
    await rule(t, { match_type: "regex", pattern: "^(a+)+$", reply_text: "never" });
    await rule(t, { match_type: "regex", pattern: "(x+x+)+y", reply_text: "never either" });
    const started = Date.now();
    expect(await say(t, `${"a".repeat(3000)}!`)).toBeNull();
    expect(await say(t, "x".repeat(4000))).toBeNull();
    // A backtracking engine needs longer than the universe's age for these; RE2 is linear.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("the seed callback's dry run answers with the rule and writes nothing, cooldown included", async () => {
    const t = await tenantWithDevice();
    await rule(t, { match_type: "contains", pattern: "katalog", reply_text: "Katalog: ping.id/k", cooldown_seconds: 600 });
    const body = { from: "6281290600009@s.whatsapp.net", message_id: crypto.randomUUID(), message: "Minta KATALOG", from_name: "Budi", type: "single" };
    for (let i = 0; i < 2; i++) {
      const r = await call(`/api-app/whatsapp/callback/device_${t.deviceKey}`, { json: { ...body, message_id: crypto.randomUUID() } });
      expect(r.body).toMatchObject({ message: { text: "Katalog: ping.id/k" }, reply: true });
    }
    const hits = await env.DB.prepare("SELECT COUNT(*) AS n FROM auto_reply_hits h JOIN auto_replies r ON r.id = h.rule_id WHERE r.business_id = ?").bind(t.businessId).first<{ n: number }>();
    expect(hits?.n).toBe(0);
    const key = await createApiKey(t);
    const authed = await call(`/api-app/whatsapp/callback/device_${t.deviceKey}`, { json: { ...body, message: "halo", api_key: key } });
    expect(authed.body.reply).toBe(false);
  });
});
