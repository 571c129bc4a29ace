// The inbox's tools: canned responses (CRUD, shortcut uniqueness, variables), internal notes with @mentions on
// any conversation (web chat here), role limits of the live-chat settings, and tenancy (another business's
// conversation or canned response is a 404).
import { describe, expect, it } from "vitest";
import { mentionedUsers, renderCanned } from "../../worker/livechat/canned";
import { call, freshIp, member, signup } from "./helpers";

async function webConversation(cookie: string): Promise<string> {
  const key = (await call("/api/v1/livechat-settings", { cookie })).body.widget_key;
  const s = await call("/livechat/v1/session", { json: { key, name: "Budi" }, headers: { "cf-connecting-ip": freshIp() } });
  expect(s.status).toBe(201);
  return s.body.conversation_id;
}

describe("canned responses", () => {
  it("CRUD with unique shortcuts, staff may use them, another business sees 404", async () => {
    const t = await signup();
    const staff = await member(t, "staff");
    const made = await call("/api/v1/canned-responses", { json: { shortcut: "Halo", text: "Halo {{contact.name}}, saya {{agent.name}}." }, cookie: staff.cookie });
    expect(made.status).toBe(201);
    expect(made.body.shortcut).toBe("halo");
    expect((await call("/api/v1/canned-responses", { json: { shortcut: "halo", text: "x" }, cookie: t.cookie })).body.error_code).toBe("SHORTCUT_TAKEN");
    expect((await call("/api/v1/canned-responses", { json: { shortcut: "bad space", text: "x" }, cookie: t.cookie })).status).toBe(400);
    const other = await call("/api/v1/canned-responses", { json: { shortcut: "ongkir", text: "Ongkir gratis" }, cookie: t.cookie });
    expect((await call(`/api/v1/canned-responses/${other.body.id}`, { method: "PATCH", json: { shortcut: "halo" }, cookie: t.cookie })).status).toBe(409);
    const patched = await call(`/api/v1/canned-responses/${other.body.id}`, { method: "PATCH", json: { text: "Ongkir gratis se-Jawa" }, cookie: t.cookie });
    expect(patched.body.text).toBe("Ongkir gratis se-Jawa");
    const list = await call("/api/v1/canned-responses", { cookie: t.cookie });
    expect(list.body.items.map((c: { shortcut: string }) => c.shortcut)).toEqual(["halo", "ongkir"]);
    const stranger = await signup("Toko Lain");
    expect((await call(`/api/v1/canned-responses/${other.body.id}`, { method: "PATCH", json: { text: "x" }, cookie: stranger.cookie })).status).toBe(404);
    expect((await call(`/api/v1/canned-responses/${other.body.id}`, { method: "DELETE", cookie: stranger.cookie })).status).toBe(404);
    expect((await call(`/api/v1/canned-responses/${other.body.id}`, { method: "DELETE", cookie: t.cookie })).status).toBe(204);
    expect((await call("/api/v1/canned-responses", { cookie: t.cookie })).body.items).toHaveLength(1);
  });

  it("fills variables and never leaves braces", () => {
    expect(renderCanned("Halo {{contact.name}}, saya {{ agent.name }}{{contact.email}}.", { "contact.name": "Budi", "agent.name": "Sari" })).toBe("Halo Budi, saya Sari.");
  });
});

describe("internal notes", () => {
  it("stores notes with @mentions of the business's users only; 404 for another business", async () => {
    const t = await signup();
    const staff = await member(t, "staff");
    const id = await webConversation(t.cookie);
    const users = (await call("/api/v1/users", { cookie: t.cookie })).body.items as { id: string; name: string; email: string }[];
    const staffUser = users.find((u) => u.id === staff.id);
    expect(staffUser).toBeDefined();
    const handle = (staffUser?.email ?? "").split("@")[0];
    const note = await call(`/api/v1/conversations/${id}/notes`, { json: { text: `@${handle} tolong cek stok, @nobody juga` }, cookie: t.cookie });
    expect(note.status).toBe(201);
    expect(note.body.mentions).toEqual([staff.id]);
    expect(note.body.author_id).toBe(t.userId);
    const list = await call(`/api/v1/conversations/${id}/notes`, { cookie: staff.cookie });
    expect(list.body.items).toHaveLength(1);
    // Notes are not messages: nothing was sent to the visitor.
    expect((await call(`/api/v1/conversations/${id}/messages`, { cookie: t.cookie })).body.items).toHaveLength(0);
    const stranger = await signup("Toko Lain");
    expect((await call(`/api/v1/conversations/${id}/notes`, { cookie: stranger.cookie })).status).toBe(404);
    expect((await call(`/api/v1/conversations/${id}/notes`, { json: { text: "x" }, cookie: stranger.cookie })).status).toBe(404);
  });

  it("resolves mentions by name without spaces or email local part", () => {
    const users = [
      { id: "u1", name: "Sari Dewi", email: "sari@toko.id" },
      { id: "u2", name: "Budi", email: "b.santoso@toko.id" },
    ];
    expect(mentionedUsers("@saridewi dan @b.santoso", users)).toEqual(["u1", "u2"]);
    expect(mentionedUsers("email sari@toko.id bukan mention", users)).toEqual([]);
  });
});

describe("live-chat settings roles", () => {
  it("staff read the settings but cannot change them or rotate the key", async () => {
    const t = await signup();
    const staff = await member(t, "staff");
    expect((await call("/api/v1/livechat-settings", { cookie: staff.cookie })).status).toBe(200);
    expect((await call("/api/v1/livechat-settings", { method: "PUT", json: { greeting: "x" }, cookie: staff.cookie })).status).toBe(403);
    expect((await call("/api/v1/livechat-settings/rotate-key", { method: "POST", json: {}, cookie: staff.cookie })).status).toBe(403);
  });
});

describe("dashboard pages", () => {
  it("/app/inbox lists web and WhatsApp conversations with the selected thread; /app/livechat shows the snippet to admins", async () => {
    const t = await signup();
    const staff = await member(t, "staff");
    const id = await webConversation(t.cookie);
    await call(`/api/v1/conversations/${id}/messages`, { json: { text: "Selamat datang di Toko" }, cookie: t.cookie });
    await call(`/api/v1/conversations/${id}/notes`, { json: { text: "Pelanggan VIP" }, cookie: t.cookie });
    const list = await call("/app/inbox", { cookie: staff.cookie });
    expect(list.status).toBe(200);
    expect(list.text).toContain(`data-conversation="${id}"`);
    expect(list.text).toContain("Budi");
    const thread = await call(`/app/inbox?c=${id}`, { cookie: t.cookie });
    expect(thread.text).toContain("Selamat datang di Toko");
    expect(thread.text).toContain("Pelanggan VIP");
    expect(thread.text).toContain(`id="inbox-thread" data-conversation="${id}"`);
    // The agent's reply silenced the bot here: the thread says so, why, and offers to give it back.
    for (const s of ["diam (ada balasan manusia)", "human_reply", `/api/v1/conversations/${id}/release`]) expect(thread.text).toContain(s);
    const resolved = await call(`/app/inbox?status=resolved`, { cookie: t.cookie });
    expect(resolved.text).not.toContain(`data-conversation="${id}"`);
    const settings = await call("/app/livechat", { cookie: t.cookie });
    expect(settings.status).toBe(200);
    expect(settings.text).toContain("widget.js");
    expect((await call("/app/livechat", { cookie: staff.cookie })).status).toBe(403);
    // The settings form sends the origins as text, one per line.
    const put = await call("/api/v1/livechat-settings", { method: "PUT", json: { allowed_origins: "https://a.co.id\nhttps://b.co.id/" }, cookie: t.cookie });
    expect(put.body.config.allowed_origins).toEqual(["https://a.co.id", "https://b.co.id"]);
  });

  it("staff see their own and unassigned conversations in /app/inbox unless the business lets them see all", async () => {
    const t = await signup();
    const staff = await member(t, "staff");
    const other = await member(t, "staff");
    const id = await webConversation(t.cookie);
    await call(`/api/v1/conversations/${id}`, { method: "PATCH", json: { assignee_id: other.id }, cookie: t.cookie });
    expect((await call("/app/inbox", { cookie: staff.cookie })).text).not.toContain(`data-conversation="${id}"`);
    expect((await call(`/app/inbox?c=${id}`, { cookie: staff.cookie })).text).not.toContain(`id="inbox-thread"`);
    expect((await call("/app/inbox", { cookie: other.cookie })).text).toContain(`data-conversation="${id}"`);
    expect((await call("/app/inbox", { cookie: t.cookie })).text).toContain(`data-conversation="${id}"`);
    await call("/api/v1/livechat-settings", { method: "PUT", json: { staff_see_all: true }, cookie: t.cookie });
    expect((await call("/app/inbox", { cookie: staff.cookie })).text).toContain(`data-conversation="${id}"`);
  });
});
