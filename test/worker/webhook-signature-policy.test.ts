// Issue 8 item 4: with a signing secret set, an unsigned payload shaped like another source must not fire that
// source's (or `any`) rules. Per-source policy: UNSIGNED_SOURCE unless explicitly allowed; a business without any
// secret keeps the seed's open URL (with a warning) and may use a rotatable secret token URL; every log row says
// signed / token / unsigned_allowed / refused; the settings page shows the state per source.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decideSignature } from "../../worker/webhooks/signature-policy";
import { call } from "./helpers";
import { createRule, hmacBase64, lynkEvent, logsOf, messagesOf, postWebhook, scalevEvent, tenantWithDevice } from "./webhook-fixtures";

const LYNK_UA = { "user-agent": "Lynk-Webhook/1.0" };
const SCALEV_UA = { "user-agent": "Scalev-Webhook/1.0" };
const lynkRule = { name: "Lynk", source: "lynk", conditions: { operator: "AND", rules: [{ field: "event", operator: "equals", value: "payment.received" }] }, template: "Terima kasih", phone_field: "data.message_data.customer.phone" };
const anyRule = { name: "Apa saja", source: "any", conditions: { operator: "AND", rules: [{ field: "phone", operator: "exists" }] }, template: "Halo", phone_field: "phone" };

type Log = { status: string; source: string; message: string; signature: string };
const logs = async (t: Parameters<typeof logsOf>[0]) => (await logsOf(t)) as unknown as Log[];

describe("webhook signature policy", () => {
  it("a Scalev secret makes unsigned Lynk- and custom-shaped events 403 UNSIGNED_SOURCE; nothing is sent", async () => {
    const t = await tenantWithDevice();
    await createRule(t, lynkRule);
    await createRule(t, { ...anyRule, name: "any" });
    await call("/api/v1/settings", { method: "PATCH", cookie: t.cookie, json: { scalev_signing_secret: "scalev-rahasia" } });
    const lynk = await postWebhook(t.businessId, lynkEvent("ref-spoof", "m-1"), LYNK_UA);
    expect(lynk.status).toBe(403);
    expect(lynk.body.error_code).toBe("UNSIGNED_SOURCE");
    const custom = await postWebhook(t.businessId, { phone: "081234567890", event: "x" });
    expect(custom.status).toBe(403);
    expect(custom.body.error_code).toBe("UNSIGNED_SOURCE");
    expect(await messagesOf(t.businessId)).toEqual([]);
    const rows = await logs(t);
    expect(rows.map((l) => `${l.status}/${l.signature}`)).toEqual(["rejected/refused", "rejected/refused"]);
    expect(rows[0]?.message).toContain("UNSIGNED_SOURCE");
  });

  it("an explicit allow-unsigned per source lets that source through (logged unsigned_allowed), not the others", async () => {
    const t = await tenantWithDevice();
    await createRule(t, lynkRule);
    await call("/api/v1/settings", { method: "PATCH", cookie: t.cookie, json: { scalev_signing_secret: "scalev-rahasia", webhook_unsigned_allowed: ["lynk"] } });
    const ok = await postWebhook(t.businessId, lynkEvent("ref-allowed", "m-2"), LYNK_UA);
    expect(ok.status).toBe(200);
    expect((await postWebhook(t.businessId, { phone: "0812", a: 1 })).body.error_code).toBe("UNSIGNED_SOURCE");
    const rows = await logs(t);
    expect(rows.map((l) => l.signature).sort()).toEqual(["refused", "unsigned_allowed"]);
    // Signed sources still need their signature, and are logged as signed.
    const raw = JSON.stringify(scalevEvent("evt-signed-policy"));
    expect((await postWebhook(t.businessId, raw, { ...SCALEV_UA, "x-scalev-hmac-sha256": await hmacBase64("scalev-rahasia", raw) })).status).toBe(200);
    expect((await logs(t))[0]?.signature).toBe("signed");
  });

  it("no secret at all keeps the seed's open URL, with the warning and the state on the settings page", async () => {
    const t = await tenantWithDevice();
    const res = await postWebhook(t.businessId, lynkEvent("ref-open", "m-3"), LYNK_UA);
    expect(res.status).toBe(200);
    expect((await logs(t))[0]?.signature).toBe("unsigned_allowed");
    const settings = await call("/api/v1/settings", { cookie: t.cookie });
    expect(settings.body.webhook_secured).toBe(false);
    expect(settings.body.webhook_sources.map((s: { state: string }) => s.state)).toEqual(["open", "open", "open"]);
    const page = await call("/app/settings", { cookie: t.cookie });
    expect(page.text).toContain('id="webhook-unsigned-warning"');

    await call("/api/v1/settings", { method: "PATCH", cookie: t.cookie, json: { scalev_signing_secret: "s", webhook_unsigned_allowed: ["custom"] } });
    const after = await call("/api/v1/settings", { cookie: t.cookie });
    expect(after.body.webhook_sources).toEqual([
      { source: "scalev", secret_set: true, unsigned_allowed: false, state: "signed" },
      { source: "lynk", secret_set: false, unsigned_allowed: false, state: "refused" },
      { source: "custom", secret_set: false, unsigned_allowed: true, state: "unsigned_allowed" },
    ]);
    const page2 = await call("/app/settings", { cookie: t.cookie });
    expect(page2.text).not.toContain('id="webhook-unsigned-warning"');
    expect(page2.text).toContain('data-state="refused"');
  });

  it("the secret token URL: shown once, stored hashed, accepted; the plain URL then refuses unsigned; rotation kills the old one", async () => {
    const t = await tenantWithDevice();
    await createRule(t, lynkRule);
    const made = await call("/api/v1/settings/webhook-token", { method: "POST", cookie: t.cookie });
    expect(made.status).toBe(201);
    const url = new URL(made.body.webhook_token_url as string);
    const token = url.pathname.split("/").pop() ?? "";
    expect(url.pathname).toBe(`/webhook/${t.businessId}/${token}`);
    const stored = await env.DB.prepare("SELECT webhook_token_hash AS h FROM businesses WHERE id = ?").bind(t.businessId).first<{ h: string }>();
    expect(stored?.h).not.toContain(token);
    expect(stored?.h).toMatch(/^[0-9a-f]{64}$/);

    const via = await call(`/webhook/${t.businessId}/${token}`, { raw: JSON.stringify(lynkEvent("ref-token", "m-4")), headers: LYNK_UA });
    expect(via.status).toBe(200);
    expect((await logs(t))[0]?.signature).toBe("token");
    const plain = await postWebhook(t.businessId, lynkEvent("ref-plain", "m-5"), LYNK_UA);
    expect(plain.body.error_code).toBe("UNSIGNED_SOURCE");
    const wrong = await call(`/webhook/${t.businessId}/${token.slice(0, -2)}xx`, { raw: JSON.stringify(lynkEvent("ref-wrong", "m-6")), headers: LYNK_UA });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error_code).toBe("INVALID_WEBHOOK_TOKEN");

    const rotated = await call("/api/v1/settings/webhook-token", { method: "POST", cookie: t.cookie });
    const old = await call(`/webhook/${t.businessId}/${token}`, { raw: JSON.stringify(lynkEvent("ref-old", "m-7")), headers: LYNK_UA });
    expect(old.body.error_code).toBe("INVALID_WEBHOOK_TOKEN");
    const fresh = new URL(rotated.body.webhook_token_url as string).pathname;
    expect((await call(fresh, { raw: JSON.stringify(lynkEvent("ref-new", "m-8")), headers: LYNK_UA })).status).toBe(200);
  });

  it("the token never replaces a saved signature", () => {
    const b = { scalevSigningSecretEnc: "x", lynkMerchantKeyEnc: null, customWebhookSecretEnc: null, webhookUnsignedAllowed: [], webhookTokenHash: "h" };
    expect(decideSignature(b, "scalev", true)).toEqual({ verdict: "verify" });
    expect(decideSignature(b, "lynk", true)).toEqual({ verdict: "accept", signature: "token" });
    expect(decideSignature(b, "lynk", false).verdict).toBe("refuse");
  });
});
