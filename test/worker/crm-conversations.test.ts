// Conversations API in workerd: inbox filters and unread counts, status/snooze/assignee/priority/labels/
// bot state, the thread with cursor and after=, and an agent reply sent through the real pipeline.
import { describe, expect, it } from "vitest";
import { call, member } from "./helpers";
import { tenantWithDevice, waitForStatus } from "./webhook-fixtures";

describe("conversations API", () => {
  it("lists, filters and updates conversations; an agent reply goes out on the conversation's channel exactly once", async () => {
    const t = await tenantWithDevice();
    const staff = await member(t, "staff");
    for (const [from, text] of [["081211112222", "halo 1"], ["081211112222", "halo 2"], ["081233334444", "stok?"]] as const) {
      const r = await call(`/api/v1/devices/${t.deviceKey}/sandbox/inbound`, { cookie: t.cookie, json: { from, text, name: from.endsWith("2222") ? "Rani" : "Tono" } });
      expect(r.status).toBe(201);
    }
    const list = await call("/api/v1/conversations", { cookie: staff.cookie });
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.map((c: any) => [c.contact.name, c.unread_count, c.last_message.text, c.status, c.bot_state])).toEqual([
      ["Tono", 1, "stok?", "open", "active"],
      ["Rani", 2, "halo 2", "open", "active"],
    ]);
    expect(list.body.unread).toEqual({ conversations: 2, messages: 3 });
    const rani = list.body.items[1];
    expect(rani.channel).toMatchObject({ kind: "whatsapp", device_key: t.deviceKey });

    const vip = (await call("/api/v1/labels", { cookie: t.cookie, json: { name: "Komplain" } })).body.id;
    const patched = await call(`/api/v1/conversations/${rani.id}`, {
      method: "PATCH",
      cookie: staff.cookie,
      json: { assignee_id: staff.id, priority: "high", label_ids: [vip], bot_state: "handed_off", bot_state_reason: "agent took over" },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ assignee_id: staff.id, priority: "high", labels: [{ id: vip }], bot_state: "handed_off", bot_state_reason: "agent took over" });
    const ids = async (q: string, who = staff.cookie) => (await call(`/api/v1/conversations${q}`, { cookie: who })).body.items.map((c: any) => c.contact.name);
    expect(await ids("?assignee=me")).toEqual(["Rani"]);
    expect(await ids("?assignee=none")).toEqual(["Tono"]);
    expect(await ids(`?label=${vip}`)).toEqual(["Rani"]);
    expect(await ids("?q=3444")).toEqual(["Tono"]);
    expect(await ids(`?device_key=${t.deviceKey}`)).toEqual(["Tono", "Rani"]);
    expect((await call(`/api/v1/conversations/${rani.id}`, { method: "PATCH", cookie: staff.cookie, json: { status: "snoozed" } })).body.error_code).toBe("SNOOZE_UNTIL_REQUIRED");
    const until = Date.now() + 3600_000;
    const snoozed = await call(`/api/v1/conversations/${rani.id}`, { method: "PATCH", cookie: staff.cookie, json: { status: "snoozed", snooze_until: until } });
    expect(snoozed.body).toMatchObject({ status: "snoozed", snooze_until: until });
    expect(await ids("?status=snoozed")).toEqual(["Rani"]);
    expect((await call(`/api/v1/conversations/${rani.id}`, { method: "PATCH", cookie: staff.cookie, json: { assignee_id: crypto.randomUUID() } })).body.error_code).toBe("UNKNOWN_ASSIGNEE");
    await call(`/api/v1/conversations/${rani.id}/labels/${vip}`, { method: "DELETE", cookie: staff.cookie });
    expect(await ids(`?label=${vip}`)).toEqual([]);

    // The agent's reply: through the pipeline on the conversation's device; a retry with the key is a replay.
    const reply = await call(`/api/v1/conversations/${rani.id}/messages`, { cookie: staff.cookie, json: { text: "Siap kak, kami cek" }, headers: { "idempotency-key": "r-1" } });
    expect(reply.status, reply.text).toBe(202);
    expect(reply.body).toMatchObject({ device_key: t.deviceKey, to: "6281211112222@s.whatsapp.net", source: "agent", direction: "out" });
    const again = await call(`/api/v1/conversations/${rani.id}/messages`, { cookie: staff.cookie, json: { text: "Siap kak, kami cek" }, headers: { "idempotency-key": "r-1" } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(reply.body.id);
    expect(await waitForStatus(reply.body.id, "delivered")).toBe("delivered");
    const after = await call(`/api/v1/conversations/${rani.id}`, { cookie: staff.cookie });
    expect(after.body).toMatchObject({ unread_count: 0, last_message: { text: "Siap kak, kami cek", direction: "out" } });

    // The thread: newest first, paged back by cursor; after= gives what is newer, oldest first.
    const p1 = await call(`/api/v1/conversations/${rani.id}/messages?limit=2`, { cookie: staff.cookie });
    expect(p1.body.items.map((m: any) => m.text)).toEqual(["Siap kak, kami cek", "halo 2"]);
    const p2 = await call(`/api/v1/conversations/${rani.id}/messages?limit=2&cursor=${p1.body.next_cursor}`, { cookie: staff.cookie });
    expect(p2.body.items.map((m: any) => m.text)).toEqual(["halo 1"]);
    const newer = await call(`/api/v1/conversations/${rani.id}/messages?after=${p2.body.items[0].id}`, { cookie: staff.cookie });
    expect(newer.body.items.map((m: any) => m.text)).toEqual(["halo 2", "Siap kak, kami cek"]);

    // The customer writes again: a snoozed conversation opens.
    await call(`/api/v1/devices/${t.deviceKey}/sandbox/inbound`, { cookie: t.cookie, json: { from: "081211112222", text: "ditunggu" } });
    expect((await call(`/api/v1/conversations/${rani.id}`, { cookie: staff.cookie })).body).toMatchObject({ status: "open", snooze_until: null, unread_count: 1 });
  });
});
