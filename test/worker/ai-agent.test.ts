// The AI agent in workerd against @copilotkit/aimock (real `openai` SDK, loopback): settings, the seed callback's
// dry run, debounce into one model call, latest wins, the quiet rules (backlog, groups, loop guard, handoff by
// keyword/tool/failure and its timeout, silence after a human reply, usage cap), knowledge within its budget,
// the order tool, the history bound, and the fallback on each error kind (HTTP 500/429/503, timeout, dropped connection).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createApiKey, createDevice, eventually, member } from "./helpers";
import { tenantWithDevice } from "./webhook-fixtures";
import { addFixtures, aiMessages, aiTenant, botState, conversationOf, customerSays, marker, modelCalls, turns } from "./ai-helpers";
import { servers } from "./servers";

const answer = (m: string, content: string) => ({ match: { userMessage: m }, response: { content } });

describe("AI settings", () => {
  it("a business without settings reads the defaults (AI off) and nothing is written", async () => {
    const t = await tenantWithDevice();
    const r = await call("/api/v1/ai-settings", { cookie: t.cookie });
    expect(r.body).toMatchObject({ channel_ids: [], device_keys: [], web_chat: false, api_key_set: false, debounce_ms: 5000, max_wait_ms: 20000, groups_enabled: false, hours_mode: "always", handoff_minutes: 240, human_silence_minutes: 30, temperature: 0.3 });
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM ai_settings WHERE business_id = ?").bind(t.businessId).first<{ n: number }>())?.n).toBe(0);
  });

  it("stores the key encrypted and never returns it; base URL through the URL guard; admins only", async () => {
    const t = await aiTenant();
    const got = await call("/api/v1/ai-settings", { cookie: t.cookie });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ api_key_set: true, device_keys: [t.deviceKey], web_chat: false, model: "gpt-4o-mini", handoff_keywords: ["admin", "cs", "manusia", "orang"] });
    expect(got.text).not.toContain("sk-test-aimock");
    const stored = await env.DB.prepare("SELECT api_key_enc FROM ai_settings WHERE business_id = ?").bind(t.businessId).first<{ api_key_enc: string }>();
    expect(stored?.api_key_enc).toMatch(/^v1\./);
    expect(stored?.api_key_enc).not.toContain("sk-test");
    for (const bad of ["http://10.0.0.5/v1", "http://169.254.169.254/latest", "ftp://models.example.com"]) {
      const r = await call("/api/v1/ai-settings", { method: "PUT", cookie: t.cookie, json: { base_url: bad } });
      expect(r.status, bad).toBe(400);
    }
    expect((await call("/api/v1/ai-settings", { method: "PUT", cookie: t.cookie, json: { device_keys: [crypto.randomUUID()] } })).body.error_code).toBe("UNKNOWN_DEVICE");
    const staff = await member(t, "staff");
    expect((await call("/api/v1/ai-settings", { method: "PUT", cookie: staff.cookie, json: { persona: "x" } })).status).toBe(403);
    const cleared = await call("/api/v1/ai-settings", { method: "PUT", cookie: t.cookie, json: { api_key: null, web_chat: true } });
    expect(cleared.body).toMatchObject({ api_key_set: false, web_chat: true, device_keys: [] });
  });
});

describe("seed callback with the api_key", () => {
  it("answers what the AI would say, synchronously, counted in usage; without the key the AI is not asked", async () => {
    // A non-sandbox device: the callback is a dry run there (a sandbox device with the key records the message;
    // see the next describe).
    const t = await tenantWithDevice();
    const d = await createDevice(t, "baileys");
    const ai = await call("/api/v1/ai-settings", { method: "PUT", cookie: t.cookie, json: { device_keys: [d.device_key], base_url: `${servers().aimock}/v1`, api_key: "sk-test-aimock" } });
    expect(ai.status, ai.text).toBe(200);
    const m = marker("cb");
    await addFixtures(answer(m, "Kami buka jam 8 pagi."));
    const key = await createApiKey(t);
    const body = { from: "6281290600001@s.whatsapp.net", message_id: crypto.randomUUID(), message: `jam buka? ${m}`, from_name: "Budi", type: "single" };
    const anon = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: body });
    expect(anon.body.reply).toBe(false);
    expect(await modelCalls(m)).toHaveLength(0);
    const r = await call(`/api-app/whatsapp/callback/device_${d.device_key}`, { json: { ...body, message_id: crypto.randomUUID() }, headers: { authorization: `Bearer ${key}` } });
    expect(r.body).toMatchObject({ message: { text: "Kami buka jam 8 pagi." }, reply: true });
    expect(await modelCalls(m)).toHaveLength(1);
    const msgs = await env.DB.prepare("SELECT COUNT(*) AS n FROM messages WHERE business_id = ?").bind(t.businessId).first<{ n: number }>();
    expect(msgs?.n).toBe(0);
    const usage = await call("/api/v1/ai-usage?days=2", { cookie: t.cookie });
    expect(usage.status).toBe(200);
    expect(usage.body.days).toHaveLength(2);
    expect(usage.body.days[1].tokens).toBeGreaterThan(0);
  });
});

describe("seed callback with the api_key on a sandbox device", () => {
  it("records the message like the sandbox chat and answers synchronously with the AI's turn, once", async () => {
    const t = await aiTenant({ debounce_ms: 60_000, max_wait_ms: 120_000 });
    const m = marker("cbsandbox");
    await addFixtures(answer(m, "Pesanan Anda sedang dikemas."));
    const key = await createApiKey(t);
    const body = { from: "6281290600002@s.whatsapp.net", message_id: crypto.randomUUID(), message: `pesanan saya? ${m}`, from_name: "Sari", type: "single" };
    // The debounce is a minute: only a synchronous turn can answer within this request.
    const r = await call(`/api-app/whatsapp/callback/device_${t.deviceKey}`, { json: body, headers: { authorization: `Bearer ${key}` } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ message: { text: "Pesanan Anda sedang dikemas." }, reply: true });
    expect(await modelCalls(m)).toHaveLength(1);
    // The sandbox chat has the customer's message and the AI's answer (one row, the turn's key).
    const conv = await env.DB.prepare("SELECT conversation_id AS id FROM messages WHERE business_id = ? AND provider_message_id = ?").bind(t.businessId, body.message_id).first<{ id: string }>();
    expect(conv?.id).toBeTruthy();
    expect(await aiMessages(t.businessId, conv?.id ?? "")).toEqual([{ text: "Pesanan Anda sedang dikemas.", idempotency_key: `ai:${conv?.id}:${(await env.DB.prepare("SELECT id FROM messages WHERE provider_message_id = ?").bind(body.message_id).first<{ id: string }>())?.id}` }]);
  });
});

describe("AI agent turns", () => {
  it("debounces a burst into one model call and answers once, with the turn as idempotency key", async () => {
    // The debounce outlasts the gaps between the burst's messages even on a loaded machine.
    const t = await aiTenant({ debounce_ms: 2000, max_wait_ms: 10000 });
    const m = marker("burst");
    await addFixtures(answer(m, "Baik Kak, stok kopi ada dan harganya Rp15.000."));
    await customerSays(t, "halo kak");
    await customerSays(t, "mau tanya");
    const last = await customerSays(t, `stok kopi ada? ${m}`);
    const conv = await conversationOf(t, last.id);
    const [turn] = await turns(conv);
    expect(turn).toMatchObject({ status: "sent" });
    const calls = await modelCalls(m);
    expect(calls).toHaveLength(1);
    // The whole burst is in that one call, as the customer's messages.
    const users = (calls[0]?.body.messages ?? []).filter((x) => x.role === "user").map((x) => x.content);
    expect(users).toEqual(["halo", "halo kak", "mau tanya", `stok kopi ada? ${m}`].filter((x) => x !== "halo"));
    expect(await aiMessages(t.businessId, conv)).toEqual([{ text: "Baik Kak, stok kopi ada dan harganya Rp15.000.", idempotency_key: `ai:${conv}:${last.id}` }]);
  });
});

const FALLBACK = "Mohon maaf, kami belum bisa menjawab sekarang. Tim kami akan segera membalas.";
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe("AI agent: latest wins, quiet rules, handoff", () => {
  it("latest wins: an answer generated while a newer message arrived is dropped; the newer one is answered", async () => {
    const t = await aiTenant();
    const a = marker("slow");
    const b = marker("fast");
    await addFixtures({ ...answer(a, "jawaban lama"), chaos: { latencyMs: 1200 } }, answer(b, "jawaban baru"));
    const first = await customerSays(t, `pertanyaan ${a}`);
    await sleep(600);
    await customerSays(t, `pertanyaan lain ${b}`);
    const conv = await conversationOf(t, first.id);
    const done = await turns(conv, 2);
    expect(done.map((x) => x.status).sort()).toEqual(["dropped", "sent"]);
    expect((await aiMessages(t.businessId, conv)).map((x) => x.text)).toEqual(["jawaban baru"]);
  });

  it("hands off on a keyword without asking the model; the customer's next message does not lift it; release does", async () => {
    const t = await aiTenant({ handoff_minutes: 60 });
    const m = marker("kw");
    await addFixtures(answer(m, "dijawab bot"));
    const msg = await customerSays(t, `saya mau bicara dengan Admin ${m}`);
    const conv = await conversationOf(t, msg.id);
    expect((await turns(conv))[0]).toMatchObject({ status: "handed_off", reason: "keyword" });
    expect(await modelCalls(m)).toHaveLength(0);
    const st = await botState(conv);
    expect(st).toMatchObject({ bot_state: "handed_off", bot_state_reason: "customer_asked" });
    expect(st?.bot_silenced_until ?? 0).toBeGreaterThan(Date.now() + 55 * 60_000);
    await customerSays(t, `halo?? ${m}`);
    expect((await turns(conv, 2))[0]).toMatchObject({ status: "quiet", reason: "bot_handed_off" });
    expect((await botState(conv))?.bot_state).toBe("handed_off");
    // The timeout passing lifts it (simulated: the deadline moved into the past).
    await env.DB.prepare("UPDATE conversations SET bot_silenced_until = ? WHERE id = ?").bind(Date.now() - 1000, conv).run();
    await customerSays(t, `jadi bagaimana ${m}`);
    expect((await turns(conv, 3))[0]).toMatchObject({ status: "sent" });
    // The agent endpoints.
    const h = await call(`/api/v1/conversations/${conv}/handoff`, { cookie: t.cookie, json: { reason: "komplain" } });
    expect(h.status, h.text).toBe(200);
    expect(h.body).toMatchObject({ bot_state: "handed_off", bot_state_reason: "komplain" });
    const r = await call(`/api/v1/conversations/${conv}/release`, { cookie: t.cookie, json: {} });
    expect(r.body).toMatchObject({ bot_state: "active", bot_state_reason: null });
    const other = await aiTenant();
    expect((await call(`/api/v1/conversations/${conv}/handoff`, { cookie: other.cookie, json: {} })).status).toBe(404);
  });

  it("hands off when the model calls the handoff tool; nothing the model said goes out", async () => {
    const t = await aiTenant();
    const m = marker("tool");
    await addFixtures({ match: { userMessage: m }, response: { toolCalls: [{ name: "handoff_to_human", arguments: { reason: "refund" } }] } });
    const msg = await customerSays(t, `saya minta refund ${m}`);
    const conv = await conversationOf(t, msg.id);
    expect((await turns(conv))[0]).toMatchObject({ status: "handed_off", reason: "tool" });
    expect(await botState(conv)).toMatchObject({ bot_state: "handed_off", bot_state_reason: "ai_tool: refund" });
    expect(await aiMessages(t.businessId, conv)).toEqual([]);
  });

  it("on each model error kind: one call (no retry), the fallback once, and a handoff", async () => {
    const t = await aiTenant();
    const cases = [
      { kind: "http_500", fixture: (m: string) => ({ match: { userMessage: m }, response: { error: { message: "boom", type: "server_error" }, status: 500 } }) },
      { kind: "http_429", fixture: (m: string) => ({ match: { userMessage: m }, response: { error: { message: "slow down", type: "rate_limit_error" }, status: 429 } }) },
      { kind: "http_503", fixture: (m: string) => ({ match: { userMessage: m }, response: { error: { message: "overloaded", type: "server_error" }, status: 503 } }) },
      { kind: "timeout", fixture: (m: string) => ({ ...answer(m, "terlambat"), chaos: { latencyMs: 3000 } }) },
      // The simulator drops the connection (a model server crashing or a proxy cutting it). Under the local
      // runtime the dropped socket reaches the SDK as a 500 from workerd's fetch ("fetch failed"); deployed it is
      // an APIConnectionError ("connection"). Either way: one call, the fallback, a handoff.
      { kind: "connection", fixture: (m: string) => ({ ...answer(m, "putus"), chaos: { disconnectRate: 1 } }) },
    ];
    for (const [i, c] of cases.entries()) {
      const m = marker(c.kind);
      await addFixtures(c.fixture(m));
      const msg = await customerSays(t, `tanya ${m}`, `08121111000${i}`);
      const conv = await conversationOf(t, msg.id);
      expect((await turns(conv))[0], c.kind).toMatchObject({ status: "handed_off", reason: "failure" });
      expect(await aiMessages(t.businessId, conv), c.kind).toEqual([{ text: FALLBACK, idempotency_key: `ai:${conv}:${msg.id}` }]);
      const reason = (await botState(conv))?.bot_state_reason;
      if (c.kind === "connection") expect(reason, c.kind).toMatch(/^ai_failure: (connection|http_500)$/);
      else expect(reason, c.kind).toBe(`ai_failure: ${c.kind}`);
      // The journal has a request once the simulator answered it (the timed-out one answers after its latency).
      await eventually(async () => (await modelCalls(m)).length > 0, 8000, `${c.kind} in the journal`);
      expect(await modelCalls(m), c.kind).toHaveLength(1);
    }
  });

  it("a human reply (dashboard) silences the bot for the configured time", async () => {
    const t = await aiTenant({ human_silence_minutes: 30 });
    const m = marker("human");
    await addFixtures(answer(m, "jawaban bot"));
    const msg = await customerSays(t, `halo ${m}`);
    const conv = await conversationOf(t, msg.id);
    await turns(conv);
    const reply = await call(`/api/v1/conversations/${conv}/messages`, { cookie: t.cookie, json: { text: "Halo, saya Dewi dari toko" } });
    expect(reply.status, reply.text).toBe(202);
    const st = await botState(conv);
    expect(st).toMatchObject({ bot_state: "silenced", bot_state_reason: "human_reply" });
    expect(st?.bot_silenced_until ?? 0).toBeGreaterThan(Date.now() + 25 * 60_000);
    await customerSays(t, `oke kak ${m}`);
    expect((await turns(conv, 2))[0]).toMatchObject({ status: "quiet", reason: "bot_silenced" });
    expect(await modelCalls(m)).toHaveLength(1);
  });

  it("backlog, groups and the usage cap keep it quiet", async () => {
    const t = await aiTenant({ debounce_ms: 1500, max_wait_ms: 3000 });
    const m = marker("quiet");
    await addFixtures(answer(m, "tidak boleh terkirim"));
    // Backlog: the customer sent it 10 minutes ago (delivered late after a reconnect).
    const old = await customerSays(t, `pesan lama ${m}`, "081255550001");
    await env.DB.prepare("UPDATE messages SET content = json_set(content, '$.sent_at', ?) WHERE id = ?").bind(Date.now() - 10 * 60_000, old.id).run();
    // A group chat (groups are off by default).
    const grp = await customerSays(t, `pesan grup ${m}`, "081255550002");
    await env.DB.prepare("UPDATE contacts SET is_group = 1 WHERE id = (SELECT contact_id FROM conversations WHERE id = (SELECT conversation_id FROM messages WHERE id = ?))").bind(grp.id).run();
    expect((await turns(await conversationOf(t, old.id)))[0]).toMatchObject({ status: "quiet", reason: "backlog" });
    expect((await turns(await conversationOf(t, grp.id)))[0]).toMatchObject({ status: "quiet", reason: "group" });
    // The day's AI tokens used up (trial: 50,000 a day).
    const day = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    await env.DB.prepare("INSERT INTO usage_counters (business_id, metric, period, amount) VALUES (?, 'ai_tokens_per_day', ?, 50000)").bind(t.businessId, day).run();
    const capped = await customerSays(t, `pesan baru ${m}`, "081255550003");
    expect((await turns(await conversationOf(t, capped.id)))[0]).toMatchObject({ status: "quiet", reason: "usage_cap" });
    expect(await modelCalls(m)).toHaveLength(0);
  });

  it("loop guard: after a run of bot replies with no human, it hands off instead of answering again", async () => {
    const t = await aiTenant({ debounce_ms: 100 });
    const m = marker("loop");
    await addFixtures(answer(m, "Terima kasih, ada lagi yang bisa dibantu?"));
    let conv = "";
    for (let i = 0; i < 6; i++) {
      const msg = await customerSays(t, `Terima kasih! ${i} ${m}`);
      conv = await conversationOf(t, msg.id);
      expect((await turns(conv, i + 1))[0]).toMatchObject({ status: "sent" });
    }
    await customerSays(t, `Terima kasih! 7 ${m}`);
    expect((await turns(conv, 7))[0]).toMatchObject({ status: "handed_off", reason: "loop_guard" });
    expect(await aiMessages(t.businessId, conv)).toHaveLength(6);
    expect((await botState(conv))?.bot_state_reason).toBe("loop_guard");
  });
});

describe("AI agent: long answers", () => {
  it("splits a long answer into WhatsApp-sized parts, each with its own key derived from the turn", async () => {
    const t = await aiTenant({ max_reply_chars: 4000 });
    const m = marker("long");
    const para = (n: number) => `Paragraf ${n}. ${"Kopi kami dipanggang setiap minggu dan dikirim segar. ".repeat(14).trim()}`;
    const long = [1, 2, 3].map(para).join("\n\n");
    await addFixtures(answer(m, long));
    const msg = await customerSays(t, `ceritakan tentang kopinya ${m}`);
    const conv = await conversationOf(t, msg.id);
    expect((await turns(conv))[0]).toMatchObject({ status: "sent", reason: "3 part(s)" });
    const sent = await aiMessages(t.businessId, conv);
    expect(sent.map((x) => x.idempotency_key)).toEqual([`ai:${conv}:${msg.id}`, `ai:${conv}:${msg.id}:1`, `ai:${conv}:${msg.id}:2`]);
    for (const x of sent) expect(x.text.length).toBeLessThanOrEqual(1000);
    expect(sent.map((x) => x.text).join("\n\n")).toBe(long);
  });
});

describe("AI agent: what it knows", () => {
  it("looks the customer's orders up with the order tool and answers from them", async () => {
    const t = await aiTenant();
    const m = marker("order");
    const hello = marker("hello");
    await addFixtures(answer(hello, "Halo Kak!"));
    const first = await customerSays(t, `halo ${hello}`, "081277770001");
    const conv = await conversationOf(t, first.id);
    await turns(conv);
    const contact = await env.DB.prepare("SELECT contact_id AS id FROM conversations WHERE id = ?").bind(conv).first<{ id: string }>();
    await env.DB.prepare(
      "INSERT INTO orders (id, business_id, contact_id, source, external_id, event, status, payment_status, amount, items, event_at, updated_at) VALUES (?, ?, ?, 'custom', 'INV-77', 'order.shipped', 'shipped', 'paid', 150000, ?, ?, ?)",
    )
      .bind(crypto.randomUUID(), t.businessId, contact?.id, JSON.stringify([{ name: "Kopi Gayo 250g", qty: 2, price: 75000 }]), Date.now(), Date.now())
      .run();
    await addFixtures(
      { match: { userMessage: m, hasToolResult: true }, response: { content: "Pesanan INV-77 sudah dikirim dan sudah dibayar." } },
      { match: { userMessage: m, hasToolResult: false }, response: { toolCalls: [{ name: "lookup_orders", arguments: {} }] } },
    );
    // A newer message than the first turn's answer: the tail of the conversation is the customer's again.
    await customerSays(t, `pesanan saya sudah sampai mana? ${m}`, "081277770001");
    expect((await turns(conv, 2))[0]).toMatchObject({ status: "sent" });
    const calls = await modelCalls(m);
    expect(calls).toHaveLength(2);
    const toolMsg = (calls[1]?.body.messages ?? []).find((x) => x.role === "tool");
    expect(JSON.parse(toolMsg?.content ?? "{}")).toMatchObject({ orders: [{ order_id: "INV-77", status: "shipped", payment_status: "paid", amount_rupiah: 150000, items: [{ name: "Kopi Gayo 250g", qty: 2 }] }] });
    expect((await aiMessages(t.businessId, conv)).map((x) => x.text).at(-1)).toBe("Pesanan INV-77 sudah dikirim dan sudah dibayar.");
  });

  it("chooses knowledge by relevance within the token budget from a knowledge base larger than it", async () => {
    const t = await aiTenant();
    const m = marker("kb");
    const filler = "Informasi umum toko tentang pengiriman, jam buka, dan layanan pelanggan. ".repeat(6);
    for (let i = 0; i < 40; i++) {
      const r = await call("/api/v1/knowledge", { cookie: t.cookie, json: { kind: "faq", title: `Pertanyaan umum ${i}`, body: `${filler} nomor ${i}` } });
      expect(r.status).toBe(201);
    }
    await call("/api/v1/knowledge", { cookie: t.cookie, json: { kind: "product", title: "Kopi Gayo Wine", body: "Kopi arabika dari Aceh, proses wine.", price: 125000, link: "https://toko.example.com/gayo" } });
    await addFixtures(answer(m, "Kopi Gayo Wine harganya Rp125.000."));
    const msg = await customerSays(t, `berapa harga kopi gayo wine? ${m}`);
    expect((await turns(await conversationOf(t, msg.id)))[0]).toMatchObject({ status: "sent" });
    const system = (await modelCalls(m))[0]?.body.messages?.[0]?.content ?? "";
    expect(system).toContain("Kopi Gayo Wine — Rp125.000 (https://toko.example.com/gayo)");
    // The whole base is ~40 × 120 tokens; the prompt carries at most the budget (1,500 tokens ≈ 6,000 chars).
    expect(system.length).toBeLessThan(6000 + 1500);
    expect((system.match(/Pertanyaan umum/g) ?? []).length).toBeLessThan(40);
  });

  it("bounds the history by tokens (newest kept)", async () => {
    // One burst: the debounce outlasts the gaps between these messages.
    const t = await aiTenant({ debounce_ms: 2000, max_wait_ms: 10000 });
    const m = marker("hist");
    await addFixtures(answer(m, "ok"));
    for (let i = 0; i < 8; i++) await customerSays(t, `${String(i).repeat(3)} ${"panjang sekali ".repeat(60)}`);
    const last = await customerSays(t, `ringkasnya? ${m}`);
    await turns(await conversationOf(t, last.id));
    const sent = ((await modelCalls(m))[0]?.body.messages ?? []).filter((x) => x.role !== "system");
    const chars = sent.reduce((n, x) => n + (x.content ?? "").length, 0);
    expect(chars).toBeLessThanOrEqual(1200 * 4);
    expect(sent.at(-1)?.content).toBe(`ringkasnya? ${m}`);
    expect(sent.length).toBeLessThan(9);
  });
});
