// Staff visibility (issue 13), one rule for the inbox page and the API (worker/inbox/visibility.ts): staff see
// the conversations assigned to them and the unassigned ones unless `staff_see_all` is on; admins and API keys
// see all. A hidden conversation is a 404 on every per-conversation route, like another business's.
import { describe, expect, it } from "vitest";
import { canSee } from "../../worker/inbox/visibility";
import { call, createApiKey, member } from "./helpers";
import { openInbox } from "./inbox-client";
import { tenantWithDevice } from "./webhook-fixtures";

describe("staff visibility", () => {
  it("the pure rule: no limit sees all; a limited view sees its own and unassigned", () => {
    expect(canSee(undefined, "u1")).toBe(true);
    expect(canSee("u1", null)).toBe(true);
    expect(canSee("u1", "u1")).toBe(true);
    expect(canSee("u1", "u2")).toBe(false);
  });

  it("staff see theirs and unassigned; another agent's is a 404; admins, API keys and staff_see_all see all", async () => {
    const t = await tenantWithDevice();
    const [staff, other, admin] = [await member(t, "staff"), await member(t, "staff"), await member(t, "admin")];
    const key = await createApiKey(t);
    for (const [from, name] of [
      ["081211110001", "Mine"],
      ["081211110002", "Theirs"],
      ["081211110003", "Nobody"],
    ] as const) {
      expect(
        (await call(`/api/v1/devices/${t.deviceKey}/sandbox/inbound`, { cookie: t.cookie, json: { from, text: `halo ${name}`, name } }))
          .status,
      ).toBe(201);
    }
    const all = (await call("/api/v1/conversations", { cookie: t.cookie })).body.items as { id: string; contact: { name: string } }[];
    const id = (n: string) => all.find((c) => c.contact.name === n)?.id ?? "";
    for (const [n, who] of [
      ["Mine", staff.id],
      ["Theirs", other.id],
    ] as const) {
      expect((await call(`/api/v1/conversations/${id(n)}`, { method: "PATCH", cookie: t.cookie, json: { assignee_id: who } })).status).toBe(
        200,
      );
    }
    const names = async (auth: { cookie?: string; key?: string }) => {
      const r = await call("/api/v1/conversations", auth);
      expect(r.status, r.text).toBe(200);
      return {
        names: (r.body.items as { contact: { name: string } }[]).map((c) => c.contact.name).sort(),
        unread: r.body.unread.conversations,
      };
    };
    expect(await names({ cookie: staff.cookie })).toEqual({ names: ["Mine", "Nobody"], unread: 2 });
    expect(await names({ cookie: other.cookie })).toEqual({ names: ["Nobody", "Theirs"], unread: 2 });
    expect(await names({ cookie: admin.cookie })).toEqual({ names: ["Mine", "Nobody", "Theirs"], unread: 3 });
    expect(await names({ cookie: t.cookie })).toEqual({ names: ["Mine", "Nobody", "Theirs"], unread: 3 });
    expect(await names({ key })).toEqual({ names: ["Mine", "Nobody", "Theirs"], unread: 3 });

    // Hidden = 404 on reading, changing, the thread, a reply, notes and typing; visible ones work.
    const hidden = id("Theirs");
    for (const [path, init] of [
      ["", {}],
      ["", { method: "PATCH", json: { status: "resolved" } }],
      ["/messages", {}],
      ["/messages", { json: { text: "psst" } }],
      ["/notes", {}],
      ["/notes", { json: { text: "catatan" } }],
      ["/typing", { json: {} }],
    ] as const) {
      const r = await call(`/api/v1/conversations/${hidden}${path}`, { cookie: staff.cookie, ...init });
      expect(r.status, `${path} ${r.text}`).toBe(404);
      expect(r.body.error_code).toBe("NOT_FOUND");
    }
    expect((await call(`/api/v1/conversations/${hidden}`, { cookie: t.cookie })).body.status).toBe("open");
    expect((await call(`/api/v1/conversations/${id("Mine")}`, { cookie: staff.cookie })).status).toBe(200);
    expect((await call(`/api/v1/conversations/${id("Nobody")}`, { cookie: staff.cookie })).status).toBe(200);
    expect((await call(`/api/v1/conversations/${hidden}`, { cookie: admin.cookie })).status).toBe(200);
    expect((await call(`/api/v1/conversations/${hidden}`, { key })).status).toBe(200);
    // Staff may hand an unassigned one to a colleague (the answer still shows it), after which it is hidden.
    const handed = await call(`/api/v1/conversations/${id("Nobody")}`, {
      method: "PATCH",
      cookie: staff.cookie,
      json: { assignee_id: other.id },
    });
    expect(handed.status, handed.text).toBe(200);
    expect(handed.body.assignee_id).toBe(other.id);
    expect((await call(`/api/v1/conversations/${id("Nobody")}`, { cookie: staff.cookie })).status).toBe(404);

    // The inbox page applies the same rule.
    const page = await call(`/app/inbox?c=${hidden}`, { cookie: staff.cookie });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("Theirs");
    expect(page.text).toContain("Mine");

    // The business lets staff see all.
    expect((await call("/api/v1/livechat-settings", { method: "PUT", cookie: t.cookie, json: { staff_see_all: true } })).status).toBe(200);
    expect(await names({ cookie: staff.cookie })).toEqual({ names: ["Mine", "Nobody", "Theirs"], unread: 3 });
    expect((await call(`/api/v1/conversations/${hidden}`, { cookie: staff.cookie })).status).toBe(200);
    expect(
      (await call(`/api/v1/conversations/${hidden}`, { method: "PATCH", cookie: staff.cookie, json: { priority: "high" } })).body.priority,
    ).toBe("high");
  });

  it("the live channel follows the rule: a staff socket gets no event of another agent's conversation", async () => {
    const t = await tenantWithDevice();
    const [staff, other] = [await member(t, "staff"), await member(t, "staff")];
    const inbound = (from: string, text: string, name: string) =>
      call(`/api/v1/devices/${t.deviceKey}/sandbox/inbound`, { cookie: t.cookie, json: { from, text, name } });
    expect((await inbound("081222220001", "halo", "Theirs")).status).toBe(201);
    const conv = ((await call("/api/v1/conversations", { cookie: t.cookie })).body.items as { id: string }[])[0]?.id ?? "";
    expect((await call(`/api/v1/conversations/${conv}`, { method: "PATCH", cookie: t.cookie, json: { assignee_id: other.id } })).status).toBe(200);

    const ORIGIN = "https://ping.test";
    const [owner, staffSocket, otherSocket] = [
      await openInbox({ cookie: t.cookie, origin: ORIGIN }),
      await openInbox({ cookie: staff.cookie, origin: ORIGIN }),
      await openInbox({ cookie: other.cookie, origin: ORIGIN }),
    ];
    expect([owner.status, staffSocket.status, otherSocket.status]).toEqual([101, 101, 101]);
    expect((await inbound("081222220001", "rahasia pesanan saya", "Theirs")).status).toBe(201);
    expect((await inbound("081222220002", "halo dari orang baru", "Nobody")).status).toBe(201);

    // The owner and the assignee get the assigned conversation's message; the other staff member only the unassigned one.
    await owner.next("message.created", (e) => e.message.text === "rahasia pesanan saya");
    await otherSocket.next("message.created", (e) => e.message.text === "rahasia pesanan saya");
    await staffSocket.next("message.created", (e) => e.message.text === "halo dari orang baru");
    await owner.next("message.created", (e) => e.message.text === "halo dari orang baru");
    // An internal note on it and a change of its priority reach the owner, not the other staff member.
    expect((await call(`/api/v1/conversations/${conv}/notes`, { cookie: t.cookie, json: { text: "catatan rahasia" } })).status).toBe(201);
    expect((await call(`/api/v1/conversations/${conv}`, { method: "PATCH", cookie: t.cookie, json: { priority: "high" } })).status).toBe(200);
    await owner.next("note.created", (e) => e.note.conversation_id === conv);
    await owner.next("conversation.changed", (e) => e.conversation.id === conv);
    await staffSocket.ping();
    expect(staffSocket.raw.join("\n")).not.toContain("rahasia");
    expect(staffSocket.events.some((e) => (e.type === "note.created" && e.note.conversation_id === conv) || (e.type === "conversation.changed" && e.conversation.id === conv))).toBe(false);
    expect(staffSocket.events.some((e) => e.type === "conversation.updated" && e.conversation.id === conv)).toBe(false);
    for (const s of [owner, staffSocket, otherSocket]) s.close();
  });
});
