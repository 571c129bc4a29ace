// Inbox notifications: an @mention in a note and an assignment by someone else each become a record for that
// user and an event on that user's open inbox sockets only (not the author's, not a colleague's, not another
// business's); the list, mark-read and the notification setting are per user; an API key is not a user.
// Also: opening a thread marks it read (and says so live), and snoozing until the next reply.
import { describe, expect, it } from "vitest";
import { openInbox } from "./inbox-client";
import { call, createApiKey, createDevice, eventually, freshIp, member, signup, type Tenant } from "./helpers";

const ORIGIN = "https://ping.test";

async function webConversation(cookie: string): Promise<string> {
  const key = (await call("/api/v1/livechat-settings", { cookie })).body.widget_key;
  const s = await call("/livechat/v1/session", { json: { key, name: "Budi" }, headers: { "cf-connecting-ip": freshIp() } });
  expect(s.status).toBe(201);
  return s.body.conversation_id;
}

/** A WhatsApp conversation with one unread customer message (the sandbox device's inbound path). */
async function whatsappConversation(t: Tenant, text: string): Promise<{ id: string; deviceKey: string }> {
  const d = await createDevice(t, "sandbox");
  expect((await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, { json: { from: "081234567890", text }, cookie: t.cookie })).status).toBeLessThan(300);
  const list = await eventually(async () => (await call("/api/v1/conversations", { cookie: t.cookie })).body.items[0] as { id: string } | undefined, 5000, "conversation");
  return { id: list.id, deviceKey: d.device_key };
}

async function handleOf(t: { cookie: string }, id: string): Promise<string> {
  const users = (await call("/api/v1/users", { cookie: t.cookie })).body.items as { id: string; email: string }[];
  return (users.find((u) => u.id === id)?.email ?? "").split("@")[0] ?? "";
}

describe("inbox notifications", () => {
  it("a mention notifies the mentioned user (record + event to their sockets only), not the author or a colleague", async () => {
    const t = await signup();
    const sari = await member(t, "staff");
    const dewi = await member(t, "staff");
    const id = await webConversation(t.cookie);
    const sariSocket = await openInbox({ cookie: sari.cookie, origin: ORIGIN });
    const dewiSocket = await openInbox({ cookie: dewi.cookie, origin: ORIGIN });
    const ownerSocket = await openInbox({ cookie: t.cookie, origin: ORIGIN });
    expect(sariSocket.status).toBe(101);

    const note = await call(`/api/v1/conversations/${id}/notes`, { json: { text: `@${await handleOf(t, sari.id)} tolong cek stok` }, cookie: t.cookie });
    expect(note.status).toBe(201);
    const ev = await sariSocket.next("notification");
    expect(ev.notification).toMatchObject({ kind: "mention", conversation_id: id, text: expect.stringContaining("tolong cek stok"), actor_name: "Budi" });
    await dewiSocket.ping();
    await ownerSocket.ping();
    expect(dewiSocket.events.some((e) => e.type === "notification")).toBe(false);
    // The note itself reaches every open inbox of the business (the thread shows it live), mentioned or not.
    expect((await dewiSocket.next("note.created")).note).toMatchObject({ id: note.body.id, conversation_id: id, author_id: t.userId, text: expect.stringContaining("tolong cek stok") });
    expect(ownerSocket.events.some((e) => e.type === "notification")).toBe(false);

    // The record: Sari's list has it unread; Dewi's and the author's are empty.
    const list = await call("/api/v1/notifications", { cookie: sari.cookie });
    expect(list.status).toBe(200);
    expect(list.body.unread).toBe(1);
    expect(list.body.items[0]).toMatchObject({ id: ev.notification.id, kind: "mention", note_id: note.body.id, actor_id: t.userId, read_at: null });
    expect((await call("/api/v1/notifications", { cookie: dewi.cookie })).body.items).toEqual([]);
    expect((await call("/api/v1/notifications", { cookie: t.cookie })).body.items).toEqual([]);

    // Mentioning yourself notifies nobody.
    const self = await call(`/api/v1/conversations/${id}/notes`, { json: { text: `@${await handleOf(t, t.userId)} catatan untuk saya` }, cookie: t.cookie });
    expect(self.body.mentions).toEqual([t.userId]);
    expect((await call("/api/v1/notifications", { cookie: t.cookie })).body.items).toEqual([]);

    // Dewi cannot mark Sari's read; Sari can.
    expect((await call("/api/v1/notifications/read", { json: { ids: [ev.notification.id] }, cookie: dewi.cookie })).body.marked).toBe(0);
    const read = await call("/api/v1/notifications/read", { json: { ids: [ev.notification.id] }, cookie: sari.cookie });
    expect(read.body).toEqual({ marked: 1, unread: 0 });
    expect((await call("/api/v1/notifications?unread=true", { cookie: sari.cookie })).body.items).toEqual([]);
    for (const s of [sariSocket, dewiSocket, ownerSocket]) s.close();
  });

  it("assigning a conversation to someone else notifies them; taking it yourself does not", async () => {
    const t = await signup();
    const sari = await member(t, "staff");
    const id = await webConversation(t.cookie);
    const sariSocket = await openInbox({ cookie: sari.cookie, origin: ORIGIN });
    const assigned = await call(`/api/v1/conversations/${id}`, { method: "PATCH", json: { assignee_id: sari.id }, cookie: t.cookie });
    expect(assigned.status).toBe(200);
    const ev = await sariSocket.next("notification");
    expect(ev.notification).toMatchObject({ kind: "assigned", conversation_id: id, text: "Budi" });
    // Every open inbox follows the change (the thread's controls, the list's status).
    expect((await sariSocket.next("conversation.changed")).conversation).toMatchObject({ id, assignee_id: sari.id, status: "open" });
    // The same assignment again is no news.
    await call(`/api/v1/conversations/${id}`, { method: "PATCH", json: { assignee_id: sari.id }, cookie: t.cookie });
    expect((await call("/api/v1/notifications", { cookie: sari.cookie })).body.items).toHaveLength(1);
    // Taking it yourself ("assign to me").
    await call(`/api/v1/conversations/${id}`, { method: "PATCH", json: { assignee_id: t.userId }, cookie: t.cookie });
    expect((await call("/api/v1/notifications", { cookie: t.cookie })).body.items).toEqual([]);
    sariSocket.close();
  });

  it("the setting is per user and validated; an API key is not a user; another business sees nothing", async () => {
    const t = await signup();
    const sari = await member(t, "staff");
    expect((await call("/api/v1/notifications/settings", { cookie: sari.cookie })).body).toEqual({ notify: "on" });
    expect((await call("/api/v1/notifications/settings", { method: "PUT", json: { notify: "off" }, cookie: sari.cookie })).body).toEqual({ notify: "off" });
    expect((await call("/api/v1/notifications/settings", { cookie: sari.cookie })).body).toEqual({ notify: "off" });
    expect((await call("/api/v1/notifications/settings", { cookie: t.cookie })).body).toEqual({ notify: "on" });
    const bad = await call("/api/v1/notifications/settings", { method: "PUT", json: { notify: "loud" }, cookie: sari.cookie });
    expect(bad.status).toBe(400);
    expect(bad.body.status).toBe("error");
    expect((await call("/api/v1/notifications/read", { json: { ids: ["nope"] }, cookie: sari.cookie })).status).toBe(400);
    const key = await createApiKey(t);
    const byKey = await call("/api/v1/notifications", { key });
    expect(byKey.status).toBe(400);
    expect(byKey.body.error_code).toBe("NO_USER");

    const id = await webConversation(t.cookie);
    await call(`/api/v1/conversations/${id}`, { method: "PATCH", json: { assignee_id: sari.id }, cookie: t.cookie });
    const stranger = await signup("Toko Lain");
    expect((await call("/api/v1/notifications", { cookie: stranger.cookie })).body.items).toEqual([]);
    const mine = (await call("/api/v1/notifications", { cookie: sari.cookie })).body.items as { id: string }[];
    expect((await call("/api/v1/notifications/read", { json: {}, cookie: stranger.cookie })).body.marked).toBe(0);
    expect(mine).toHaveLength(1);
  });
});

describe("inbox thread state", () => {
  it("reading a thread clears its unread count and tells every open inbox", async () => {
    const t = await signup();
    const { id } = await whatsappConversation(t, "Halo, masih buka?");
    expect((await call(`/api/v1/conversations/${id}`, { cookie: t.cookie })).body.unread_count).toBe(1);
    const socket = await openInbox({ cookie: t.cookie, origin: ORIGIN });
    const read = await call(`/api/v1/conversations/${id}/read`, { method: "POST", cookie: t.cookie });
    expect(read.status).toBe(200);
    expect((await socket.next("conversation.updated", (e) => e.conversation.id === id)).conversation.unread_count).toBe(0);
    expect((await call(`/api/v1/conversations/${id}`, { cookie: t.cookie })).body.unread_count).toBe(0);
    const stranger = await signup("Toko Lain");
    expect((await call(`/api/v1/conversations/${id}/read`, { method: "POST", cookie: stranger.cookie })).status).toBe(404);
    socket.close();
  });

  it("snoozes until the next reply (snooze_until null) and the customer's message reopens it", async () => {
    const t = await signup();
    const { id, deviceKey } = await whatsappConversation(t, "Halo");
    expect((await call(`/api/v1/conversations/${id}`, { method: "PATCH", json: { status: "snoozed" }, cookie: t.cookie })).body.error_code).toBe("SNOOZE_UNTIL_REQUIRED");
    const snoozed = await call(`/api/v1/conversations/${id}`, { method: "PATCH", json: { status: "snoozed", snooze_until: null }, cookie: t.cookie });
    expect(snoozed.body).toMatchObject({ status: "snoozed", snooze_until: null });
    await call(`/api/v1/devices/${deviceKey}/sandbox/inbound`, { json: { from: "081234567890", text: "Kak?" }, cookie: t.cookie });
    await eventually(async () => (await call(`/api/v1/conversations/${id}`, { cookie: t.cookie })).body.status === "open" || undefined, 5000, "reopened");
  });
});
