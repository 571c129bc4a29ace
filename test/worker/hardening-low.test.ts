// Issue 8, the low items: Idempotency-Key reuse, own-property template variables, the rendered-size cap, the
// Meta webhook's streamed body cap, QR/pairing codes hidden from staff, API key expiry and read-only scope.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hmacSha256, toHex } from "../../worker/lib/crypto";
import { openGateway } from "./gateway-client";
import { call, createApiKey, createDevice, eventually, member, signup } from "./helpers";
import { LOCAL_GRAPH_TOKEN, servers } from "./servers";

describe("Idempotency-Key", () => {
  it("replays the same request, and refuses the same key with a different body (409 IDEMPOTENCY_KEY_REUSED)", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const key = await createApiKey(t);
    const body = { device_key: d.device_key, to: "081234567890", text: "Pesanan diterima" };
    const first = await call("/api/v1/messages", { json: body, key, headers: { "idempotency-key": "order-77" } });
    expect(first.status).toBe(202);
    const replay = await call("/api/v1/messages", { json: body, key, headers: { "idempotency-key": "order-77" } });
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(first.body.id);
    const other = await call("/api/v1/messages", { json: { ...body, text: "Pesanan dibatalkan" }, key, headers: { "idempotency-key": "order-77" } });
    expect(other.status).toBe(409);
    expect(other.body.error_code).toBe("IDEMPOTENCY_KEY_REUSED");
    // The seed's send-message follows the same rule.
    const seed = { phone: "081234567890", device_key: d.device_key, api_key: key, method: "text", text: "satu" };
    expect((await call("/api-app/whatsapp/send-message", { json: seed, headers: { "idempotency-key": "seed-1" } })).status).toBe(200);
    expect((await call("/api-app/whatsapp/send-message", { json: seed, headers: { "idempotency-key": "seed-1" } })).status).toBe(200);
    const seedOther = await call("/api-app/whatsapp/send-message", { json: { ...seed, text: "dua" }, headers: { "idempotency-key": "seed-1" } });
    expect(seedOther.status).toBe(409);
    expect(seedOther.body).toMatchObject({ status: false, error_code: "IDEMPOTENCY_KEY_REUSED" });
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM messages WHERE business_id = ?").bind(t.businessId).first<{ n: number }>();
    expect(rows?.n).toBe(2);
  });
});

describe("Ping templates", () => {
  it("{var} placeholders read own properties only: {constructor} and {__proto__} are missing, not Object's", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const tpl = await call("/api/v1/templates", { json: { name: "proto", body: "Halo {constructor} {toString}" }, cookie: t.cookie });
    expect(tpl.status).toBe(201);
    const res = await call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", template: "proto" }, cookie: t.cookie });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe("TEMPLATE_VARIABLE_MISSING");
    expect(res.body.details.missing).toEqual(["constructor", "toString"]);
  });

  it("a rendered message over WhatsApp's 4096 characters is refused with a clear error", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    await call("/api/v1/templates", { json: { name: "long", body: "{a}{b}" }, cookie: t.cookie });
    const res = await call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", template: "long", variables: { a: "x".repeat(3000), b: "y".repeat(3000) } }, cookie: t.cookie });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe("MESSAGE_TOO_LONG");
    expect(res.body.message).toContain("6000");
  });
});

describe("Meta webhook body cap", () => {
  it("stops reading a body past the cap instead of buffering all of it", async () => {
    const t = await signup();
    const d = await createDevice(t, "cloud_api");
    const cfg = { phone_number_id: "200000000000009", access_token: LOCAL_GRAPH_TOKEN, graph_api_base: `${servers().local}/graph`, app_secret: "app-secret-x", verify_token: "verify-token-x" };
    expect((await call(`/api/v1/devices/${d.device_key}/cloud-api`, { method: "PUT", json: cfg, cookie: t.cookie })).status).toBe(200);
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(32);
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        // 32 MB on offer; a capped reader takes a little over 1 MB of it.
        if (pulled >= 32 * 1024 * 1024) return ctrl.close();
        pulled += chunk.byteLength;
        ctrl.enqueue(chunk);
      },
    });
    const sig = toHex(await hmacSha256("app-secret-x", "x"));
    const res = await exports.default.fetch(new Request(`https://ping.test/meta/webhook/${d.device_key}`, { method: "POST", body, headers: { "x-hub-signature-256": `sha256=${sig}` }, duplex: "half" } as RequestInit));
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(4 * 1024 * 1024);
  });
});

describe("pairing codes", () => {
  it("staff see the device status but never its QR or pairing code (API and dashboard); admins do", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    const gw = await openGateway(d.device_key);
    gw.send({ type: "hello", v: 1, gateway_id: "gw-test", status: "starting" });
    await gw.next("welcome");
    gw.send({ type: "status", status: "qr", qr: "2@SECRETQRSTRING,abc" });
    await eventually(async () => (await call(`/api/v1/devices/${d.device_key}/live`, { cookie: t.cookie })).body.qr === "2@SECRETQRSTRING,abc", 5000, "qr");
    const staff = await member(t, "staff");
    const live = await call(`/api/v1/devices/${d.device_key}/live`, { cookie: staff.cookie });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: "qr", qr: null, pairing_code: null });
    const page = await call(`/app/devices/${d.device_key}`, { cookie: staff.cookie });
    expect(page.text).not.toContain("SECRETQRSTRING");
    const adminPage = await call(`/app/devices/${d.device_key}`, { cookie: t.cookie });
    expect(adminPage.text).toContain("SECRETQRSTRING");
    gw.send({ type: "status", status: "pairing_code", pairing_code: "ABCD-EFGH" });
    await eventually(async () => (await call(`/api/v1/devices/${d.device_key}/live`, { cookie: t.cookie })).body.pairing_code === "ABCD-EFGH", 5000, "code");
    expect((await call(`/api/v1/devices/${d.device_key}/live`, { cookie: staff.cookie })).body.pairing_code).toBeNull();
    expect((await call(`/app/devices/${d.device_key}`, { cookie: staff.cookie })).text).not.toContain("ABCD-EFGH");
    gw.close();
  });
});

describe("API key expiry and read-only scope", () => {
  it("a read-only key reads but every write route refuses it (403 READ_ONLY_KEY)", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const made = await call("/api/v1/api-keys", { json: { name: "reporting", scope: "read_only" }, cookie: t.cookie });
    expect(made.status).toBe(201);
    expect(made.body.scope).toBe("read_only");
    const key = made.body.api_key as string;
    expect((await call("/api/v1/messages", { key })).status).toBe(200);
    expect((await call(`/api/v1/devices/${d.device_key}`, { key })).status).toBe(200);
    const writes: [string, string, unknown][] = [
      ["POST", "/api/v1/messages", { device_key: d.device_key, to: "081234567890", text: "x" }],
      ["POST", "/api/v1/templates", { name: "x", body: "y" }],
      ["PATCH", "/api/v1/settings", { name: "Diretas" }],
      ["PATCH", `/api/v1/devices/${d.device_key}`, { name: "x" }],
      ["DELETE", `/api/v1/devices/${d.device_key}`, undefined],
      ["POST", "/api/v1/webhook-rules", {}],
    ];
    for (const [method, path, json] of writes) {
      const r = await call(path, { method, json, key });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error_code).toBe("READ_ONLY_KEY");
    }
    const seed = await call("/api-app/whatsapp/send-message", { json: { phone: "081234567890", device_key: d.device_key, api_key: key, method: "text", text: "x" } });
    expect(seed.status).toBe(403);
    expect(seed.body).toMatchObject({ status: false, error_code: "READ_ONLY_KEY" });
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM messages WHERE business_id = ?").bind(t.businessId).first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("an expired key stops working (401 API_KEY_EXPIRED); an expiry in the past is refused at creation", async () => {
    const t = await signup();
    const past = await call("/api/v1/api-keys", { json: { name: "old", expires_at: Date.now() - 1000 }, cookie: t.cookie });
    expect(past.status).toBe(400);
    const made = await call("/api/v1/api-keys", { json: { name: "soon", expires_at: Date.now() + 60_000 }, cookie: t.cookie });
    expect(made.status).toBe(201);
    expect((await call("/api/v1/me", { key: made.body.api_key })).status).toBe(200);
    await env.DB.prepare("UPDATE api_keys SET expires_at = ? WHERE id = ?").bind(Date.now() - 1, made.body.id).run();
    const late = await call("/api/v1/me", { key: made.body.api_key });
    expect(late.status).toBe(401);
    expect(late.body.error_code).toBe("API_KEY_EXPIRED");
    const listed = await call("/api/v1/api-keys", { cookie: t.cookie });
    expect(listed.body.items[0]).toMatchObject({ name: "soon", scope: "full" });
    expect(typeof listed.body.items[0].expires_at).toBe("number");
  });
});
