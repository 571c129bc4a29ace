// The outbound pipeline end to end in workerd: REST send → D1 row → queue → DeviceSession → provider,
// with idempotency, duplicate queue deliveries, backpressure/DLQ, the outbox sweep and pacing by alarms.
import { createExecutionContext, createMessageBatch, createScheduledController, env, evictDurableObject, getQueueResult, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { jobFor } from "../../worker/messaging/enqueue";
import { msUntilWindowOpens, nextSendAt } from "../../worker/messaging/pacing";
import { defaultSettings } from "../../worker/messaging/settings";
import { openGateway } from "./gateway-client";
import { call, createApiKey, createDevice, eventually, queueTestMessages, signup, type Tenant } from "./helpers";

async function message(t: Tenant, id: string) {
  return (await call(`/api/v1/messages/${id}`, { cookie: t.cookie })).body;
}

async function gatewayDevice(t: Tenant, settings: Record<string, unknown> = { pacing_enabled: false }) {
  const d = await createDevice(t, "baileys");
  await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
  const patched = await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings }, cookie: t.cookie });
  expect(patched.status).toBe(200);
  const gw = await openGateway(d.device_key);
  gw.send({ type: "hello", v: 1, gateway_id: "gw-test", status: "connected" });
  await gw.next("welcome");
  return { d, gw };
}

async function outbox(t: Tenant, deviceKey: string) {
  return (await call(`/api/v1/devices/${deviceKey}/live`, { cookie: t.cookie })).body.outbox as { pending: number; leased: number };
}

describe("REST send on the sandbox", () => {
  it("queues, then the sandbox makes it sent and delivered; the same Idempotency-Key never sends twice", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const key = await createApiKey(t);
    const send = () => call("/api/v1/messages", { json: { to: "0812-3456-7890", text: "Pesanan diterima" }, key, headers: { "idempotency-key": "order-77" } });
    const first = await send();
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ device_key: d.device_key, to: "6281234567890@s.whatsapp.net", text: "Pesanan diterima", status: "queued", direction: "out" });
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
    await eventually(async () => (await message(t, first.body.id)).status === "delivered", 8000, "delivered");
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM messages WHERE business_id = ?").bind(t.businessId).first<{ n: number }>();
    expect(count?.n).toBe(1);
    const list = await call(`/api/v1/messages?device_key=${d.device_key}&to=081234567890&status=delivered`, { key });
    expect(list.body.items.map((m: { id: string }) => m.id)).toEqual([first.body.id]);
    expect(list.body.next_cursor).toBeNull();
  });

  it("validates input with clear errors, and another tenant's message is a 404", async () => {
    const t = await signup();
    await createDevice(t, "sandbox");
    const both = await call("/api/v1/messages", { json: { to: "0812345678", text: "a", template: "x" }, cookie: t.cookie });
    expect(both.status).toBe(400);
    expect(both.body.error_code).toBe("VALIDATION_ERROR");
    const phone = await call("/api/v1/messages", { json: { to: "12", text: "a" }, cookie: t.cookie });
    expect(phone.status).toBe(400);
    const r = await call("/api/v1/messages", { json: { to: "081234567890", text: "halo" }, cookie: t.cookie });
    const other = await signup("Toko Lain");
    expect((await call(`/api/v1/messages/${r.body.id}`, { cookie: other.cookie })).status).toBe(404);
    expect((await call(`/api/v1/messages?status=nope`, { cookie: t.cookie })).status).toBe(400);
  });

  it("templates render {name} variables and report missing ones", async () => {
    const t = await signup();
    await createDevice(t, "sandbox");
    const tpl = await call("/api/v1/templates", { json: { name: "terima_kasih", body: "Halo {name}, terima kasih sudah belanja di {business_name}!" }, cookie: t.cookie });
    expect(tpl.status).toBe(201);
    expect(tpl.body.variables).toEqual(["name", "business_name"]);
    expect((await call("/api/v1/templates", { json: { name: "terima_kasih", body: "x" }, cookie: t.cookie })).status).toBe(409);
    const ok = await call("/api/v1/messages", { json: { to: "081234567890", template: tpl.body.id, variables: { "{name}": "Budi", business_name: "Toko Maju" } }, cookie: t.cookie });
    expect(ok.status).toBe(202);
    expect(ok.body.text).toBe("Halo Budi, terima kasih sudah belanja di Toko Maju!");
    const missing = await call("/api/v1/messages", { json: { to: "081234567890", template: "terima_kasih", variables: { name: "Budi" } }, cookie: t.cookie });
    expect(missing.status).toBe(400);
    expect(missing.body.error_code).toBe("TEMPLATE_VARIABLE_MISSING");
    const patched = await call(`/api/v1/templates/${tpl.body.id}`, { method: "PATCH", json: { body: "Hai {name}" }, cookie: t.cookie });
    expect(patched.body.variables).toEqual(["name"]);
    expect((await call(`/api/v1/templates/${tpl.body.id}`, { method: "DELETE", cookie: t.cookie })).status).toBe(200);
    expect((await call(`/api/v1/templates/${tpl.body.id}`, { cookie: t.cookie })).status).toBe(404);
  });
});

describe("at-least-once delivery never duplicates a send", () => {
  it("the same job delivered three times reaches the gateway once", async () => {
    const t = await signup();
    const { d, gw } = await gatewayDevice(t);
    const [m] = await queueTestMessages(t, d.device_key, ["sekali saja"], "transactional");
    if (!m) throw new Error("no row");
    await env.OUTBOUND.send(jobFor(m), { contentType: "json" });
    await env.OUTBOUND.send(jobFor(m), { contentType: "json" });
    gw.send({ type: "credit", n: 10 });
    const job = await gw.next("job");
    gw.send({ type: "ack", job_id: job.job_id, wa_message_id: "WA-1" });
    await eventually(async () => (await message(t, m.id)).status === "sent", 5000, "sent");
    await env.OUTBOUND.send(jobFor(m), { contentType: "json" });
    await new Promise((ok) => setTimeout(ok, 2500));
    expect(gw.frames.filter((f) => f.type === "job")).toHaveLength(1);
    gw.close();
  });

  it("a full outbox defers jobs back to the queue with backoff; the dead-letter queue marks them failed with the reason", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    const created = await queueTestMessages(t, d.device_key, Array.from({ length: 40 }, (_, i) => `m${i}`), "broadcast");
    await eventually(async () => (await outbox(t, d.device_key)).pending === 40, 8000, "outbox full");
    const [extra] = await queueTestMessages(t, d.device_key, ["one too many"], "broadcast");
    if (!extra || !created[0]) throw new Error("no rows");
    // The consumer's decision for that job, observed directly.
    const batch = createMessageBatch("outbound", [{ id: "q1", timestamp: Date.now(), attempts: 3, body: jobFor(extra) }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toMatchObject([{ msgId: "q1" }]);
    expect(result.explicitAcks).toEqual([]);
    expect((await message(t, extra.id)).status).toBe("queued");

    const dlq = createMessageBatch("outbound-dlq", [{ id: "d1", timestamp: Date.now(), attempts: 9, body: jobFor(extra) }]);
    const ctx2 = createExecutionContext();
    await worker.queue(dlq, env, ctx2);
    expect((await getQueueResult(dlq, ctx2)).explicitAcks).toEqual(["d1"]);
    const failed = await message(t, extra.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/dead-lettered/);
  });

  it("the cron sweep re-enqueues a row whose job was lost between insert and enqueue", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const id = crypto.randomUUID();
    // The crash: a row written, no queue job sent.
    await env.DB.prepare(
      "INSERT INTO messages (id, business_id, device_key, idempotency_key, to_jid, text, source, created_at) VALUES (?, ?, ?, ?, ?, ?, 'api', ?)",
    )
      .bind(id, t.businessId, d.device_key, `crash:${id}`, "6281234567890@s.whatsapp.net", "selamat", Date.now() - 120_000)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController(), env, ctx);
    await getQueueResult(createMessageBatch("outbound", []), ctx);
    await eventually(async () => (await message(t, id)).status === "delivered", 8000, "delivered after sweep");
    const accepted = await env.DB.prepare("SELECT accepted_at FROM messages WHERE id = ?").bind(id).first<{ accepted_at: number | null }>();
    expect(accepted?.accepted_at).toBeGreaterThan(0);
  });
});

describe("pacing", () => {
  it("sends transactional jobs ahead of broadcast ones waiting in the same outbox", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { pacing_enabled: false } }, cookie: t.cookie });
    await queueTestMessages(t, d.device_key, ["b1", "b2"], "broadcast");
    await eventually(async () => (await outbox(t, d.device_key)).pending === 2, 8000, "broadcasts waiting");
    await queueTestMessages(t, d.device_key, ["t1", "t2"], "transactional");
    await eventually(async () => (await outbox(t, d.device_key)).pending === 4, 8000, "all waiting");
    const gw = await openGateway(d.device_key);
    gw.send({ type: "hello", v: 1, gateway_id: "gw-test", status: "connected" });
    gw.send({ type: "credit", n: 4 });
    const jobs = await gw.take("job", 4);
    expect(jobs.map((j) => (j.content.kind === "text" ? j.content.text : ""))).toEqual(["t1", "t2", "b1", "b2"]);
    gw.close();
  });

  it("keeps the minimum gap between sends with the object's alarm, and the state survives eviction", async () => {
    const t = await signup();
    const { d, gw } = await gatewayDevice(t, { pacing_enabled: true, min_gap_seconds: 1, jitter_seconds: 0.2, max_per_minute: 100, window_lanes: "none" });
    gw.send({ type: "credit", n: 10 });
    await queueTestMessages(t, d.device_key, ["1", "2", "3"], "transactional");
    const first = await gw.next("job");
    const t1 = Date.now();
    const stub = env.DEVICE_SESSION.get(env.DEVICE_SESSION.idFromName(d.device_key));
    const alarm = await runInDurableObject(stub, (_o, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect((alarm ?? 0) - first.lease_until + 1500).toBeGreaterThanOrEqual(1000);
    const second = await gw.next("job", 5000);
    const t2 = Date.now();
    expect(t2 - t1).toBeGreaterThanOrEqual(950);
    expect(t2 - t1).toBeLessThan(3000);
    expect(second.lease_until - first.lease_until).toBeGreaterThanOrEqual(1000);
    expect(second.lease_until - first.lease_until).toBeLessThanOrEqual(1300);
    const third = await gw.next("job", 5000);
    expect(third.lease_until - second.lease_until).toBeGreaterThanOrEqual(1000);
    for (const j of [first, second, third]) gw.send({ type: "ack", job_id: j.job_id, wa_message_id: `WA-${j.job_id}` });
    await new Promise((ok) => setTimeout(ok, 200));
    // Eviction keeps the counters (storage, not memory): the per-minute window still holds three sends.
    await evictDurableObject(stub);
    const sends = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM sends").one().n);
    expect(sends).toBe(3);
    gw.close();
  });

  it("holds sends beyond the per-minute cap until the minute has passed", async () => {
    const t = await signup();
    const { d, gw } = await gatewayDevice(t, { pacing_enabled: true, min_gap_seconds: 0, jitter_seconds: 0, max_per_minute: 2, window_lanes: "none" });
    gw.send({ type: "credit", n: 10 });
    // Caps are the broadcast lane's (issue 9): a transactional send only ever waits one transactional gap.
    await queueTestMessages(t, d.device_key, ["1", "2", "3"], "broadcast");
    await gw.take("job", 2);
    for (const j of gw.frames.filter((f) => f.type === "job")) if (j.type === "job") gw.send({ type: "ack", job_id: j.job_id, wa_message_id: `WA-${j.job_id}` });
    await new Promise((ok) => setTimeout(ok, 1200));
    expect(gw.frames.filter((f) => f.type === "job")).toHaveLength(2);
    expect(await outbox(t, d.device_key)).toEqual({ pending: 1, leased: 0 });
    // Waking the object early changes nothing: the cap, not the wake-up, decides.
    const stub = env.DEVICE_SESSION.get(env.DEVICE_SESSION.idFromName(d.device_key));
    await runDurableObjectAlarm(stub);
    await new Promise((ok) => setTimeout(ok, 300));
    expect(gw.frames.filter((f) => f.type === "job")).toHaveLength(2);
    gw.close();
  });

  it("a closed sending window holds broadcasts but not transactional messages (window_lanes=broadcast)", async () => {
    const now = Date.now();
    const hour = Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Jakarta", hour: "2-digit", hourCycle: "h23" }).format(now));
    const pad = (h: number) => `${String((h + 24) % 24).padStart(2, "0")}:00`;
    // A window that opened two hours from now: closed at the moment.
    const closed = { window_start: pad(hour + 2), window_end: pad(hour + 4) };
    const t = await signup();
    const { d, gw } = await gatewayDevice(t, { pacing_enabled: true, min_gap_seconds: 0, jitter_seconds: 0, window_lanes: "broadcast", ...closed });
    gw.send({ type: "credit", n: 10 });
    await queueTestMessages(t, d.device_key, ["promo"], "broadcast");
    await queueTestMessages(t, d.device_key, ["resi"], "transactional");
    const job = await gw.next("job");
    expect(job.content).toEqual({ kind: "text", text: "resi" });
    gw.send({ type: "ack", job_id: job.job_id, wa_message_id: "WA-resi" });
    await new Promise((ok) => setTimeout(ok, 1000));
    expect(gw.frames.filter((f) => f.type === "job")).toHaveLength(1);
    const stub = env.DEVICE_SESSION.get(env.DEVICE_SESSION.idFromName(d.device_key));
    await runDurableObjectAlarm(stub);
    await new Promise((ok) => setTimeout(ok, 300));
    expect(gw.frames.filter((f) => f.type === "job")).toHaveLength(1);
    expect(await outbox(t, d.device_key)).toEqual({ pending: 1, leased: 0 });
    gw.close();
  });

  it("nextSendAt: gap, caps and window are combined (pure function)", () => {
    const s = { ...defaultSettings("baileys"), window_lanes: "none" as const };
    const empty = { count: 0, oldest: null };
    const state = { nextAt: 5_000, nextTransactionalAt: 0, windows: { minute: empty, hour: empty, day: empty } };
    // Gap, caps and window are the broadcast lane's (issue 9: lanes).
    expect(nextSendAt(1_000, s, state, "broadcast", "Asia/Jakarta")).toBe(5_000);
    const capped = { ...state, windows: { minute: { count: 10, oldest: 2_000 }, hour: empty, day: empty } };
    expect(nextSendAt(1_000, s, capped, "broadcast", "Asia/Jakarta")).toBe(62_000);
    expect(nextSendAt(1_000, { ...s, pacing_enabled: false }, capped, "broadcast", "Asia/Jakarta")).toBe(1_000);
    // 2026-01-01 23:00 in Jakarta (16:00 UTC): a 08:00–21:00 window opens in 9 hours.
    const late = Date.UTC(2026, 0, 1, 16, 0, 0);
    expect(msUntilWindowOpens(late, { window_start: "08:00", window_end: "21:00" }, "Asia/Jakarta")).toBe(9 * 3600_000);
    expect(msUntilWindowOpens(late, { window_start: "22:00", window_end: "06:00" }, "Asia/Jakarta")).toBe(0);
  });
});

describe("device settings", () => {
  it("validates pacing settings and merges a patch over the defaults", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    const bad = await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { min_gap_seconds: -1 } }, cookie: t.cookie });
    expect(bad.status).toBe(400);
    expect((await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { window_start: "25:00" } }, cookie: t.cookie })).status).toBe(400);
    expect((await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { turbo: true } }, cookie: t.cookie })).status).toBe(400);
    const ok = await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { max_per_hour: 50 } }, cookie: t.cookie });
    expect(ok.body.settings).toEqual({ ...defaultSettings("baileys"), max_per_hour: 50 });
    const again = await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { min_gap_seconds: 10 } }, cookie: t.cookie });
    expect(again.body.settings).toMatchObject({ max_per_hour: 50, min_gap_seconds: 10 });
  });
});

describe("OpenAPI", () => {
  it("documents the messaging routes", async () => {
    const doc = await call("/api/v1/openapi.json");
    expect(doc.status).toBe(200);
    for (const p of ["/messages", "/messages/{id}", "/templates", "/templates/{id}", "/devices/{device_key}/sandbox/inbound", "/devices/{device_key}/cloud-api", "/devices/{device_key}/webhook-deliveries"]) {
      expect(Object.keys(doc.body.paths), p).toContain(p);
    }
  });
});
