import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DAY_MS, GRACE_DAYS } from "../../worker/billing/policy";
import { call } from "./helpers";
import {
  createRule,
  hmacBase64,
  LYNK_SAMPLE,
  logsOf,
  lynkEvent,
  messagesOf,
  postWebhook,
  SCALEV_SAMPLE,
  scalevEvent,
  sha256HexOf,
  tenantWithDevice,
  waitForStatus,
} from "./webhook-fixtures";

const SCALEV_UA = { "user-agent": "Scalev-Webhook/1.0" };
const LYNK_UA = { "user-agent": "Lynk-Webhook/1.0" };

describe("POST /webhook/:business_id", () => {
  it("the seed's Scalev sample fires a matching rule: a sandbox message is written, enqueued and delivered", async () => {
    const t = await tenantWithDevice();
    await createRule(t, {});
    const res = await postWebhook(t.businessId, SCALEV_SAMPLE, SCALEV_UA);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "success", message: "Webhook processed successfully", rule_matched: true });
    const msgs = await messagesOf(t.businessId);
    expect(msgs).toHaveLength(1);
    const m = msgs[0]!;
    expect(m).toMatchObject({ to_jid: "628112345678@s.whatsapp.net", source: "rule", device_key: t.deviceKey });
    expect(m.text).toBe("Halo Example Person, order 250130JQHFZG total Rp149.724");
    expect(await waitForStatus(m.id, "delivered")).toBe("delivered");
    const logs = await logsOf(t);
    expect(logs[0]).toMatchObject({ status: "success", source: "scalev", rules: ["Order baru"], event_key: "scalev:event_I7fkiBF4YksYDsKbVe5ZOEyZ" });
    expect(JSON.parse(logs[0]!.payload)).toEqual(SCALEV_SAMPLE);
  });

  it("the seed's Lynk sample: 08… phone becomes 62…, Lynk fields render", async () => {
    const t = await tenantWithDevice();
    await createRule(t, {
      name: "Pembayaran Lynk",
      source: "lynk",
      conditions: {
        operator: "AND",
        rules: [
          { field: "event", operator: "equals", value: "payment.received" },
          { field: "data.message_data.totals.grandTotal", operator: "greater_than", value: "50000" },
        ],
      },
      template: "Terima kasih {{data.message_data.customer.name}}: {{data.message_data.items.0.title}} {{data.message_data.totals.grandTotal | rupiah}} pada {{data.message_data.createdAt | date:\"DD MMM YYYY HH:mm\"}}",
      phone_field: "data.message_data.customer.phone",
    });
    const res = await postWebhook(t.businessId, LYNK_SAMPLE, LYNK_UA);
    expect(res.body.rule_matched).toBe(true);
    const [m] = await messagesOf(t.businessId);
    expect(m?.to_jid).toBe("62812345677889@s.whatsapp.net");
    expect(m?.text).toBe("Terima kasih Lynk User: Digital Produk Rp72.000 pada 10 Apr 2025 14:30");
    expect((await logsOf(t))[0]).toMatchObject({ status: "success", source: "lynk", event_key: "lynk:13f8d23beeb2aacbbc01c94060cc88d7:" });
  });

  it("a rule that does not match answers rule_matched:false, sends nothing, logs no_match", async () => {
    const t = await tenantWithDevice();
    await createRule(t, { conditions: { operator: "AND", rules: [{ field: "data.payment_status", operator: "equals", value: "paid" }] } });
    const res = await postWebhook(t.businessId, scalevEvent("evt-nomatch"), SCALEV_UA);
    expect(res.body).toEqual({ status: "success", message: "Webhook processed successfully", rule_matched: false });
    expect(await messagesOf(t.businessId)).toHaveLength(0);
    expect((await logsOf(t))[0]).toMatchObject({ status: "no_match", rules: [], message: "No rule matched" });
  });

  it("all matching rules fire in priority order; rules of another source or inactive ones do not", async () => {
    const t = await tenantWithDevice();
    await createRule(t, { name: "kedua", priority: 20, template: "dua {{data.order_id}}" });
    await createRule(t, { name: "pertama", priority: 10, template: "satu {{data.order_id}}" });
    await createRule(t, { name: "semua sumber", source: "any", priority: 30, template: "tiga" });
    await createRule(t, { name: "lynk saja", source: "lynk", template: "tidak" });
    await createRule(t, { name: "nonaktif", active: false, template: "tidak" });
    const res = await postWebhook(t.businessId, scalevEvent("evt-multi"), SCALEV_UA);
    expect(res.body.rule_matched).toBe(true);
    const msgs = await messagesOf(t.businessId);
    expect(msgs.map((m) => m.text)).toEqual(["satu 250130JQHFZG", "dua 250130JQHFZG", "tiga"]);
    expect((await logsOf(t))[0]?.rules).toEqual(["pertama", "kedua", "semua sumber"]);
  });

  it("a replayed Scalev event answers 200, sends no second message and is logged as duplicate", async () => {
    const t = await tenantWithDevice();
    await createRule(t, {});
    const body = scalevEvent("evt-replay");
    expect((await postWebhook(t.businessId, body, SCALEV_UA)).status).toBe(200);
    const again = await postWebhook(t.businessId, body, SCALEV_UA);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("success");
    expect(await messagesOf(t.businessId)).toHaveLength(1);
    const logs = await logsOf(t);
    expect(logs.map((l) => l.status)).toEqual(["duplicate", "success"]);
  });

  it("concurrent duplicates of one event produce exactly one message", async () => {
    const t = await tenantWithDevice();
    await createRule(t, {});
    await createRule(t, { name: "second rule", template: "dua" });
    const body = scalevEvent("evt-concurrent");
    const results = await Promise.all(Array.from({ length: 8 }, () => postWebhook(t.businessId, body, SCALEV_UA)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const msgs = await messagesOf(t.businessId);
    expect(msgs).toHaveLength(2);
    const statuses = (await logsOf(t)).map((l) => l.status).sort();
    expect(statuses.filter((s) => s === "success")).toHaveLength(1);
    expect(statuses.filter((s) => s === "duplicate")).toHaveLength(7);
    for (const m of msgs) expect(await waitForStatus(m.id, "delivered")).toBe("delivered");
  });

  it("a crash between the D1 batch and the queue send is healed by the sender's retry", async () => {
    const t = await tenantWithDevice();
    const rule = await createRule(t, {});
    // What the first delivery left behind when the Worker died after its batch: claim, log, queued row, no job.
    const messageId = crypto.randomUUID();
    const key = "scalev:evt-crash";
    await env.DB.batch([
      env.DB.prepare("INSERT INTO webhook_events (business_id, event_key, log_id) VALUES (?, ?, ?)").bind(t.businessId, key, crypto.randomUUID()),
      env.DB.prepare("INSERT INTO messages (id, business_id, device_key, idempotency_key, to_jid, text, source) VALUES (?, ?, ?, ?, ?, ?, 'rule')").bind(
        messageId,
        t.businessId,
        t.deviceKey,
        `webhook:${key}:${rule.id}`,
        "628112345678@s.whatsapp.net",
        "Halo",
      ),
    ]);
    const retry = await postWebhook(t.businessId, scalevEvent("evt-crash"), SCALEV_UA);
    expect(retry.status).toBe(200);
    expect(await waitForStatus(messageId, "delivered")).toBe("delivered");
    expect(await messagesOf(t.businessId)).toHaveLength(1);
    expect((await logsOf(t))[0]?.status).toBe("duplicate");
    // Further replays find nothing queued and enqueue nothing.
    await postWebhook(t.businessId, scalevEvent("evt-crash"), SCALEV_UA);
    expect(await messagesOf(t.businessId)).toHaveLength(1);
  });

  it("Lynk replays dedupe on refId and message_id; another message_id is a new event", async () => {
    const t = await tenantWithDevice();
    await createRule(t, { source: "lynk", conditions: { operator: "AND", rules: [{ field: "event", operator: "equals", value: "payment.received" }] }, template: "ok", phone_field: "data.message_data.customer.phone" });
    await postWebhook(t.businessId, lynkEvent("ref-1", "m-1"), LYNK_UA);
    await postWebhook(t.businessId, lynkEvent("ref-1", "m-1"), LYNK_UA);
    await postWebhook(t.businessId, lynkEvent("ref-1", "m-2"), LYNK_UA);
    expect(await messagesOf(t.businessId)).toHaveLength(2);
  });

  it("custom events dedupe on the webhook-id header, else on the body", async () => {
    const t = await tenantWithDevice();
    await createRule(t, { source: "custom", conditions: { operator: "AND", rules: [{ field: "type", operator: "equals", value: "lead" }] }, template: "Hai {{name}}", phone_field: "phone" });
    const body = { type: "lead", name: "Sari", phone: "+62 812-3456-7890" };
    const r1 = await postWebhook(t.businessId, body, { "webhook-id": "msg_1" });
    await postWebhook(t.businessId, body, { "webhook-id": "msg_1" });
    await postWebhook(t.businessId, body, { "webhook-id": "msg_2" });
    expect(r1.body.rule_matched).toBe(true);
    const noId = { ...body, name: "Tanpa id" };
    await postWebhook(t.businessId, noId);
    await postWebhook(t.businessId, noId);
    const msgs = await messagesOf(t.businessId);
    expect(msgs.map((m) => m.text)).toEqual(["Hai Sari", "Hai Sari", "Hai Tanpa id"]);
    expect(msgs[0]?.to_jid).toBe("6281234567890@s.whatsapp.net");
    expect((await logsOf(t, "?source=custom"))[0]?.event_key).toMatch(/^custom:sha256:[0-9a-f]{64}$/);
  });

  it("an unusable phone number fails that message with a clear reason, other rules still send", async () => {
    const t = await tenantWithDevice();
    await createRule(t, { name: "ke pembeli", priority: 1 });
    await createRule(t, { name: "ke nomor salah", priority: 2, phone_field: "data.store.name" });
    const res = await postWebhook(t.businessId, scalevEvent("evt-badphone"), SCALEV_UA);
    expect(res.status).toBe(200);
    expect(await messagesOf(t.businessId)).toHaveLength(1);
    const [log] = await logsOf(t);
    expect(log?.status).toBe("failed");
    expect(log?.message).toContain("ke nomor salah: failed data.store.name:");
    expect(log?.message).toContain("is not a phone number");
  });

  it("a missing placeholder renders empty and is noted in the log", async () => {
    const t = await tenantWithDevice();
    await createRule(t, { source: "any", template: "Kode: [{{data.voucher}}] {{data.voucher | default:\"-\"}}" });
    await postWebhook(t.businessId, scalevEvent("evt-missing"), SCALEV_UA);
    expect((await messagesOf(t.businessId))[0]?.text).toBe("Kode: [] -");
    expect((await logsOf(t))[0]?.message).toContain("missing {{data.voucher}}");
  });

  describe("signatures", () => {
    it("Scalev: right HMAC accepted; wrong or missing rejected with INVALID_SIGNATURE and logged", async () => {
      const t = await tenantWithDevice();
      await createRule(t, {});
      await call("/api/v1/settings", { method: "PATCH", cookie: t.cookie, json: { scalev_signing_secret: "scalev-rahasia" } });
      const raw = JSON.stringify(scalevEvent("evt-signed"));
      const good = await postWebhook(t.businessId, raw, { ...SCALEV_UA, "x-scalev-hmac-sha256": await hmacBase64("scalev-rahasia", raw) });
      expect(good.status).toBe(200);
      const wrong = await postWebhook(t.businessId, JSON.stringify(scalevEvent("evt-signed-2")), { ...SCALEV_UA, "x-scalev-hmac-sha256": await hmacBase64("scalev-rahasia", raw) });
      expect(wrong.status).toBe(403);
      expect(wrong.body).toEqual({ status: "error", message: "X-Scalev-Hmac-Sha256 does not match the signing secret", error_code: "INVALID_SIGNATURE" });
      const missing = await postWebhook(t.businessId, JSON.stringify(scalevEvent("evt-signed-3")), SCALEV_UA);
      expect(missing.body.error_code).toBe("INVALID_SIGNATURE");
      expect(await messagesOf(t.businessId)).toHaveLength(1);
      const logs = await logsOf(t, "?status=rejected");
      expect(logs).toHaveLength(2);
      expect(logs[0]?.message).toContain("INVALID_SIGNATURE");
      // Verified on the raw bytes: re-serialising the same JSON differently breaks the signature.
      const spaced = JSON.stringify(scalevEvent("evt-signed"), null, 2);
      const reformatted = await postWebhook(t.businessId, spaced, { ...SCALEV_UA, "x-scalev-hmac-sha256": await hmacBase64("scalev-rahasia", raw) });
      expect(reformatted.status).toBe(403);
    });

    it("Lynk: SHA-256(grandTotal + refId + message_id + merchant key)", async () => {
      const t = await tenantWithDevice();
      await call("/api/v1/settings", { method: "PATCH", cookie: t.cookie, json: { lynk_merchant_key: "mk-123" } });
      const body = lynkEvent("ref-sig", "m-sig");
      const sig = await sha256HexOf(`72000ref-sigm-sigmk-123`);
      expect((await postWebhook(t.businessId, body, { ...LYNK_UA, "x-lynk-signature": sig })).status).toBe(200);
      const bad = await postWebhook(t.businessId, lynkEvent("ref-sig-2", "m-sig"), { ...LYNK_UA, "x-lynk-signature": sig });
      expect(bad.status).toBe(403);
      expect(bad.body.error_code).toBe("INVALID_SIGNATURE");
    });

    it("custom: Standard Webhooks and plain X-Webhook-Signature", async () => {
      const t = await tenantWithDevice();
      await call("/api/v1/settings", { method: "PATCH", cookie: t.cookie, json: { custom_webhook_secret: "custom-secret" } });
      const raw = JSON.stringify({ type: "x" });
      const ts = String(Math.floor(Date.now() / 1000));
      const sw = await hmacBase64("custom-secret", `msg_9.${ts}.${raw}`);
      const ok1 = await postWebhook(t.businessId, raw, { "webhook-id": "msg_9", "webhook-timestamp": ts, "webhook-signature": `v1,${sw}` });
      expect(ok1.status).toBe(200);
      const old = String(Math.floor(Date.now() / 1000) - 3600);
      const stale = await postWebhook(t.businessId, raw, { "webhook-id": "msg_9", "webhook-timestamp": old, "webhook-signature": `v1,${await hmacBase64("custom-secret", `msg_9.${old}.${raw}`)}` });
      expect(stale.body.error_code).toBe("INVALID_SIGNATURE");
      const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("custom-secret"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      const hex = Array.from(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(raw))), (b) => b.toString(16).padStart(2, "0")).join("");
      expect((await postWebhook(t.businessId, raw, { "x-webhook-signature": `sha256=${hex}` })).status).toBe(200);
      expect((await postWebhook(t.businessId, raw, { "x-webhook-signature": `sha256=${"0".repeat(64)}` })).status).toBe(403);
      expect((await postWebhook(t.businessId, raw)).status).toBe(403);
    });
  });

  it("saving a secret, a rule or a package takes effect on the very next event (no stale cache)", async () => {
    const t = await tenantWithDevice();
    const rule = await createRule(t, {});
    expect((await postWebhook(t.businessId, scalevEvent("cache-1"), SCALEV_UA)).status).toBe(200);
    await call("/api/v1/settings", { method: "PATCH", cookie: t.cookie, json: { scalev_signing_secret: "baru" } });
    expect((await postWebhook(t.businessId, scalevEvent("cache-2"), SCALEV_UA)).body.error_code).toBe("INVALID_SIGNATURE");
    await call("/api/v1/settings", { method: "PATCH", cookie: t.cookie, json: { scalev_signing_secret: null } });
    await call(`/api/v1/webhook-rules/${rule.id}`, { method: "PATCH", cookie: t.cookie, json: { active: false } });
    expect((await postWebhook(t.businessId, scalevEvent("cache-3"), SCALEV_UA)).body.rule_matched).toBe(false);
    const op = await call(`/internal/businesses/${t.businessId}/package`, {
      method: "PUT",
      json: { package: "basic", active_until: Date.now() - GRACE_DAYS * DAY_MS - 1 }, // past the grace period
      headers: { authorization: `Bearer ${env.PLATFORM_ADMIN_TOKEN}` },
    });
    expect(op.status).toBe(200);
    expect((await postWebhook(t.businessId, scalevEvent("cache-4"), SCALEV_UA)).body.error_code).toBe("PACKAGE_NOT_ACTIVE");
  });

  describe("errors in the seed's shape", () => {
    it("malformed or unknown business id → INVALID_BUSINESS_ID", async () => {
      const bad = await postWebhook("not-a-uuid", SCALEV_SAMPLE);
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ status: "error", message: "Business ID is not valid", error_code: "INVALID_BUSINESS_ID" });
      const unknown = await postWebhook(crypto.randomUUID(), SCALEV_SAMPLE);
      expect(unknown.body.error_code).toBe("INVALID_BUSINESS_ID");
    });

    it("inactive package → 403 PACKAGE_NOT_ACTIVE, logged, nothing sent", async () => {
      const t = await tenantWithDevice();
      await createRule(t, {});
      await env.DB.prepare("UPDATE businesses SET active_until = ? WHERE id = ?").bind(Date.now() - 1000, t.businessId).run();
      const res = await postWebhook(t.businessId, SCALEV_SAMPLE, SCALEV_UA);
      expect(res.status).toBe(403);
      expect(res.body.error_code).toBe("PACKAGE_NOT_ACTIVE");
      expect(await messagesOf(t.businessId)).toHaveLength(0);
      // Rules stay editable without a package.
      expect((await call("/api/v1/webhook-rules", { cookie: t.cookie })).status).toBe(200);
      expect((await logsOf(t))[0]).toMatchObject({ status: "rejected", source: "scalev" });
    });

    it("bad JSON, non-object JSON → 400 INVALID_PAYLOAD (logged); oversized body → 413", async () => {
      const t = await tenantWithDevice();
      for (const body of ["{not json", "[1,2]", "null", "\"text\"", "[".repeat(40) + "]".repeat(40)]) {
        const r = await postWebhook(t.businessId, body);
        expect(r.status).toBe(400);
        expect(r.body.error_code).toBe("INVALID_PAYLOAD");
      }
      const deep = JSON.stringify(Array.from({ length: 40 }).reduce((acc) => ({ a: acc }), {}));
      expect((await postWebhook(t.businessId, deep)).body.error_code).toBe("INVALID_PAYLOAD");
      const huge = JSON.stringify({ pad: "x".repeat(200 * 1024) });
      const big = await postWebhook(t.businessId, huge);
      expect(big.status).toBe(413);
      expect(big.body.error_code).toBe("PAYLOAD_TOO_LARGE");
      // A streamed body without Content-Length is cut off at the cap, not read whole.
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(ctrl) {
          sent += 1;
          if (sent > 64) ctrl.close();
          else ctrl.enqueue(chunk);
        },
      });
      const streamed = await exports.default.fetch(new Request(`https://ping.test/webhook/${t.businessId}`, { method: "POST", body: stream, headers: { "content-type": "application/json" } }));
      expect(streamed.status).toBe(413);
      expect(sent).toBeLessThan(10);
      const logs = await logsOf(t, "?status=rejected");
      expect(logs.length).toBe(8);
      expect(logs.every((l) => l.payload.length <= 16 * 1024)).toBe(true);
    });
  });
});
