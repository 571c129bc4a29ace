// Package limits at each enforcement point (device creation, inviting an agent, every send path), the
// PACKAGE_LIMIT error naming the limit, and the functions the broadcast, AI and live-chat modules will call.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { assertWithinLimit, packageUsage, recordUsage } from "../../worker/billing/limits";
import { getBusiness } from "../../worker/db/businesses";
import { database } from "../../worker/db/client";
import { ApiError } from "../../worker/http/errors";
import { operator, setPackage } from "./billing-helpers";
import { call, createApiKey, createDevice, member, signup, type Tenant } from "./helpers";
import { createRule, logsOf, messagesOf, postWebhook, scalevEvent } from "./webhook-fixtures";
import { draft, setup } from "./broadcast-fixtures";

type Limits = { devices: number | null; agents: number | null; messages_per_day: number | null; broadcast_recipients_per_month: number | null; ai_tokens_per_day: number | null; broadcasts_running?: number | null; live_chat: boolean };

/** A package of the test's own in the catalogue, and the tenant moved onto it. */
async function onPackage(t: Tenant, limits: Partial<Limits>): Promise<string> {
  const id = `t${crypto.randomUUID().slice(0, 8)}`;
  const full: Limits = { devices: null, agents: null, messages_per_day: null, broadcast_recipients_per_month: null, ai_tokens_per_day: null, live_chat: true, ...limits };
  const put = await call(`/internal/packages/${id}`, { method: "PUT", json: { name: id, price_monthly: 10000, price_yearly: 100000, limits: full }, headers: operator() });
  expect(put.status, put.text).toBe(200);
  await setPackage(t.businessId, id, Date.now() + 30 * 86400_000);
  return id;
}

/** 403 PACKAGE_LIMIT naming the limit: in `details.limit` on /api/v1, in the message on the seed's endpoints. */
function expectLimit(res: { status: number; body: { error_code: string; message: string; details?: { limit: string } } }, limit: string, seedShape = false) {
  expect(res.status).toBe(403);
  expect(res.body.error_code).toBe("PACKAGE_LIMIT");
  expect(res.body.message).toContain(limit);
  if (!seedShape) expect(res.body.details?.limit).toBe(limit);
}

describe("package limits", () => {
  it("devices: the next device past the package's number is refused", async () => {
    const t = await signup();
    await onPackage(t, { devices: 1 });
    await createDevice(t, "sandbox");
    const res = await call("/api/v1/devices", { json: { name: "HP 2", provider: "sandbox" }, cookie: t.cookie });
    expectLimit(res, "devices");
    expect(res.body.message).toContain("devices");
    expect((await call("/api/v1/devices", { cookie: t.cookie })).body.items).toHaveLength(1);
  });

  it("agents: inviting past the package's users is refused (the owner counts)", async () => {
    const t = await signup();
    await onPackage(t, { agents: 2 });
    await member(t, "staff");
    const res = await call("/api/v1/users", { json: { email: `x${Date.now()}@example.co.id`, name: "X", role: "staff", password: "password-anggota-1" }, cookie: t.cookie });
    expectLimit(res, "agents");
  });

  it("messages per day: REST, the seed's send-message and webhook rules stop at the cap, and nothing is written", async () => {
    const t = await signup();
    await onPackage(t, { messages_per_day: 2 });
    const d = await createDevice(t, "sandbox");
    const key = await createApiKey(t);
    const send = (text: string) => call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", text }, key });
    const first = () => call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", text: "1" }, key, headers: { "idempotency-key": "order-1" } });
    expect((await first()).status).toBe(202);
    expect((await send("2")).status).toBe(202);
    expectLimit(await send("3"), "messages_per_day");
    const seed = await call("/api-app/whatsapp/send-message", { json: { phone: "081234567890", device_key: d.device_key, api_key: key, method: "text", text: "4", is_group: false } });
    expectLimit(seed, "messages_per_day", true);

    await createRule({ ...t, deviceKey: d.device_key }, { source: "any" });
    const hook = await postWebhook(t.businessId, scalevEvent(`evt_${crypto.randomUUID()}`), { "user-agent": "Scalev-Webhook/1.0" });
    expectLimit(hook, "messages_per_day", true);
    expect((await logsOf(t)).find((l) => l.status === "rejected")?.message).toContain("PACKAGE_LIMIT");
    expect(await messagesOf(t.businessId)).toHaveLength(2);
    // An idempotent repeat of a message already sent is not a new message: it is answered, not refused.
    const again = await first();
    expect(again.status).toBe(200);
    expect(await messagesOf(t.businessId)).toHaveLength(2);
  });

  it("the webhook path's cap is exact even with sends from other paths in between", async () => {
    const t = await signup();
    await onPackage(t, { messages_per_day: 5 });
    const d = await createDevice(t, "sandbox");
    const key = await createApiKey(t);
    await createRule({ ...t, deviceKey: d.device_key }, { source: "any" });
    const hook = () => postWebhook(t.businessId, scalevEvent(`evt_${crypto.randomUUID()}`), { "user-agent": "Scalev-Webhook/1.0" });
    expect((await hook()).status).toBe(200);
    for (const text of ["a", "b"]) expect((await call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", text }, key })).status).toBe(202);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await hook()).status);
    expect(statuses).toEqual([200, 200, 403, 403]);
    expect(await messagesOf(t.businessId)).toHaveLength(5);
  });

  it("an upgrade lifts the limit at once; null is unlimited", async () => {
    const t = await signup();
    await onPackage(t, { devices: 0 });
    expectLimit(await call("/api/v1/devices", { json: { name: "HP", provider: "sandbox" }, cookie: t.cookie }), "devices");
    await onPackage(t, { devices: null });
    for (let i = 0; i < 3; i++) await createDevice(t, "sandbox");
  });

  it("broadcast recipients, AI tokens and live chat: the one function later modules call", async () => {
    const t = await signup();
    await onPackage(t, { broadcast_recipients_per_month: 100, ai_tokens_per_day: 1000, live_chat: false });
    const db = database(env.DB);
    const b = await getBusiness(db, t.businessId);
    if (!b) throw new Error("no business");
    await assertWithinLimit(db, b, "broadcast_recipients_per_month", 100);
    await recordUsage(db, b, "broadcast_recipients_per_month", 60);
    const over = await assertWithinLimit(db, b, "broadcast_recipients_per_month", 41).catch((e: unknown) => e);
    expect(over).toBeInstanceOf(ApiError);
    expect((over as ApiError).code).toBe("PACKAGE_LIMIT");
    expect((over as ApiError).details).toEqual({ limit: "broadcast_recipients_per_month", allowed: 100, used: 60, requested: 41 });

    await recordUsage(db, b, "ai_tokens_per_day", 999);
    await assertWithinLimit(db, b, "ai_tokens_per_day", 0);
    await recordUsage(db, b, "ai_tokens_per_day", 1);
    expect(((await assertWithinLimit(db, b, "ai_tokens_per_day", 0).catch((e: unknown) => e)) as ApiError).details).toMatchObject({ limit: "ai_tokens_per_day", used: 1000 });
    expect(((await assertWithinLimit(db, b, "live_chat").catch((e: unknown) => e)) as ApiError).details).toMatchObject({ limit: "live_chat" });

    // The billing page's numbers come from the same place.
    const { usage, limits } = await packageUsage(db, b);
    expect(usage).toMatchObject({ broadcast_recipients_per_month: 60, ai_tokens_per_day: 1000 });
    expect(limits.live_chat).toBe(false);
    const api = await call("/api/v1/billing", { cookie: t.cookie });
    expect(api.body.usage).toMatchObject({ broadcast_recipients_per_month: { allowed: 100, used: 60 }, live_chat: { allowed: false } });
    const page = await call("/app/billing", { cookie: t.cookie });
    expect(page.text).toContain('data-limit="Penerima broadcast bulan ini"');
  });

  it("the daily message counter counts outbound rows only, once each (kept by a D1 trigger)", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const key = await createApiKey(t);
    const usage = async () => (await call("/api/v1/billing", { cookie: t.cookie })).body.usage.messages_per_day.used;
    expect(await usage()).toBe(0);
    const send = () => call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", text: "Halo" }, key, headers: { "idempotency-key": "k-1" } });
    await send();
    await send();
    expect(await usage()).toBe(1);
    const inbound = await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, { json: { from: "081234567891", name: "Rina", text: "Halo juga" }, cookie: t.cookie });
    expect(inbound.status).toBe(201);
    const rows = await env.DB.prepare("SELECT direction, count(*) AS n FROM messages WHERE business_id = ? GROUP BY direction ORDER BY direction").bind(t.businessId).all<{ direction: string; n: number }>();
    const out = rows.results.find((r) => r.direction === "out")?.n ?? 0;
    expect(rows.results.find((r) => r.direction === "in")?.n).toBe(1);
    expect(await usage()).toBe(out);
  });

  it("usage is per tenant", async () => {
    const a = await signup();
    const b = await signup();
    await onPackage(a, { messages_per_day: 1 });
    await onPackage(b, { messages_per_day: 1 });
    const da = await createDevice(a, "sandbox");
    const db2 = await createDevice(b, "sandbox");
    const ka = await createApiKey(a);
    const kb = await createApiKey(b);
    expect((await call("/api/v1/messages", { json: { device_key: da.device_key, to: "081234567890", text: "a" }, key: ka })).status).toBe(202);
    expect((await call("/api/v1/messages", { json: { device_key: db2.device_key, to: "081234567890", text: "b" }, key: kb })).status).toBe(202);
  });
});

describe("package limits of the later modules", () => {
  it("broadcast recipients per month: a start past the package's monthly recipients is refused, naming the limit", async () => {
    const t = await setup();
    const b = await draft(t);
    await onPackage(t, { broadcast_recipients_per_month: 1 });
    const refused = await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, json: {} });
    expectLimit(refused, "broadcast_recipients_per_month");
    const still = await call(`/api/v1/broadcasts/${b.id}`, { cookie: t.cookie });
    expect(still.body.status).toBe("draft");
    await onPackage(t, { broadcast_recipients_per_month: 1000 });
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, json: {} })).status).toBeLessThan(300);
  });

  it("broadcasts running at once: the catalogue's broadcasts_running, then the business's lower setting; resume counts too", async () => {
    const catalogue = (await call("/api/v1/packages")).body.items as { id: string; limits: { broadcasts_running: number | null } }[];
    expect(Object.fromEntries(catalogue.map((p) => [p.id, p.limits.broadcasts_running]))).toMatchObject({ trial: 3, basic: 1, pro: 3, bisnis: 10 });
    const t = await setup();
    await onPackage(t, { broadcasts_running: 1 });
    // Scheduled an hour ahead: each stays "running" for the limit while the test looks.
    const later = { schedule: { start_at: Date.now() + 3_600_000, window_start: "00:00", window_end: "00:00" } };
    const [a, b] = [await draft(t, later), await draft(t, later)];
    expect((await call(`/api/v1/broadcasts/${a.id}/start`, { cookie: t.cookie, json: {} })).status).toBe(200);
    const refused = await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, json: {} });
    expectLimit(refused, "broadcasts_running");
    expect(refused.body.details).toEqual({ limit: "broadcasts_running", allowed: 1, used: 1, requested: 1 });
    expect((await call("/api/v1/billing", { cookie: t.cookie })).body.usage.broadcasts_running).toEqual({ allowed: 1, used: 1 });
    // A paused broadcast does not count; resuming it must fit again.
    expect((await call(`/api/v1/broadcasts/${a.id}/pause`, { cookie: t.cookie, json: {} })).status).toBe(200);
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, json: {} })).status).toBe(200);
    expectLimit(await call(`/api/v1/broadcasts/${a.id}/resume`, { cookie: t.cookie, json: {} }), "broadcasts_running");
    expect((await call(`/api/v1/broadcasts/${a.id}`, { cookie: t.cookie })).body.status).toBe("paused");
    // A roomier package; the business's own setting (max_running) still caps it.
    await onPackage(t, { broadcasts_running: 5 });
    expect((await call("/api/v1/broadcast-settings", { cookie: t.cookie, method: "PATCH", json: { max_running: 1 } })).status).toBe(200);
    expectLimit(await call(`/api/v1/broadcasts/${a.id}/resume`, { cookie: t.cookie, json: {} }), "broadcasts_running");
    expect((await call("/api/v1/broadcast-settings", { cookie: t.cookie, method: "PATCH", json: { max_running: 2 } })).status).toBe(200);
    expect((await call(`/api/v1/broadcasts/${a.id}/resume`, { cookie: t.cookie, json: {} })).status).toBe(200);
  });

  it("live chat: a package without it gets no widget", async () => {
    const t = await signup();
    const put = await call("/api/v1/livechat-settings", { method: "PUT", json: { allowed_origins: ["https://toko.example"] }, cookie: t.cookie });
    expect(put.status, put.text).toBe(200);
    await onPackage(t, { live_chat: false });
    const s = await call("/livechat/v1/session", { json: { key: put.body.widget_key }, headers: { origin: "https://toko.example" } });
    expect(s.status).toBe(403);
    expect(s.body).toMatchObject({ error_code: "PACKAGE_LIMIT", details: { limit: "live_chat" } });
  });
});
