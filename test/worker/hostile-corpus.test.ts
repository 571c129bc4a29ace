// The hostile-input corpus (issue 8, "Done means"): every outside entry point — the REST API, the webhook
// endpoint (plain and token URL), the seed endpoints, the Meta webhook and the gateway channel — gets malformed
// JSON, 20k-deep nesting, 2 MB bodies, prototype keys and wrong types. Not one response may be ≥ 500, nothing
// may leak into Object.prototype, and what was accepted before the barrage is still there and still delivered.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { openGateway } from "./gateway-client";
import { call, createApiKey, createDevice, eventually, signup } from "./helpers";
import { createRule, postWebhook, scalevEvent, tenantWithDevice } from "./webhook-fixtures";

const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
const TWO_MB = 2 * 1024 * 1024;

/** Bodies as raw text; each is sent with Content-Type application/json unless the entry says otherwise. */
const CORPUS: { name: string; body: string | Uint8Array; type?: string }[] = [
  { name: "truncated JSON", body: '{"to": "0812", "text": ' },
  { name: "just a brace", body: "{" },
  { name: "NUL bytes", body: '{"a":"\u0000\u0000"}' },
  { name: "invalid UTF-8", body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
  { name: "20k-deep array", body: deep(20_000) },
  { name: "20k-deep object", body: deepObject(20_000) },
  { name: "2 MB string", body: `{"text":"${"a".repeat(TWO_MB)}"}` },
  { name: "2 MB of keys", body: `{${Array.from({ length: 70_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`.padEnd(TWO_MB, " ") },
  { name: "__proto__ key", body: '{"__proto__":{"polluted":"yes","role":"super_admin"},"to":"081234567890","text":"x"}' },
  { name: "constructor.prototype", body: '{"constructor":{"prototype":{"polluted":"yes"}},"event":"order.created","data":{"__proto__":{"polluted":"yes"}}}' },
  { name: "array", body: "[1,2,3]" },
  { name: "null", body: "null" },
  { name: "number", body: "42" },
  { name: "string", body: '"hello"' },
  { name: "wrong field types", body: '{"to":{},"text":[],"device_key":12,"phone":true,"api_key":{},"method":[],"from":1,"message_id":null,"message":{},"email":[],"password":{}}' },
  { name: "huge number", body: '{"to":1e400,"text":-1e400,"limit":99999999999999999999999}' },
  { name: "form-encoded", body: "to=0812&text=x", type: "application/x-www-form-urlencoded" },
  { name: "no content type", body: '{"a":1}', type: "" },
];

type Target = { name: string; path: string; method?: string; headers?: Record<string, string>; cookie?: string };

async function send(t: Target, entry: (typeof CORPUS)[number]): Promise<number> {
  const headers = new Headers(t.headers);
  if (entry.type !== "") headers.set("content-type", entry.type ?? "application/json");
  if (t.cookie) {
    headers.set("cookie", t.cookie);
    headers.set("origin", "http://localhost:8787");
  }
  const res = await exports.default.fetch(new Request(`https://ping.test${t.path}`, { method: t.method ?? "POST", headers, body: entry.body }));
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${t.name} ← ${entry.name}: ${res.status} ${text.slice(0, 300)}`);
  return res.status;
}

describe("hostile-input corpus", () => {
  it("no entry point answers ≥ 500, nothing is polluted, and what was accepted before is kept and delivered", async () => {
    const t = await tenantWithDevice();
    await createRule(t, {});
    const key = await createApiKey(t);
    const cloud = await createDevice(t, "cloud_api");
    const baileys = await createDevice(t, "baileys");

    // Accepted before the barrage: one API send and one webhook event.
    const sent = await call("/api/v1/messages", { json: { device_key: t.deviceKey, to: "081234567890", text: "sebelum" }, key, headers: { "idempotency-key": "before-1" } });
    expect(sent.status).toBe(202);
    const hook = await postWebhook(t.businessId, scalevEvent("evt-before-corpus"));
    expect(hook.status).toBe(200);
    const before = await env.DB.prepare("SELECT id FROM messages WHERE business_id = ? ORDER BY id").bind(t.businessId).all<{ id: string }>();
    expect(before.results.length).toBe(2);
    const token = (await call("/api/v1/settings/webhook-token", { method: "POST", cookie: t.cookie })).body.webhook_token_url as string;

    const targets: Target[] = [
      { name: "login", path: "/api/v1/auth/login", headers: { "cf-connecting-ip": "198.51.100.200" } },
      { name: "password reset", path: "/api/v1/auth/password-reset", headers: { "cf-connecting-ip": "198.51.100.201" } },
      { name: "send (API key)", path: "/api/v1/messages", headers: { authorization: `Bearer ${key}` } },
      { name: "templates (cookie)", path: "/api/v1/templates", cookie: t.cookie },
      { name: "settings (cookie)", path: "/api/v1/settings", method: "PATCH", cookie: t.cookie },
      { name: "webhook rules test", path: "/api/v1/webhook-rules/test", cookie: t.cookie },
      { name: "sandbox chat", path: `/api/v1/devices/${t.deviceKey}/sandbox/inbound`, cookie: t.cookie },
      { name: "webhook", path: `/webhook/${t.businessId}` },
      { name: "webhook (Scalev UA)", path: `/webhook/${t.businessId}`, headers: { "user-agent": "Scalev-Webhook/1.0" } },
      { name: "webhook token URL", path: new URL(token).pathname },
      { name: "seed send-message", path: "/api-app/whatsapp/send-message" },
      { name: "seed callback", path: `/api-app/whatsapp/callback/device_${t.deviceKey}` },
      { name: "meta webhook", path: `/meta/webhook/${cloud.device_key}`, headers: { "x-hub-signature-256": `sha256=${"0".repeat(64)}` } },
      { name: "gateway media", path: `/gateway/v1/devices/${baileys.device_key}/media`, headers: { authorization: "Bearer gw-test:gateway-test-secret" } },
    ];
    const statuses = new Map<string, Set<number>>();
    for (const target of targets) {
      for (const entry of CORPUS) {
        const status = await send(target, entry);
        statuses.set(target.name, (statuses.get(target.name) ?? new Set()).add(status));
      }
    }
    // Every target refused the junk with a 4xx (a stray 2xx is allowed only where the body is ignored).
    for (const [name, seen] of statuses) expect([...seen].every((s) => s < 500), name).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).role).toBeUndefined();

    // The gateway channel: the same corpus as frames, then the channel still works.
    await call(`/internal/devices/${baileys.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    const gw = await openGateway(baileys.device_key);
    expect(gw.status).toBe(101);
    gw.send({ type: "hello", v: 1, gateway_id: "gw-test", status: "connected" });
    await gw.next("welcome");
    for (const entry of CORPUS) {
      if (typeof entry.body !== "string" || entry.body.length > 1024 * 1024) continue; // frames above 1 MB are refused by the runtime itself
      gw.ws?.send(entry.body);
    }
    gw.ws?.send(new Uint8Array([1, 2, 3]));
    gw.send({ type: "ping", t: 7 });
    const pong = await gw.next("pong");
    expect(pong.t).toBe(7);
    expect(gw.closed === null || gw.closed.code !== 1011).toBe(true);
    gw.close();

    // Nothing accepted before is lost: both rows are still there and reach the sandbox's final state.
    const after = await env.DB.prepare("SELECT id, status FROM messages WHERE business_id = ? AND id IN (?, ?)").bind(t.businessId, before.results[0]?.id, before.results[1]?.id).all<{ id: string; status: string }>();
    expect(after.results.length).toBe(2);
    for (const m of before.results) {
      await eventually(async () => {
        const row = await env.DB.prepare("SELECT status FROM messages WHERE id = ?").bind(m.id).first<{ status: string }>();
        return row && row.status !== "queued" && row.status !== "failed";
      }, 10_000, `message ${m.id} delivered`);
    }
  }, 120_000);
});
