// The seed's send-message and callback endpoints, and the device webhook (payload, signature, retries, log, SSRF).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hmacSha256, fromBase64, toBase64 } from "../../worker/lib/crypto";
import { webhookUrlProblem } from "../../worker/lib/webhook-url";
import { openGateway } from "./gateway-client";
import { call, createApiKey, createDevice, eventually, signup, type Tenant } from "./helpers";
import { records, servers } from "./servers";

type Hook = { headers: Record<string, string>; body: string; attempt: number };

async function expire(t: Tenant) {
  const r = await call(`/internal/businesses/${t.businessId}/package`, { method: "PUT", json: { package: "trial", active_until: Date.now() - 1000 }, headers: { authorization: "Bearer operator-test-token" } });
  expect(r.status).toBe(200);
}

describe("POST /api-app/whatsapp/send-message (seed)", () => {
  it("sends text with api_key in the body, phone in any form, device_key auto-picked when there is one device", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const apiKey = await createApiKey(t);
    const r = await call("/api-app/whatsapp/send-message", { json: { phone: "0812 9064 1111", api_key: apiKey, method: "text", text: "Hallo guys!", is_group: false } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: true, message: "Berhasil mengirimkan pesan" });
    const list = await call(`/api/v1/messages?to=6281290641111`, { cookie: t.cookie });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ device_key: d.device_key, to: "6281290641111@s.whatsapp.net", text: "Hallo guys!", source: "api" });
    await eventually(async () => (await call(`/api/v1/messages/${list.body.items[0].id}`, { cookie: t.cookie })).body.status === "delivered", 8000, "delivered");
  });

  it("sends a template by id with the seed's {var} keys; groups need device_key", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    await createDevice(t, "sandbox");
    const apiKey = await createApiKey(t);
    const tpl = await call("/api/v1/templates", { json: { name: "salam", body: "Halo {name} dari {business_name}" }, cookie: t.cookie });
    const noDevice = await call("/api-app/whatsapp/send-message", { json: { phone: "081290641111", api_key: apiKey, method: "text", text: "x", is_group: false } });
    expect(noDevice.status).toBe(400);
    expect(noDevice.body).toMatchObject({ status: false, error_code: "DEVICE_KEY_REQUIRED" });
    const r = await call("/api-app/whatsapp/send-message", {
      json: { phone: "120363001234567890@g.us", device_key: d.device_key, api_key: apiKey, method: "template", template: tpl.body.id, is_group: true, variables: { "{business_name}": "My Store", "{name}": "Budi" } },
    });
    expect(r.body).toEqual({ status: true, message: "Berhasil mengirimkan pesan" });
    const list = await call(`/api/v1/messages?to=${encodeURIComponent("120363001234567890@g.us")}`, { cookie: t.cookie });
    expect(list.body.items[0]).toMatchObject({ text: "Halo Budi dari My Store", to: "120363001234567890@g.us" });
    const missing = await call("/api-app/whatsapp/send-message", { json: { phone: "081290641111", device_key: d.device_key, api_key: apiKey, method: "template", template: tpl.body.id, variables: {} } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ status: false, error_code: "TEMPLATE_VARIABLE_MISSING" });
  });

  it("answers failures as {status:false, message} with a 4xx: bad key, bad body, inactive package", async () => {
    const t = await signup();
    await createDevice(t, "sandbox");
    const apiKey = await createApiKey(t);
    const bad = await call("/api-app/whatsapp/send-message", { json: { phone: "081290641111", api_key: "nope", method: "text", text: "x" } });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ status: false, error_code: "INVALID_API_KEY" });
    expect(typeof bad.body.message).toBe("string");
    const noText = await call("/api-app/whatsapp/send-message", { json: { phone: "081290641111", api_key: apiKey, method: "text" } });
    expect(noText.status).toBe(400);
    expect(noText.body.status).toBe(false);
    const method = await call("/api-app/whatsapp/send-message", { json: { phone: "081290641111", api_key: apiKey, method: "voice", text: "x" } });
    expect(method.status).toBe(400);
    const junk = await call("/api-app/whatsapp/send-message", { raw: "{not json" });
    expect(junk.status).toBe(400);
    expect(junk.body.status).toBe(false);
    await expire(t);
    const inactive = await call("/api-app/whatsapp/send-message", { json: { phone: "081290641111", api_key: apiKey, method: "text", text: "x" } });
    expect(inactive.status).toBe(403);
    expect(inactive.body).toMatchObject({ status: false, error_code: "PACKAGE_NOT_ACTIVE" });
  });
});

describe("POST /api-app/whatsapp/callback/:session_id (seed)", () => {
  it("with the api_key, runs the inbound path on a sandbox device and answers the seed's shape with reply:false when nothing would reply", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const apiKey = await createApiKey(t);
    const body = { from: "6281290600001@s.whatsapp.net", message_id: "18DD98462C8AA16C5A598C3DEBA0879B", message: "Halo", from_name: "Bhisma Kalijaga", type: "single", api_key: apiKey };
    const r = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: body });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ message: {}, receiver: "6281290600001@s.whatsapp.net", session_id: `device_${d.device_key}`, autoread: false, reply: false });
    // The docs' example id again: answered the same, stored once.
    expect((await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: body })).body.reply).toBe(false);
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM messages WHERE business_id = ? AND direction = 'in'").bind(t.businessId).first<{ n: number }>();
    expect(stored?.n).toBe(1);
    const contact = await env.DB.prepare("SELECT name FROM contacts WHERE business_id = ?").bind(t.businessId).first<{ name: string }>();
    expect(contact?.name).toBe("Bhisma Kalijaga");
    expect((await call(`/api-app/whatsapp/callback/device_${crypto.randomUUID()}`, { json: body })).status).toBe(404);
    expect((await call(`/api-app/whatsapp/callback/${d.device_key}`, { json: body })).status).toBe(404);
  });
});

async function verifyStandardWebhook(secret: string, h: Hook): Promise<boolean> {
  const key = fromBase64(secret.replace(/^whsec_/, ""));
  const expected = toBase64(await hmacSha256(key, `${h.headers["webhook-id"]}.${h.headers["webhook-timestamp"]}.${h.body}`));
  return (h.headers["webhook-signature"] ?? "").split(" ").includes(`v1,${expected}`);
}

describe("device webhook", () => {
  async function hookedDevice(name: string, provider: "sandbox" | "baileys" = "sandbox") {
    const t = await signup();
    const d = await createDevice(t, provider, { webhook_url: `${servers().local}/hooks/${name}` });
    return { t, d };
  }

  it("forwards an inbound message in the seed's payload, signed with Standard Webhooks headers", async () => {
    const name = `ok-${crypto.randomUUID()}`;
    const { t, d } = await hookedDevice(name);
    const r = await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, { json: { from: "0812-3456-7890", name: "John Doe", text: "Halo, ini pesan test" }, cookie: t.cookie });
    expect(r.status).toBe(201);
    expect(r.body.reply).toBeNull();
    const [hook] = await eventually(async () => {
      const got = await records<Hook>(`hook:${name}`);
      return got.length ? got : undefined;
    }, 8000, "webhook");
    if (!hook) throw new Error("no hook");
    expect(JSON.parse(hook.body)).toEqual({ device_key: d.device_key, name: "John Doe", from: "6281234567890", message: "Halo, ini pesan test", type: "single" });
    expect(hook.headers["content-type"]).toBe("application/json");
    expect(hook.headers["webhook-id"]).toMatch(/^msg_/);
    expect(Math.abs(Number(hook.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(30);
    expect(d.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(await verifyStandardWebhook(d.webhook_secret, hook)).toBe(true);
    expect(await verifyStandardWebhook("whsec_" + toBase64(new Uint8Array(24)), hook)).toBe(false);
    const log = await call(`/api/v1/devices/${d.device_key}/webhook-deliveries`, { cookie: t.cookie });
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({ attempt: 1, ok: true, status_code: 200, event_id: hook.headers["webhook-id"] });
  });

  it("retries a failing endpoint with backoff under the same webhook-id, and logs every attempt", async () => {
    const name = `fail2-${crypto.randomUUID()}`;
    const { t, d } = await hookedDevice(name);
    await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, { json: { from: "081234567891", text: "coba lagi" }, cookie: t.cookie });
    const hooks = await eventually(async () => {
      const got = await records<Hook>(`hook:${name}`);
      return got.length >= 3 ? got : undefined;
    }, 15_000, "three attempts");
    expect(new Set(hooks.map((h) => h.headers["webhook-id"])).size).toBe(1);
    const log = await eventually(async () => {
      const l = await call(`/api/v1/devices/${d.device_key}/webhook-deliveries`, { cookie: t.cookie });
      return l.body.items.length >= 3 ? l.body.items : undefined;
    }, 5000, "log");
    expect(log.map((i: { attempt: number; ok: boolean; status_code: number }) => [i.attempt, i.ok, i.status_code]).reverse()).toEqual([
      [1, false, 500],
      [2, false, 500],
      [3, true, 200],
    ]);
  });

  it("file messages carry the file fields (message null without text); reactions, stickers, disappearing messages and inactive packages send nothing", async () => {
    const name = `files-${crypto.randomUUID()}`;
    const { t, d } = await hookedDevice(name, "baileys");
    await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    const gw = await openGateway(d.device_key);
    gw.send({ type: "hello", v: 1, gateway_id: "gw-test", status: "connected" });
    await gw.next("welcome");
    const up = await call(`/gateway/v1/devices/${d.device_key}/media`, { method: "POST", raw: "%PDF-1.4 test", headers: { authorization: "Bearer gw-test:gateway-test-secret", "content-type": "application/pdf" } });
    const base = { chat_jid: "6289876543210@s.whatsapp.net", sender_jid: "6289876543210@s.whatsapp.net", push_name: "Jane Smith", timestamp: 1795000000, is_group: false, is_ephemeral: false };
    const send = async (id: string, extra: Record<string, unknown>) => {
      gw.send({ type: "inbound", event_id: id, message: { ...base, wa_message_id: id, kind: "text", text: null, ...extra } as never });
      await gw.next("inbound_ack");
    };
    await send("W-doc", { kind: "document", media: up.body });
    await send("W-react", { kind: "reaction", text: "👍", reaction_to: "W-doc" });
    await send("W-sticker", { kind: "sticker", media: up.body });
    await send("W-eph", { kind: "text", text: "rahasia", is_ephemeral: true });
    await send("W-text", { kind: "text", text: "terakhir" });
    const hooks = await eventually(async () => {
      const got = await records<Hook>(`hook:${name}`);
      return got.length >= 2 ? got : undefined;
    }, 8000, "hooks");
    await new Promise((ok) => setTimeout(ok, 1500));
    const bodies = (await records<Hook>(`hook:${name}`)).map((h) => JSON.parse(h.body));
    expect(bodies).toHaveLength(2);
    const doc = bodies.find((b) => b.file_url);
    expect(doc).toEqual({
      device_key: d.device_key,
      name: "Jane Smith",
      from: "6289876543210",
      message: null,
      type: "single",
      file_url: expect.stringMatching(new RegExp(`^http://localhost:8787/media/${t.businessId}/[A-Za-z0-9_-]{32}$`)),
      file_type: "application/pdf",
      file_size: 13,
      file_category: "pdf",
    });
    expect(bodies.find((b) => !b.file_url)).toMatchObject({ message: "terakhir" });
    expect(hooks.length).toBeGreaterThanOrEqual(2);

    await expire(t);
    await send("W-after", { kind: "text", text: "paket habis" });
    await new Promise((ok) => setTimeout(ok, 1500));
    expect(await records<Hook>(`hook:${name}`)).toHaveLength(2);
    gw.close();
  });

  it("refuses private, metadata, loopback (unless allowed) and non-http URLs", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    for (const url of ["http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data", "http://192.168.1.10/", "ftp://example.com/x", "http://[fd00::1]/", "http://metadata.google.internal/", "http://user:pw@example.com/"]) {
      const r = await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { webhook_url: url }, cookie: t.cookie });
      expect(r.status, url).toBe(400);
      expect(r.body.error_code).toBe("INVALID_WEBHOOK_URL");
    }
    expect(webhookUrlProblem("http://127.0.0.1:9000/x", false)).toMatch(/not allowed/);
    expect(webhookUrlProblem("http://[::ffff:127.0.0.1]/x", false)).toMatch(/not allowed/);
    expect(webhookUrlProblem("http://localhost/x", false)).not.toBeNull();
    expect(webhookUrlProblem("http://127.0.0.1:9000/x", true)).toBeNull();
    expect(webhookUrlProblem("https://hooks.example.co.id/ping", false)).toBeNull();
  });
});
