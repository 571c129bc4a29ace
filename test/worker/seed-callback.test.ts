// Issue 8 item 2: the seed's callback used to store, publish and forward an inbound message for any device with
// nothing but its key. Now, without credentials, it is a dry run (keyword auto-reply only, nothing written,
// forwarded or sent); with the business's api_key (body field or Bearer) it may ask the AI agent and, on a sandbox
// device, records the message like the sandbox chat. Rate-limited per device. Shapes stay the seed's.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { registerAutoReply } from "../../worker/inbound/auto-reply";
import { call, createApiKey, createDevice, signup } from "./helpers";
import { records, servers } from "./servers";

// Stand-ins for issue 12's modules, registered through the real hand-off; they answer only their marker texts.
const seen: { kind: string; dryRun: boolean | undefined; allowAi: boolean | undefined }[] = [];
registerAutoReply("keyword", async (ctx) => (ctx.message.text === "__kw_harga__" ? { text: "Harga mulai 10rb", source: "keyword" } : null));
registerAutoReply("ai", async (ctx) => {
  if (ctx.message.text !== "__ai_tanya__") return null;
  seen.push({ kind: "ai", dryRun: ctx.dryRun, allowAi: ctx.allowAi });
  return { text: "Jawaban AI", source: "ai" };
});

const count = async (table: string, businessId: string) =>
  (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE business_id = ?`).bind(businessId).first<{ n: number }>())?.n ?? 0;

const msg = (message: string, id = crypto.randomUUID()) => ({ from: "6281290600001@s.whatsapp.net", message_id: id, message, from_name: "Bhisma", type: "single" });

describe("seed callback", () => {
  it("without credentials: a dry run that answers the keyword reply and writes, forwards and sends nothing", async () => {
    const t = await signup();
    const hook = `cb-${crypto.randomUUID()}`;
    const d = await createDevice(t, "sandbox", { webhook_url: `${servers().local}/hooks/${hook}` });
    const r = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: msg("__kw_harga__") });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ message: { text: "Harga mulai 10rb" }, receiver: "6281290600001@s.whatsapp.net", session_id: `device_${d.device_key}`, autoread: false, reply: true });
    const none = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: msg("Halo") });
    expect(none.body).toEqual({ message: {}, receiver: "6281290600001@s.whatsapp.net", session_id: `device_${d.device_key}`, autoread: false, reply: false });
    // The AI is not asked without the business's key.
    const ai = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: msg("__ai_tanya__") });
    expect(ai.body.reply).toBe(false);
    expect(seen).toEqual([]);
    for (const table of ["messages", "contacts", "conversations"]) expect(await count(table, t.businessId)).toBe(0);
    await new Promise((ok) => setTimeout(ok, 300));
    expect(await records(`hook:${hook}`)).toEqual([]);
  });

  it("with the api_key as Bearer on a non-sandbox device: may ask the AI (a dry run still), records nothing", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    const key = await createApiKey(t);
    const r = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: msg("__ai_tanya__"), headers: { authorization: `Bearer ${key}` } });
    expect(r.body).toMatchObject({ message: { text: "Jawaban AI" }, reply: true });
    expect(seen.at(-1)).toEqual({ kind: "ai", dryRun: true, allowAi: true });
    expect(await count("messages", t.businessId)).toBe(0);
  });

  it("with the api_key in the body on a sandbox device: records the message like the sandbox chat", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const key = await createApiKey(t);
    const r = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: { ...msg("__kw_harga__"), api_key: key } });
    expect(r.body).toMatchObject({ message: { text: "Harga mulai 10rb" }, reply: true });
    expect(await count("messages", t.businessId)).toBe(1);
  });

  it("another business's key is treated as no device; a wrong key is 401; a read-only key cannot record", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const other = await signup("Lain");
    const otherKey = await createApiKey(other);
    const foreign = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: { ...msg("x"), api_key: otherKey } });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ status: false, error_code: "DEVICE_NOT_FOUND" });
    const bad = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: { ...msg("x"), api_key: "pk_nope" } });
    expect(bad.status).toBe(401);
    const ro = await call("/api/v1/api-keys", { json: { name: "ro", scope: "read_only" }, cookie: t.cookie });
    const denied = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: { ...msg("x"), api_key: ro.body.api_key } });
    expect(denied.status).toBe(403);
    expect(denied.body.error_code).toBe("READ_ONLY_KEY");
    expect(await count("messages", t.businessId)).toBe(0);
  });

  it("is rate-limited per device", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const d2 = await createDevice(t, "sandbox");
    // 30 per wall-clock minute (wrangler.toml); the limiter's windows are aligned to the clock, so a burst can
    // straddle a boundary and split between two windows. Keep going until it bites: some window sees its 31st
    // request within 61 requests whatever the clock says (they run far faster than 30 a minute).
    const statuses: number[] = [];
    while (!statuses.includes(429) && statuses.length < 62) {
      statuses.push((await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: msg("Halo") })).status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(30);
    const limited = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: msg("Halo") });
    expect(limited.body).toMatchObject({ status: false, error_code: "RATE_LIMITED" });
    expect(limited.headers.get("retry-after")).toBe("60");
    // Another device is not affected.
    expect((await call(`/api-app/whatsapp/callback/device_${d2.device_key}`, { json: msg("Halo") })).status).toBe(200);
  });
});
