// The inbox's real-time channel: sockets opened through the real Worker (auth and Origin checked there),
// events from the real inbound path and the real send pipeline (queue → DeviceSession → write-back), fanned
// out by the business's InboxHub only to that business, across hibernation.
import { createExecutionContext, createMessageBatch, evictDurableObject, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type InboxEvent, parseInboxEvent } from "../../worker/inbox/events";
import { publishInbox } from "../../worker/inbox/publish";
import worker from "../../worker/index";
import { jobFor } from "../../worker/messaging/enqueue";
import { openGateway } from "./gateway-client";
import { openInbox } from "./inbox-client";
import { call, createApiKey, createDevice, eventually, member, queueTestMessages, signup } from "./helpers";

const ORIGIN = "https://ping.test";

describe("real-time inbox channel", () => {
  it("pushes inbound and outbound messages, their status and the conversation to the business's sockets only", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const owner = await openInbox({ cookie: t.cookie, origin: ORIGIN });
    expect(owner.status).toBe(101);
    const staff = await member(t, "staff");
    const staffSocket = await openInbox({ cookie: staff.cookie, origin: ORIGIN });
    expect(staffSocket.status).toBe(101);
    // Another business, connected with an API key (no Origin needed without a cookie), sees nothing of ours.
    const other = await signup("Toko Sebelah");
    const otherDevice = await createDevice(other, "sandbox");
    const otherSocket = await openInbox({ key: await createApiKey(other) });
    expect(otherSocket.status).toBe(101);

    const inbound = await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, {
      json: { from: "0812-3456-7890", name: "Rina", text: "Halo kak, masih buka?" },
      cookie: t.cookie,
    });
    expect(inbound.status).toBe(201);
    const created = await owner.next("message.created", (e) => e.message.direction === "in");
    expect(created.message).toMatchObject({
      id: inbound.body.message.id,
      device_key: d.device_key,
      direction: "in",
      chat_jid: "6281234567890@s.whatsapp.net",
      from: "6281234567890@s.whatsapp.net",
      sender_name: "Rina",
      text: "Halo kak, masih buka?",
      status: "delivered",
    });
    expect(created.message.conversation_id).toEqual(expect.any(String));
    const conv = await owner.next("conversation.updated");
    expect(conv.conversation).toMatchObject({ id: created.message.conversation_id, device_key: d.device_key, chat_jid: "6281234567890@s.whatsapp.net", unread_count: 1 });
    expect(conv.conversation.last_message_at).toBeGreaterThanOrEqual(created.message.created_at);
    expect((await staffSocket.next("message.created")).message.id).toBe(created.message.id);

    // A second message from the customer: the unread count follows.
    await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, { json: { from: "081234567890", text: "Ada stok?" }, cookie: t.cookie });
    expect((await owner.next("conversation.updated")).conversation.unread_count).toBe(2);

    // Outbound through the real pipeline: queue → DeviceSession (sandbox) → batched status write-back.
    const sent = await call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", text: "Masih kak, silakan" }, cookie: t.cookie });
    expect(sent.status).toBe(202);
    const out = await owner.next("message.created", (e) => e.message.id === sent.body.id);
    expect(out.message).toMatchObject({ direction: "out", chat_jid: "6281234567890@s.whatsapp.net", to: "6281234567890@s.whatsapp.net", text: "Masih kak, silakan", status: "queued" });
    const status = await owner.next("message.status", (e) => e.message.id === sent.body.id);
    expect(status.message).toMatchObject({ id: sent.body.id, device_key: d.device_key, status: "delivered", error: null });
    // The event follows the stored row, and creation came before the status.
    expect((await call(`/api/v1/messages/${sent.body.id}`, { cookie: t.cookie })).body.status).toBe("delivered");
    const order = owner.events.filter((e) => (e.type === "message.created" || e.type === "message.status") && e.message.id === sent.body.id).map((e) => e.type);
    expect(order).toEqual(["message.created", "message.status"]);

    // The other business's own traffic reaches only its socket.
    await call(`/api/v1/devices/${otherDevice.device_key}/sandbox/inbound`, { json: { from: "081111111111", text: "Pesan toko sebelah" }, cookie: other.cookie });
    expect((await otherSocket.next("message.created")).message.text).toBe("Pesan toko sebelah");
    await owner.ping();
    await otherSocket.ping();
    expect(owner.events.some((e) => e.type === "message.created" && e.message.text === "Pesan toko sebelah")).toBe(false);
    expect(otherSocket.events.map((e) => (e.type === "conversation.updated" ? e.conversation.device_key : "message" in e ? e.message.device_key : ""))).not.toContain(d.device_key);
    expect(otherSocket.events).toHaveLength(2);
    // Every frame the hub sent is an inbox event of the schema (or the keep-alive answer).
    expect(owner.raw.filter((r) => r !== '{"type":"pong"}' && parseInboxEvent(r) === null)).toEqual([]);
    for (const c of [owner, staffSocket, otherSocket]) c.close();
  });

  it("authenticates the upgrade in the Worker and checks the Origin of cookie upgrades", async () => {
    const t = await signup();
    const anon = await openInbox({ origin: ORIGIN });
    expect(anon.status).toBe(401);
    expect(JSON.parse(anon.body)).toMatchObject({ status: "error", error_code: "UNAUTHORIZED" });
    const badKey = await openInbox({ key: "ping_live_not-a-real-key" });
    expect(badKey.status).toBe(401);
    // Cross-site WebSocket hijacking: the browser sends the cookie, but the page is someone else's.
    const foreign = await openInbox({ cookie: t.cookie, origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error_code).toBe("ORIGIN_NOT_ALLOWED");
    expect((await openInbox({ cookie: t.cookie, origin: "https://ping.test.evil.example" })).status).toBe(403);
    expect((await openInbox({ cookie: t.cookie })).status).toBe(403);
    // Not an upgrade: our JSON error, 426.
    const plain = await openInbox({ cookie: t.cookie, origin: ORIGIN, upgrade: false });
    expect(plain.status).toBe(426);
    expect(JSON.parse(plain.body)).toMatchObject({ status: "error", error_code: "UPGRADE_REQUIRED" });
    // A client cannot smuggle another business into the hub through headers.
    const victim = await signup("Korban");
    const victimDevice = await createDevice(victim, "sandbox");
    const smuggler = await openInbox({ cookie: t.cookie, origin: ORIGIN, headers: { "x-ping-business-id": victim.businessId } });
    expect(smuggler.status).toBe(101);
    const victimSocket = await openInbox({ cookie: victim.cookie, origin: ORIGIN });
    await call(`/api/v1/devices/${victimDevice.device_key}/sandbox/inbound`, { json: { from: "081234567890", text: "rahasia" }, cookie: victim.cookie });
    await victimSocket.next("message.created");
    await smuggler.ping();
    expect(smuggler.raw).toEqual(['{"type":"pong"}']);
    smuggler.close();
    victimSocket.close();
  });

  it("keeps delivering to the same sockets after the hub is evicted (hibernation)", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const key = await createApiKey(t);
    const a = await openInbox({ cookie: t.cookie, origin: ORIGIN });
    const b = await openInbox({ key });
    expect([a.status, b.status]).toEqual([101, 101]);
    const hub = env.INBOX_HUB.get(env.INBOX_HUB.idFromName(t.businessId));
    expect(await hub.connections(t.businessId)).toBe(2);
    await evictDurableObject(hub);
    // A fresh instance: the sockets and who they belong to come back from the runtime and their attachments.
    await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, { json: { from: "081234567890", text: "Setelah tidur" }, cookie: t.cookie });
    expect((await a.next("message.created")).message.text).toBe("Setelah tidur");
    expect((await b.next("message.created")).message.text).toBe("Setelah tidur");
    await evictDurableObject(hub);
    const sent = await call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", text: "Balasan" }, key });
    expect((await a.next("message.status", (e) => e.message.id === sent.body.id)).message.status).toBe("delivered");
    expect(await hub.connections(t.businessId)).toBe(2);
    a.close();
    await eventually(async () => (await hub.connections(t.businessId)) === 1, 5000, "closed socket gone");
    b.close();
  });

  it("a message failed from the dead-letter queue is published as message.status (issue 8, low)", async () => {
    const t = await signup();
    // A baileys device with no gateway: the job waits in the outbox; the dead-letter path fails the row.
    const d = await createDevice(t, "baileys");
    const socket = await openInbox({ key: await createApiKey(t) });
    const [row] = await queueTestMessages(t, d.device_key, ["tidak sampai"]);
    if (!row) throw new Error("no row");
    await env.DB.prepare("UPDATE messages SET accepted_at = NULL WHERE id = ?").bind(row.id).run();
    const dlq = createMessageBatch("outbound-dlq", [{ id: "d1", timestamp: Date.now(), attempts: 9, body: jobFor(row) }]);
    const ctx = createExecutionContext();
    await worker.queue(dlq, env, ctx);
    await getQueueResult(dlq, ctx);
    const ev = await socket.next("message.status", (e) => e.message.id === row.id);
    expect(ev.message).toMatchObject({ device_key: d.device_key, status: "failed" });
    expect(ev.message.error).toMatch(/dead-lettered/);
    socket.close();
  });

  it("a client frame other than ping gets a read-only reminder, not a crash", async () => {
    const t = await signup();
    const tab = await openInbox({ cookie: t.cookie, origin: ORIGIN });
    tab.send("hello?");
    await eventually(async () => tab.raw.length > 0, 5000, "reply");
    expect(JSON.parse(tab.raw[0] ?? "{}")).toMatchObject({ type: "error", error_code: "READ_ONLY_CHANNEL" });
    await tab.ping();
    tab.close();
  });

  it("baileys: the gateway's inbound message, the ack (sent) and a read receipt reach the socket", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { pacing_enabled: false } }, cookie: t.cookie });
    const tab = await openInbox({ cookie: t.cookie, origin: ORIGIN });
    const gw = await openGateway(d.device_key);
    gw.send({ type: "hello", v: 1, gateway_id: "gw-test", status: "connected" });
    await gw.next("welcome");
    gw.send({ type: "status", status: "connected", phone: "6285700001111" });
    await eventually(async () => (await call(`/api/v1/devices/${d.device_key}`, { cookie: t.cookie })).body.phone === "6285700001111", 5000, "phone");
    gw.send({
      type: "inbound",
      event_id: "ev-1",
      message: { wa_message_id: "WA-IN-1", chat_jid: "6281234567890@s.whatsapp.net", sender_jid: "6281234567890@s.whatsapp.net", push_name: "Rina", timestamp: Math.floor(Date.now() / 1000), kind: "text", text: "Kak, ongkir ke Bogor?", is_group: false, is_ephemeral: false },
    });
    await gw.next("inbound_ack");
    const inbound = await tab.next("message.created");
    expect(inbound.message).toMatchObject({ direction: "in", text: "Kak, ongkir ke Bogor?", sender_name: "Rina", to: "6285700001111@s.whatsapp.net" });
    expect((await tab.next("conversation.updated")).conversation.unread_count).toBe(1);

    const sent = await call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", text: "Ongkir 15 ribu kak" }, cookie: t.cookie });
    expect((await tab.next("message.created", (e) => e.message.id === sent.body.id)).message.from).toBe("6285700001111@s.whatsapp.net");
    gw.send({ type: "credit", n: 5 });
    const job = await gw.next("job");
    gw.send({ type: "ack", job_id: job.job_id, wa_message_id: "WA-OUT-1" });
    expect((await tab.next("message.status", (e) => e.message.id === sent.body.id)).message.status).toBe("sent");
    gw.send({ type: "receipt", wa_message_id: "WA-OUT-1", status: "read", timestamp: Date.now() });
    expect((await tab.next("message.status", (e) => e.message.id === sent.body.id)).message.status).toBe("read");
    // A receipt that moves nothing (already read) publishes nothing.
    gw.send({ type: "receipt", wa_message_id: "WA-OUT-1", status: "delivered", timestamp: Date.now() });
    gw.send({ type: "ping", t: 1 });
    await gw.next("pong");
    await new Promise((ok) => setTimeout(ok, 300));
    await tab.ping();
    expect(tab.events.filter((e) => e.type === "message.status")).toHaveLength(2);
    gw.close();
    tab.close();
  });

  it("the hub drops an event outside the schema; a failing publish only logs, and the pipeline carries on", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const tab = await openInbox({ cookie: t.cookie, origin: ORIGIN });
    const hub = env.INBOX_HUB.get(env.INBOX_HUB.idFromName(t.businessId));
    const bogus = { type: "message.created", message: { id: 42 } } as unknown as InboxEvent;
    const fine: InboxEvent = { type: "message.status", message: { id: "m-1", device_key: d.device_key, status: "read", error: null } };
    // The bad event is dropped (and logged); the good one in the same call still goes out.
    expect(await hub.publish(t.businessId, [bogus, fine])).toBe(1);
    expect((await tab.next("message.status")).message.id).toBe("m-1");
    // A hub that cannot be reached at all: publishInbox (run in the pipeline's waitUntil) logs and resolves.
    const noHub = { ...env, INBOX_HUB: undefined } as unknown as Env;
    await expect(publishInbox(noHub, t.businessId, [fine])).resolves.toBeUndefined();
    const sent = await call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", text: "Tetap jalan" }, cookie: t.cookie });
    expect((await tab.next("message.status", (e) => e.message.id === sent.body.id)).message.status).toBe("delivered");
    expect(tab.events.every((e) => e.type !== "message.created" || typeof e.message.id === "string")).toBe(true);
    tab.close();
  });

  it("is described in the OpenAPI document", async () => {
    const t = await signup();
    const doc = await call("/api/v1/openapi.json", { cookie: t.cookie });
    expect(doc.body.paths["/api/v1/inbox/ws"]?.get?.summary ?? doc.body.paths["/inbox/ws"]?.get?.summary).toMatch(/WebSocket/);
  });
});
