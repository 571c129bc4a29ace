// Website live chat: settings and widget key, the public config with its origin allow-list, visitor tokens
// (forgery, another business's token), the chat object (history after the last seen message, client-id dedupe,
// resume after eviction, per-visitor rate limit) and the round trip with the inbox (visitor → messages/inbox,
// agent reply → widget, the AI silenced by the agent).
import { evictDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ChatItem, ServerFrame } from "../../widget/protocol";
import { VISITOR_PER_MINUTE } from "../../worker/durable/live-chat";
import { webChatChannel } from "../../worker/db/channels";
import { database } from "../../worker/db/client";
import { sweepInboundEffects } from "../../worker/inbound/effects";
import { pickAgent } from "../../worker/livechat/round-robin";
import { loadChatHot, storeWebMessages } from "../../worker/livechat/web-store";
import { signVisitorToken } from "../../worker/livechat/token";
import { setPackage } from "./billing-helpers";
import { call, createDevice, eventually, freshIp, member, signup, type Tenant } from "./helpers";
import { addFixtures, modelCalls } from "./ai-helpers";
import { records, servers } from "./servers";

const SHOP = "https://toko-maju.co.id";

async function widget(t: Tenant, origins: string[] = [SHOP]): Promise<string> {
  const r = await call("/api/v1/livechat-settings", { method: "PUT", json: { allowed_origins: origins, greeting: "Halo dari Toko Maju" }, cookie: t.cookie });
  expect(r.status).toBe(200);
  return r.body.widget_key;
}

async function session(key: string, extra: Record<string, string> = {}, origin = SHOP) {
  return call("/livechat/v1/session", { json: { key, ...extra }, headers: { origin, "cf-connecting-ip": freshIp() } });
}

type Sock = { status: number; frames: ServerFrame[]; items: () => ChatItem[]; send(f: unknown): void; next(match: (f: ServerFrame) => boolean): Promise<ServerFrame>; close(): void };

async function open(key: string, token: string, origin = SHOP): Promise<Sock> {
  const res = await exports.default.fetch(
    new Request(`https://ping.test/livechat/v1/ws?key=${encodeURIComponent(key)}&token=${encodeURIComponent(token)}`, {
      headers: { upgrade: "websocket", origin, "cf-connecting-ip": freshIp() },
    }),
  );
  const frames: ServerFrame[] = [];
  const ws = res.webSocket;
  ws?.accept();
  ws?.addEventListener("message", (e) => {
    frames.push(JSON.parse(String(e.data)) as ServerFrame);
  });
  let taken = 0;
  return {
    status: res.status,
    frames,
    items: () => frames.flatMap((f) => (f.t === "msgs" ? f.items : [])),
    send: (f) => ws?.send(JSON.stringify(f)),
    async next(match) {
      return eventually(async () => {
        const i = frames.findIndex((f, n) => n >= taken && match(f));
        if (i < 0) return null;
        taken = i + 1;
        return frames[i];
      }, 5000, "chat frame");
    },
    close: () => ws?.close(1000, "done"),
  };
}

describe("live chat settings and the public config", () => {
  it("gives each business a widget key and snippet, admins change them, the key rotates", async () => {
    const t = await signup();
    const got = await call("/api/v1/livechat-settings", { cookie: t.cookie });
    expect(got.status).toBe(200);
    expect(got.body.widget_key).toMatch(/^wk_/);
    expect(got.body.widget_key).not.toContain(t.businessId);
    expect(got.body.snippet).toBe(`<script src="http://localhost:8787/widget.js" data-key="${got.body.widget_key}" async></script>`);
    expect(got.body.origin_warning).toBe(true);
    const bad = await call("/api/v1/livechat-settings", { method: "PUT", json: { allowed_origins: ["https://x.id/path"] }, cookie: t.cookie });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("VALIDATION_ERROR");
    const key = await widget(t);
    const cfg = await call(`/livechat/v1/config?key=${key}`, { headers: { origin: SHOP } });
    expect(cfg.status).toBe(200);
    expect(cfg.body.greeting).toBe("Halo dari Toko Maju");
    expect(cfg.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(cfg.body.chat_url).toMatch(/\/widget\/[0-9a-f]{12}\/chat\.js$/);
    const rotated = await call("/api/v1/livechat-settings/rotate-key", { method: "POST", json: {}, cookie: t.cookie });
    expect(rotated.body.widget_key).not.toBe(key);
    expect((await call(`/livechat/v1/config?key=${key}`, { headers: { origin: SHOP } })).status).toBe(404);
  });

  it("refuses a page on another origin, and a package without live chat", async () => {
    const t = await signup();
    const key = await widget(t);
    const other = await call(`/livechat/v1/config?key=${key}`, { headers: { origin: "https://evil.example" } });
    expect(other.status).toBe(403);
    expect(other.body.error_code).toBe("ORIGIN_NOT_ALLOWED");
    expect((await session(key, {}, "https://evil.example")).status).toBe(403);
    await setPackage(t.businessId, "basic", Date.now() + 30 * 86_400_000);
    expect((await call(`/livechat/v1/config?key=${key}`, { headers: { origin: SHOP } })).body.error_code).toBe("PACKAGE_LIMIT");
  });

  it("serves the scripts with long-lived caching on versioned URLs", async () => {
    const loader = await call("/widget.js");
    expect(loader.status).toBe(200);
    expect(loader.headers.get("content-type")).toContain("javascript");
    const t = await signup();
    const cfg = await call(`/livechat/v1/config?key=${await widget(t, [])}`);
    const chat = await call(new URL(cfg.body.chat_url).pathname);
    expect(chat.status).toBe(200);
    expect(chat.headers.get("cache-control")).toContain("immutable");
    expect((await call("/widget/000000000000/chat.js")).status).toBe(302);
    for (const route of ["session", "handoff", "upload"]) {
      const pre = await call(`/livechat/v1/${route}`, { method: "OPTIONS", headers: { origin: SHOP } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("access-control-allow-origin")).toBe(SHOP);
    }
  });
});

describe("the chat object", () => {
  it("round trip: visitor message → inbox conversation; agent reply → widget; history after last seen, no duplicates", async () => {
    const t = await signup();
    const key = await widget(t);
    const s = await session(key, { name: "Sari", phone: "081234567890" });
    expect(s.status).toBe(201);
    const a = await open(key, s.body.token);
    expect(a.status).toBe(101);
    a.send({ t: "hello", after: 0 });
    await a.next((f) => f.t === "msgs");
    a.send({ t: "msg", cid: "cid-00000001", text: "Halo, stok ada?" });
    a.send({ t: "msg", cid: "cid-00000001", text: "Halo, stok ada?" });
    await a.next((f) => f.t === "msgs" && f.items.some((i) => i.cid === "cid-00000001"));
    const conv = await eventually(async () => {
      const r = await call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { cookie: t.cookie });
      return r.body.items?.length === 1 ? r : null;
    });
    expect(conv.body.items[0].text).toBe("Halo, stok ada?");
    const row = await call(`/api/v1/conversations/${s.body.conversation_id}`, { cookie: t.cookie });
    expect(row.body.unread_count).toBe(1);

    const reply = await call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { json: { text: "Ada kak" }, cookie: t.cookie, headers: { "idempotency-key": "r1" } });
    expect(reply.status).toBe(202);
    const again = await call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { json: { text: "Ada kak" }, cookie: t.cookie, headers: { "idempotency-key": "r1" } });
    expect(again.status).toBe(200);
    await a.next((f) => f.t === "msgs" && f.items.some((i) => i.dir === "out" && i.text === "Ada kak"));
    const after = await call(`/api/v1/conversations/${s.body.conversation_id}`, { cookie: t.cookie });
    expect(after.body.bot_silenced_until).toBeGreaterThan(Date.now());

    // A second tab (a reload) resumes after what it saw: only the reply, once.
    const seenSeq = a.items().find((i) => i.cid === "cid-00000001")?.seq ?? -1;
    const b = await open(key, s.body.token);
    b.send({ t: "hello", after: seenSeq });
    const hist = await b.next((f) => f.t === "msgs");
    expect(hist.t === "msgs" && hist.items.map((i) => i.text)).toEqual(["Ada kak"]);
    // The stored messages: one visitor message, one reply (the duplicate cid and the replayed key added nothing).
    const msgs = await call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { cookie: t.cookie });
    expect(msgs.body.items).toHaveLength(2);
    a.close();
    b.close();
  });

  it("resumes with the whole log after eviction", async () => {
    const t = await signup();
    const key = await widget(t);
    const s = await session(key);
    const a = await open(key, s.body.token);
    a.send({ t: "msg", cid: "cid-evict-1", text: "sebelum" });
    await a.next((f) => f.t === "msgs");
    await evictDurableObject(env.LIVE_CHAT.get(env.LIVE_CHAT.idFromName(s.body.conversation_id)));
    const b = await open(key, s.body.token);
    b.send({ t: "msg", cid: "cid-evict-2", text: "sesudah" });
    b.send({ t: "hello", after: 0 });
    const hist = await b.next((f) => f.t === "msgs" && f.items.length === 2);
    expect(hist.t === "msgs" && hist.items.map((i) => i.text)).toEqual(["sebelum", "sesudah"]);
  });

  it("limits a visitor's message rate and refuses bad frames", async () => {
    const t = await signup();
    const key = await widget(t);
    const s = await session(key);
    const a = await open(key, s.body.token);
    a.send({ t: "msg", cid: "x", text: "too short cid" });
    await a.next((f) => f.t === "err" && f.code === "BAD_FRAME");
    a.send({ t: "msg", cid: "cid-long-text", text: "x".repeat(2001) });
    await a.next((f) => f.t === "err" && f.code === "BAD_FRAME");
    for (let i = 0; i < VISITOR_PER_MINUTE + 1; i++) a.send({ t: "msg", cid: `cid-rate-${i}`, text: `pesan ${i}` });
    const err = await a.next((f) => f.t === "err" && f.code === "RATE_LIMITED");
    expect(err.t === "err" && err.cid).toBe(`cid-rate-${VISITOR_PER_MINUTE}`);
  });

  it("refuses a forged token, another business's token and a token for another widget", async () => {
    const t = await signup();
    const key = await widget(t);
    const s = await session(key);
    const [payload] = String(s.body.token).split(".");
    expect((await open(key, `${payload}.AAAA`)).status).toBe(401);
    const forged = await signVisitorToken(btoa("another-key-32-bytes-long-000000"), { b: t.businessId, v: "v_attacker01", c: s.body.conversation_id, t: Date.now() });
    expect((await open(key, forged)).status).toBe(401);
    const other = await signup("Toko Lain");
    const otherKey = await widget(other);
    expect((await open(otherKey, s.body.token)).status).toBe(401);
    expect((await open(key, s.body.token, "https://evil.example")).status).toBe(403);
  });

  it("emails the agent's reply to an offline visitor who left an email; not while the widget is open", async () => {
    const t = await signup();
    const key = await widget(t);
    const email = `pembeli.${Date.now()}@example.co.id`;
    const s = await session(key, { name: "Rina", email });
    const a = await open(key, s.body.token);
    a.send({ t: "msg", cid: "cid-offline-1", text: "Saya tunggu balasannya" });
    await a.next((f) => f.t === "msgs" && f.items.length > 0);
    await call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { json: { text: "Dibalas saat online" }, cookie: t.cookie });
    await a.next((f) => f.t === "msgs" && f.items.some((i) => i.text === "Dibalas saat online"));
    a.close();
    await eventually(async () => (await env.LIVE_CHAT.get(env.LIVE_CHAT.idFromName(s.body.conversation_id)).stats()).sockets === 0);
    await call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { json: { text: "Stok sudah ada, kak" }, cookie: t.cookie });
    const mails = await eventually(async () => {
      const got = await records<{ subject: string; text: string }>(`mail:${email}`);
      return got.length > 0 ? got : null;
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain("Stok sudah ada, kak");
  });

  it("sends the agent's reply by WhatsApp to an offline visitor who left a WhatsApp number, once, through the send pipeline", async () => {
    const t = await signup();
    const key = await widget(t);
    const d = await createDevice(t);
    const email = `bayu.${Date.now()}@example.co.id`;
    const s = await session(key, { name: "Bayu", phone: "0812-7777-1234", email });
    const a = await open(key, s.body.token);
    a.send({ t: "msg", cid: "cid-offwa-01", text: "Kabari lewat WA ya" });
    await a.next((f) => f.t === "msgs" && f.items.length > 0);
    const wa = () =>
      env.DB.prepare("SELECT id, device_key, to_jid, text, status FROM messages WHERE business_id = ? AND idempotency_key LIKE 'webchat_wa:%'")
        .bind(t.businessId)
        .all<{ id: string; device_key: string; to_jid: string; text: string; status: string }>();
    // While the widget is open the reply goes only to the widget.
    await call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { json: { text: "Halo Bayu" }, cookie: t.cookie });
    await a.next((f) => f.t === "msgs" && f.items.some((i) => i.text === "Halo Bayu"));
    expect((await wa()).results).toEqual([]);
    a.close();
    await eventually(async () => (await env.LIVE_CHAT.get(env.LIVE_CHAT.idFromName(s.body.conversation_id)).stats()).sockets === 0);
    const post = () => call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { json: { text: "Pesanan sudah dikirim" }, cookie: t.cookie, headers: { "idempotency-key": "offwa-1" } });
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(200);
    const rows = (await wa()).results;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ device_key: d.device_key, to_jid: "6281277771234@s.whatsapp.net" });
    expect(rows[0]?.text).toContain("Pesanan sudah dikirim");
    // The normal pipeline: the queue hands it to the device, which sends it.
    await eventually(async () => (["sent", "delivered", "read"].includes((await wa()).results[0]?.status ?? "") ? true : null), 8000, "WhatsApp copy sent");
    // A WhatsApp number took it: no email as well.
    expect(await records(`mail:${email}`)).toEqual([]);
  });

  it("shows the agent's typing in the widget (web only)", async () => {
    const t = await signup();
    const key = await widget(t);
    const s = await session(key);
    const a = await open(key, s.body.token);
    a.send({ t: "hello", after: 0 });
    await a.next((f) => f.t === "msgs");
    const r = await call(`/api/v1/conversations/${s.body.conversation_id}/typing`, { json: {}, cookie: t.cookie });
    expect(r.body).toEqual({ shown: true });
    await a.next((f) => f.t === "typing");
    expect((await call(`/api/v1/conversations/${crypto.randomUUID()}/typing`, { json: {}, cookie: t.cookie })).status).toBe(404);
  });
});

describe("visitor files", () => {
  const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  async function upload(key: string, token: string, body: Uint8Array | string, type: string, cid = `cid-${crypto.randomUUID().slice(0, 8)}`) {
    const res = await exports.default.fetch(
      new Request(`https://ping.test/livechat/v1/upload?key=${key}&token=${encodeURIComponent(token)}&cid=${cid}&name=${encodeURIComponent("../foto <1>.png")}`, {
        method: "POST",
        headers: { "content-type": type, origin: SHOP, "cf-connecting-ip": freshIp() },
        body,
      }),
    );
    return { status: res.status, body: (await res.json()) as { media?: { url: string; name: string }; error_code?: string } };
  }

  it("stores an image in R2 through the media path, adds it to the chat and the inbox, serves it inert", async () => {
    const t = await signup();
    const key = await widget(t);
    const s = await session(key);
    const a = await open(key, s.body.token);
    const up = await upload(key, s.body.token, PNG, "image/png");
    expect(up.status).toBe(201);
    expect(up.body.media?.name).toBe("foto 1.png");
    await a.next((f) => f.t === "msgs" && f.items.some((i) => i.media?.name === "foto 1.png"));
    const msgs = await eventually(async () => {
      const r = await call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { cookie: t.cookie });
      return r.body.items.length === 1 ? r.body.items : null;
    });
    expect(JSON.stringify(msgs[0])).toContain("image/png");
    const served = await call(new URL(up.body.media?.url ?? "").pathname);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-security-policy")).toContain("sandbox");
  });

  it("refuses a file whose bytes are not its type, other types, oversize files and forged tokens", async () => {
    const t = await signup();
    const key = await widget(t);
    const s = await session(key);
    expect((await upload(key, s.body.token, "<html><script>alert(1)</script>", "image/png")).status).toBe(415);
    expect((await upload(key, s.body.token, "<svg onload=alert(1)>", "image/svg+xml")).status).toBe(415);
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    big.set(PNG);
    expect((await upload(key, s.body.token, big, "image/png")).status).toBe(413);
    const [payload] = String(s.body.token).split(".");
    expect((await upload(key, `${payload}.AAAA`, PNG, "image/png")).status).toBe(401);
  });
});

describe("continue on WhatsApp", () => {
  it("gives a one-time wa.me code; its arrival on WhatsApp links the visitor and the WhatsApp contact (one history)", async () => {
    const t = await signup();
    const key = await widget(t);
    expect((await call(`/livechat/v1/handoff`, { json: { key, token: (await session(key)).body.token }, headers: { origin: SHOP } })).body.error_code).toBe("WHATSAPP_NOT_OFFERED");
    const set = await call("/api/v1/livechat-settings", { method: "PUT", json: { whatsapp_number: "0812-3456-7890" }, cookie: t.cookie });
    expect(set.body.config.whatsapp_number).toBe("6281234567890");
    expect((await call(`/livechat/v1/config?key=${key}`, { headers: { origin: SHOP } })).body.whatsapp).toBe(true);
    const s = await session(key, { name: "Dina" });
    const a = await open(key, s.body.token);
    a.send({ t: "msg", cid: "cid-handoff-1", text: "Dari website" });
    await a.next((f) => f.t === "msgs" && f.items.length > 0);
    const h = await call(`/livechat/v1/handoff`, { json: { key, token: s.body.token }, headers: { origin: SHOP, "cf-connecting-ip": freshIp() } });
    expect(h.status).toBe(201);
    expect(h.body.url).toMatch(new RegExp(`^https://wa\\.me/6281234567890\\?text=.*${h.body.code}$`));
    const d = await createDevice(t);
    const inbound = await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, { json: { from: "081399998888", text: `Lanjut dari chat website: ${h.body.code}` }, cookie: t.cookie });
    expect(inbound.status).toBeLessThan(300);
    const web = await call(`/api/v1/conversations/${s.body.conversation_id}`, { cookie: t.cookie });
    const all = await call("/api/v1/conversations", { cookie: t.cookie });
    const wa = all.body.items.find((c: { channel: { kind: string } }) => c.channel.kind === "whatsapp");
    expect(wa.contact.id).toBe(web.body.contact.id);
    expect(web.body.contact.phone).toBe("6281399998888");
    // The web conversation still answers the visitor after the merge.
    await call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { json: { text: "Sudah kami lanjutkan di WhatsApp" }, cookie: t.cookie });
    await a.next((f) => f.t === "msgs" && f.items.some((i) => i.text === "Sudah kami lanjutkan di WhatsApp"));
    // The code works once.
    const d2 = await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, { json: { from: "081377776666", text: h.body.code }, cookie: t.cookie });
    expect(d2.status).toBeLessThan(300);
    const others = (await call("/api/v1/conversations", { cookie: t.cookie })).body.items.filter((c: { contact: { phone: string | null } }) => c.contact.phone === "6281377776666");
    expect(others[0].contact.id).not.toBe(web.body.contact.id);
  });
});

describe("auto-assignment", () => {
  it("picks the online agent with the fewest open conversations, skipping those at the cap", () => {
    const c = [
      { userId: "a", open: 3, lastAssignedAt: 10 },
      { userId: "b", open: 1, lastAssignedAt: 50 },
      { userId: "c", open: 1, lastAssignedAt: 20 },
    ];
    expect(pickAgent(c, null)).toBe("c");
    expect(pickAgent(c, 1)).toBe(null);
    expect(pickAgent(c, 2)).toBe("c");
    expect(pickAgent([], null)).toBe(null);
  });

  it("assigns a new website conversation to an agent with the inbox open; none online leaves it unassigned", async () => {
    const t = await signup();
    const key = await widget(t);
    await call("/api/v1/livechat-settings", { method: "PUT", json: { auto_assign: true, max_open_per_agent: 5 }, cookie: t.cookie });
    const first = await session(key);
    const v1 = await open(key, first.body.token);
    v1.send({ t: "msg", cid: "cid-assign-1", text: "Ada orang?" });
    await v1.next((f) => f.t === "msgs");
    await eventually(async () => (await call(`/api/v1/conversations/${first.body.conversation_id}/messages`, { cookie: t.cookie })).body.items.length === 1);
    expect((await call(`/api/v1/conversations/${first.body.conversation_id}`, { cookie: t.cookie })).body.assignee_id).toBeNull();

    const staff = await member(t, "staff");
    const inbox = await exports.default.fetch(new Request("https://ping.test/api/v1/inbox/ws", { headers: { upgrade: "websocket", cookie: staff.cookie, origin: "https://ping.test" } }));
    expect(inbox.status).toBe(101);
    inbox.webSocket?.accept();
    const second = await session(key);
    const v2 = await open(key, second.body.token);
    v2.send({ t: "msg", cid: "cid-assign-2", text: "Halo?" });
    const assigned = await eventually(async () => {
      const r = await call(`/api/v1/conversations/${second.body.conversation_id}`, { cookie: t.cookie });
      return r.body.assignee_id ? r.body.assignee_id : null;
    });
    expect(assigned).toBe(staff.id);
    inbox.webSocket?.close(1000, "done");
  });
});

describe("auto-assignment of WhatsApp conversations", () => {
  it("a new WhatsApp conversation goes to an online agent under the cap; at the cap, off, or nobody online it stays unassigned", async () => {
    const t = await signup();
    const d = await createDevice(t);
    const inbound = async (from: string, text: string) => {
      const r = await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, { json: { from, text }, cookie: t.cookie });
      expect(r.status, r.text).toBe(201);
      const all = await call("/api/v1/conversations", { cookie: t.cookie });
      return all.body.items.find((c: { contact: { phone: string } }) => c.contact.phone === `62${from.slice(1)}`) as { id: string; assignee_id: string | null };
    };
    const staff = await member(t, "staff");
    const hub = await exports.default.fetch(new Request("https://ping.test/api/v1/inbox/ws", { headers: { upgrade: "websocket", cookie: staff.cookie, origin: "https://ping.test" } }));
    expect(hub.status).toBe(101);
    hub.webSocket?.accept();
    // Off (the default): nobody is assigned even with an agent online.
    expect((await inbound("081300000001", "halo")).assignee_id).toBeNull();
    await call("/api/v1/livechat-settings", { method: "PUT", json: { auto_assign: true, max_open_per_agent: 1 }, cookie: t.cookie });
    // An unassigned conversation's next customer message assigns it; then the agent is at the cap of 1.
    expect((await inbound("081300000001", "masih ada?")).assignee_id).toBe(staff.id);
    expect((await inbound("081300000002", "permisi")).assignee_id).toBeNull();
    // Resolving frees the agent's slot; the next new conversation is theirs.
    const first = (await inbound("081300000001", "terima kasih")).id;
    expect((await call(`/api/v1/conversations/${first}`, { method: "PATCH", json: { status: "resolved" }, cookie: t.cookie })).status).toBe(200);
    expect((await inbound("081300000003", "pesan baru")).assignee_id).toBe(staff.id);
    // Nobody online: it stays unassigned.
    hub.webSocket?.close(1000, "done");
    await call("/api/v1/livechat-settings", { method: "PUT", json: { max_open_per_agent: null }, cookie: t.cookie });
    await new Promise((r) => setTimeout(r, 200));
    expect((await inbound("081300000004", "ada orang?")).assignee_id).toBeNull();
  });
});

describe("auto-replies in the website chat", () => {
  it("a keyword rule answers a visitor on the widget, once per message", async () => {
    const t = await signup();
    const key = await widget(t);
    const rule = await call("/api/v1/auto-replies", { cookie: t.cookie, json: { match_type: "contains", pattern: "harga", reply_text: "Harga mulai Rp10.000, kak." } });
    expect(rule.status, rule.text).toBe(201);
    const s = await session(key);
    const a = await open(key, s.body.token);
    a.send({ t: "hello", after: 0 });
    await a.next((f) => f.t === "msgs");
    a.send({ t: "msg", cid: "cid-harga-0001", text: "Berapa HARGANYA?" });
    await a.next((f) => f.t === "msgs" && f.items.some((i) => i.dir === "out" && i.text === "Harga mulai Rp10.000, kak."));
    const rows = await env.DB.prepare("SELECT source, text FROM messages WHERE conversation_id = ? AND direction = 'out'").bind(s.body.conversation_id).all<{ source: string; text: string }>();
    expect(rows.results).toEqual([{ source: "auto_reply", text: "Harga mulai Rp10.000, kak." }]);
    a.close();
  });

  it("a crash between the message write and the reply decision: the sweep re-drives the effect row, the visitor gets exactly one reply", async () => {
    const t = await signup();
    const key = await widget(t);
    expect((await call("/api/v1/auto-replies", { cookie: t.cookie, json: { match_type: "contains", pattern: "ongkir", reply_text: "Ongkir gratis, kak." } })).status).toBe(201);
    const s = await session(key);
    const a = await open(key, s.body.token);
    a.send({ t: "hello", after: 0 });
    await a.next((f) => f.t === "msgs");
    // What the chat object writes for a message (one batch: message, count, effect row) — and then it dies.
    const channelId = (await webChatChannel(database(env.DB), t.businessId)).id;
    const visitorId = String((await env.DB.prepare("SELECT web_visitor_id AS v FROM contacts WHERE business_id = ?").bind(t.businessId).first<{ v: string }>())?.v);
    const meta = { businessId: t.businessId, conversationId: s.body.conversation_id as string, channelId, visitorId };
    const hot = await loadChatHot(env, meta, Date.now());
    expect(hot?.autoReply).toBe(true);
    const msg = { id: crypto.randomUUID(), cid: "cid-crash-0001", text: "ongkir ke Bandung?", at: Date.now() };
    if (!hot) throw new Error("no hot state");
    const stored = await storeWebMessages(env, meta, hot, [msg]);
    expect(stored.messages.map((m) => m.id)).toEqual([msg.id]);
    // Written again (the answer was lost): nothing new, the conversation counted once.
    expect((await storeWebMessages(env, meta, hot, [msg])).messages).toEqual([]);
    const effect = () => env.DB.prepare("SELECT kind, done_at FROM inbound_effects WHERE message_id = ?").bind(msg.id).all<{ kind: string; done_at: number | null }>();
    expect((await effect()).results).toEqual([{ kind: "web_auto_reply", done_at: null }]);
    expect((await call(`/api/v1/conversations/${s.body.conversation_id}`, { cookie: t.cookie })).body.unread_count).toBe(1);
    const replies = () => env.DB.prepare("SELECT text FROM messages WHERE conversation_id = ? AND direction = 'out'").bind(s.body.conversation_id).all<{ text: string }>();
    expect((await replies()).results).toEqual([]);
    // Not yet due (the live path's grace): the sweep leaves it; once due, it answers.
    expect(await sweepInboundEffects(env, Date.now())).toBe(0);
    expect(await sweepInboundEffects(env, Date.now() + 61_000)).toBeGreaterThanOrEqual(1);
    expect((await effect()).results[0]?.done_at).not.toBeNull();
    await a.next((f) => f.t === "msgs" && f.items.some((i) => i.dir === "out" && i.text === "Ongkir gratis, kak."));
    // A second re-drive (the sweep raced the live path) answers nothing more.
    await env.DB.prepare("UPDATE inbound_effects SET done_at = NULL WHERE message_id = ?").bind(msg.id).run();
    await sweepInboundEffects(env, Date.now() + 61_000);
    expect((await replies()).results).toEqual([{ text: "Ongkir gratis, kak." }]);
    await new Promise((r) => setTimeout(r, 200));
    expect(a.items().filter((i) => i.dir === "out")).toHaveLength(1);
    a.close();
  });

  it("writes no effect row when nothing could answer (no keyword rule, AI off for the chat)", async () => {
    const t = await signup();
    const key = await widget(t);
    const s = await session(key);
    const a = await open(key, s.body.token);
    a.send({ t: "msg", cid: "cid-noeffect-1", text: "halo" });
    await eventually(async () => (await call(`/api/v1/conversations/${s.body.conversation_id}/messages`, { cookie: t.cookie })).body.items.length === 1);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM inbound_effects WHERE business_id = ?").bind(t.businessId).first<{ n: number }>();
    expect(n?.n).toBe(0);
    a.close();
  });

  it("the AI agent answers a visitor when it is on for the website chat, and not when it is off", async () => {
    const t = await signup();
    const key = await widget(t);
    const m = `webai-${crypto.randomUUID().slice(0, 8)}`;
    await addFixtures({ match: { userMessage: m }, response: { content: "Toko buka setiap hari jam 08.00–21.00." } });
    const on = await call("/api/v1/ai-settings", {
      method: "PUT",
      cookie: t.cookie,
      json: { web_chat: true, base_url: `${servers().aimock}/v1`, api_key: "sk-test-aimock", debounce_ms: 300, max_wait_ms: 2000 },
    });
    expect(on.status, on.text).toBe(200);
    const s = await session(key);
    const a = await open(key, s.body.token);
    a.send({ t: "hello", after: 0 });
    await a.next((f) => f.t === "msgs");
    a.send({ t: "msg", cid: "cid-webai-0001", text: `jam buka? ${m}` });
    await a.next((f) => f.t === "msgs" && f.items.some((i) => i.dir === "out" && i.text === "Toko buka setiap hari jam 08.00–21.00."));
    expect(await modelCalls(m)).toHaveLength(1);
    a.close();

    // Off for the website chat: a visitor's message asks no model.
    expect((await call("/api/v1/ai-settings", { method: "PUT", cookie: t.cookie, json: { web_chat: false } })).status).toBe(200);
    const m2 = `webai-off-${crypto.randomUUID().slice(0, 8)}`;
    const s2 = await session(key);
    const b = await open(key, s2.body.token);
    b.send({ t: "hello", after: 0 });
    await b.next((f) => f.t === "msgs");
    b.send({ t: "msg", cid: "cid-webai-0002", text: `halo ${m2}` });
    await b.next((f) => f.t === "msgs" && f.items.some((i) => i.cid === "cid-webai-0002"));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await modelCalls(m2)).toHaveLength(0);
    b.close();
  });
});
