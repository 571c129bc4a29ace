// CRM in workerd (real D1, R2, Queues, Durable Objects): contacts created and merged from every source,
// phone forms, @lid, conflicts and manual merge, orders timeline, labels and filters, search, deletion,
// archive, role limits and tenant isolation.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { database } from "../../worker/db/client";
import { getDevice } from "../../worker/db/devices";
import { recordPrechat } from "../../worker/crm/prechat";
import { scriptUrl } from "../../worker/dashboard/static-scripts";
import { mediaKey, storeMedia } from "../../worker/inbound/media";
import { receiveInbound } from "../../worker/inbound/receive";
import { call, member, signup, type Tenant } from "./helpers";
import { createRule, lynkEvent, postWebhook, scalevEvent, tenantWithDevice } from "./webhook-fixtures";

async function contacts(t: { cookie: string }, query = "") {
  const r = await call(`/api/v1/contacts${query}`, { cookie: t.cookie });
  expect(r.status, r.text).toBe(200);
  return r.body.items as any[];
}

async function label(t: Tenant, name: string) {
  const r = await call("/api/v1/labels", { cookie: t.cookie, json: { name } });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

async function sandboxInbound(t: Tenant, deviceKey: string, from: string, text: string, name?: string) {
  const r = await call(`/api/v1/devices/${deviceKey}/sandbox/inbound`, { cookie: t.cookie, json: { from, text, ...(name ? { name } : {}) } });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

describe("contacts: automatic create and merge", () => {
  it("08…, +62 8… and 62-8… are one person across WhatsApp, Scalev and Lynk; the order lands on their timeline", async () => {
    const t = await tenantWithDevice();
    await sandboxInbound(t, t.deviceKey, "0811-2345-678", "Halo, mau order", "Pak Budi");
    // Scalev names the same number as 628112345678 (the seed sample), with a name and an email.
    expect((await postWebhook(t.businessId, scalevEvent("evt-merge-1"))).status).toBe(200);
    let list = await contacts(t);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ phone: "628112345678", name: "Pak Budi", email: "person@example.com", source: "whatsapp", on_whatsapp: "yes" });
    // A manual create in another form of the same number is refused with the existing contact's id.
    const dup = await call("/api/v1/contacts", { cookie: t.cookie, json: { phone: "+62 811-2345-678" } });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ error_code: "CONTACT_EXISTS", details: { contact_id: list[0].id } });
    const dup2 = await call("/api/v1/contacts", { cookie: t.cookie, json: { phone: "62-811-2345-678" } });
    expect(dup2.status).toBe(409);
    // Lynk's customer (0812345677889) is someone else: a new contact, with the order.
    expect((await postWebhook(t.businessId, lynkEvent("ref-merge-1", "m1"))).status).toBe(200);
    list = await contacts(t);
    expect(list).toHaveLength(2);
    const lynkContact = list.find((c) => c.phone === "62812345677889");
    expect(lynkContact).toMatchObject({ name: "Lynk User", email: "user@example.com", source: "lynk" });
    const tl = await call(`/api/v1/contacts/${lynkContact.id}/timeline`, { cookie: t.cookie });
    expect(tl.body.items).toHaveLength(1);
    expect(tl.body.items[0]).toMatchObject({ type: "order", order: { source: "lynk", external_id: "ref-merge-1", amount: 72000, payment_status: "paid" } });
  });

  it("custom sources: the customer is the matched rule's phone field", async () => {
    const t = await tenantWithDevice();
    await createRule(t, {
      source: "custom",
      conditions: { operator: "AND", rules: [{ field: "kind", operator: "equals", value: "booking" }] },
      template: "Booking {{ref}} diterima",
      phone_field: "buyer.hp",
    });
    const r = await postWebhook(t.businessId, { kind: "booking", ref: "B-1", buyer: { hp: "0857 1111 2222" }, name: "Sari" });
    expect(r.status, r.text).toBe(200);
    const list = await contacts(t);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ phone: "6285711112222", name: "Sari", source: "custom" });
    // A custom event no rule addresses names nobody.
    await postWebhook(t.businessId, { kind: "other", buyer: { hp: "0857 3333 4444" } });
    expect(await contacts(t)).toHaveLength(1);
  });

  it("the pre-chat form: by phone then email, with a website-chat conversation", async () => {
    const t = await tenantWithDevice();
    await sandboxInbound(t, t.deviceKey, "081399990000", "halo");
    const db = database(env.DB);
    const r = await recordPrechat(db, { id: t.businessId, country: "ID" }, { visitor_id: "visitor-abc-123", name: "Dewi", phone: "+62 813-9999-0000", email: "dewi@x.id" });
    expect(r.ok).toBe(true);
    const list = await contacts(t);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ phone: "6281399990000", web_visitor_id: "visitor-abc-123", email: "dewi@x.id" });
    const convs = await call("/api/v1/conversations", { cookie: t.cookie });
    expect(convs.body.items.map((c: any) => c.channel.kind).sort()).toEqual(["web", "whatsapp"]);
    const bad = await recordPrechat(db, { id: t.businessId, country: "ID" }, { visitor_id: "visitor-xyz-999", phone: "12" });
    expect(bad.ok).toBe(false);
  });

  it("an @lid is an identifier, never a phone: no merge, no phone search", async () => {
    const t = await tenantWithDevice();
    const device = await getDevice(database(env.DB), t.businessId, t.deviceKey);
    if (!device) throw new Error("device");
    const lid = "81234567890123@lid";
    await receiveInbound(
      env,
      device,
      { providerMessageId: "lid-1", chatJid: lid, senderJid: lid, senderName: "Hidden", timestamp: Date.now(), kind: "text", text: "hai", isGroup: false, isEphemeral: false },
      { sendReply: false },
    );
    // The same digits as a real number are a different person.
    await sandboxInbound(t, t.deviceKey, "+81234567890123", "hello");
    const list = await contacts(t, "?sort=created");
    expect(list).toHaveLength(2);
    const lidContact = list.find((c) => c.wa_jid === lid);
    expect(lidContact).toMatchObject({ phone: null, name: "Hidden" });
    const found = await contacts(t, "?q=4567890");
    expect(found.map((c) => c.wa_jid)).not.toContain(lid);
  });

  it("phone vs email: the phone wins, the conflict is listed, and a manual merge moves labels, conversations and orders", async () => {
    const t = await tenantWithDevice();
    const vip = await label(t, "VIP");
    const byEmail = await call("/api/v1/contacts", { cookie: t.cookie, json: { email: "person@example.com", name: "Email person", label_ids: [vip] } });
    expect(byEmail.status).toBe(201);
    await sandboxInbound(t, t.deviceKey, "08112345678", "halo");
    // Scalev: phone 628112345678 (the WhatsApp contact) + email person@example.com (the other one).
    await postWebhook(t.businessId, scalevEvent("evt-conflict-1"));
    const conflicts = await call("/api/v1/contacts/conflicts", { cookie: t.cookie });
    expect(conflicts.body.items).toHaveLength(1);
    const phoneContact = (await contacts(t)).find((c) => c.phone === "628112345678");
    expect(conflicts.body.items[0]).toMatchObject({ contact_id: phoneContact.id, other_contact_id: byEmail.body.id, email: "person@example.com" });
    // The order went to the phone's contact.
    const tl = await call(`/api/v1/contacts/${phoneContact.id}/timeline`, { cookie: t.cookie });
    expect(tl.body.items.map((i: any) => i.type).sort()).toEqual(["message", "order"]);

    const merged = await call(`/api/v1/contacts/${phoneContact.id}/merge`, { cookie: t.cookie, json: { other_id: byEmail.body.id } });
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body).toMatchObject({ phone: "628112345678", email: "person@example.com", labels: [{ id: vip, name: "VIP" }] });
    expect((await call(`/api/v1/contacts/${byEmail.body.id}`, { cookie: t.cookie })).status).toBe(404);
    expect((await call("/api/v1/contacts/conflicts", { cookie: t.cookie })).body.items).toEqual([]);
    expect((await call(`/api/v1/contacts/${phoneContact.id}/merge`, { cookie: t.cookie, json: { other_id: phoneContact.id } })).status).toBe(400);
  });
});

describe("orders timeline", () => {
  it("a later event updates the order in place; an older one (by its own timestamp) does not overwrite it", async () => {
    const t = await tenantWithDevice();
    const base = { order_id: "ORD-77", destination_address: { name: "Rina", phone: "081277778888" } };
    await postWebhook(t.businessId, { ...scalevEvent("e1", { ...base, status: "pending", payment_status: "unpaid" }), event: "order.created", timestamp: "2026-01-01T10:00:00Z" });
    await postWebhook(t.businessId, { ...scalevEvent("e3", { ...base, status: "completed", payment_status: "paid" }), event: "order.updated", timestamp: "2026-01-01T12:00:00Z" });
    // Arrives last but happened in between: must not overwrite "completed".
    await postWebhook(t.businessId, { ...scalevEvent("e2", { ...base, status: "confirmed", payment_status: "paid" }), event: "order.updated", timestamp: "2026-01-01T11:00:00Z" });
    const [c] = await contacts(t);
    const tl = await call(`/api/v1/contacts/${c.id}/timeline`, { cookie: t.cookie });
    const orders = tl.body.items.filter((i: any) => i.type === "order");
    expect(orders).toHaveLength(1);
    expect(orders[0].order).toMatchObject({ external_id: "ORD-77", status: "completed", payment_status: "paid", amount: 168724, event: "order.updated", event_at: Date.parse("2026-01-01T12:00:00Z") });
    // A replay of the same event changes nothing and adds nothing.
    await postWebhook(t.businessId, { ...scalevEvent("e1", { ...base, status: "pending", payment_status: "unpaid" }), event: "order.created", timestamp: "2026-01-01T10:00:00Z" });
    expect((await call(`/api/v1/contacts/${c.id}/timeline`, { cookie: t.cookie })).body.items.filter((i: any) => i.type === "order")[0].order.status).toBe("completed");
  });

  it("pages newest first across messages and orders", async () => {
    const t = await tenantWithDevice();
    for (let i = 0; i < 3; i++) await sandboxInbound(t, t.deviceKey, "081277770000", `pesan ${i}`);
    await postWebhook(t.businessId, { ...scalevEvent("p1", { order_id: "P-1", destination_address: { name: "X", phone: "081277770000" } }), timestamp: "2020-01-01T00:00:00Z" });
    const [c] = await contacts(t);
    const p1 = await call(`/api/v1/contacts/${c.id}/timeline?limit=2`, { cookie: t.cookie });
    expect(p1.body.items.map((i: any) => i.message?.text)).toEqual(["pesan 2", "pesan 1"]);
    const p2 = await call(`/api/v1/contacts/${c.id}/timeline?limit=2&cursor=${p1.body.next_cursor}`, { cookie: t.cookie });
    expect(p2.body.items.map((i: any) => i.type)).toEqual(["message", "order"]);
    expect(p2.body.next_cursor).toBeNull();
  });
});

describe("contacts: CRUD, custom fields, search, labels", () => {
  it("typed custom fields are validated and filterable", async () => {
    const t = await tenantWithDevice();
    for (const f of [
      { key: "kota", label: "Kota", type: "text" },
      { key: "umur", label: "Umur", type: "number" },
      { key: "ultah", label: "Ulang tahun", type: "date" },
      { key: "paket", label: "Paket", type: "choice", options: ["Gold", "Silver"] },
    ]) {
      expect((await call("/api/v1/contact-fields", { cookie: t.cookie, json: f })).status).toBe(201);
    }
    const ok = await call("/api/v1/contacts", { cookie: t.cookie, json: { name: "Ani", phone: "081200001111", custom_fields: { kota: "Bandung", umur: "31", ultah: "17/08/1995", paket: "gold" } } });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.custom_fields).toEqual({ kota: "Bandung", umur: 31, ultah: "1995-08-17", paket: "Gold" });
    const bad = await call(`/api/v1/contacts/${ok.body.id}`, { method: "PATCH", cookie: t.cookie, json: { custom_fields: { umur: "tiga puluh", paket: "Bronze", nope: 1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_CUSTOM_FIELD");
    expect(bad.body.details).toHaveLength(3);
    await call("/api/v1/contacts", { cookie: t.cookie, json: { name: "Budi", phone: "081200002222", custom_fields: { kota: "Jakarta", umur: 40 } } });
    expect((await contacts(t, "?field.kota=Bandung")).map((c) => c.name)).toEqual(["Ani"]);
    expect((await contacts(t, "?field.umur=40")).map((c) => c.name)).toEqual(["Budi"]);
    const cleared = await call(`/api/v1/contacts/${ok.body.id}`, { method: "PATCH", cookie: t.cookie, json: { custom_fields: { kota: null }, opted_out: true, opted_out_reason: "minta berhenti" } });
    expect(cleared.body).toMatchObject({ custom_fields: { umur: 31, ultah: "1995-08-17", paket: "Gold" }, opted_out: true, opted_out_reason: "minta berhenti" });
    expect(cleared.body.opted_out_at).toBeGreaterThan(0);
    expect((await contacts(t, "?opted_out=true")).map((c) => c.name)).toEqual(["Ani"]);
  });

  it("search: any phone form, 4+ digits anywhere, name and email", async () => {
    const t = await tenantWithDevice();
    await call("/api/v1/contacts", { cookie: t.cookie, json: { name: "Siti Aminah", phone: "0813-1234-9876", email: "siti@toko.id" } });
    await call("/api/v1/contacts", { cookie: t.cookie, json: { name: "Joko", phone: "081355556666" } });
    const names = async (q: string) => (await contacts(t, `?q=${encodeURIComponent(q)}`)).map((c) => c.name).sort();
    expect(await names("9876")).toEqual(["Siti Aminah"]);
    expect(await names("1234 98")).toEqual(["Siti Aminah"]);
    expect(await names("0813")).toEqual(["Joko", "Siti Aminah"]);
    expect(await names("+62 813-5555")).toEqual(["Joko"]);
    expect(await names("62-8135555")).toEqual(["Joko"]);
    expect(await names("amin")).toEqual(["Siti Aminah"]);
    expect(await names("toko.id")).toEqual(["Siti Aminah"]);
    expect(await names("jo")).toEqual(["Joko"]);
    expect(await names("zzzz")).toEqual([]);
  });

  it("label filters: all of, any of, none of; bulk add/remove; archive hides", async () => {
    const t = await tenantWithDevice();
    const [a, b] = [await label(t, "Reseller"), await label(t, "Jakarta")];
    const ids: Record<string, string> = {};
    for (const [name, phone] of [["P", "081211110001"], ["Q", "081211110002"], ["R", "081211110003"]] as const) {
      ids[name] = (await call("/api/v1/contacts", { cookie: t.cookie, json: { name, phone } })).body.id;
    }
    await call(`/api/v1/contacts/${ids.P}/labels`, { cookie: t.cookie, json: { label_ids: [a, b] } });
    const bulk = await call("/api/v1/contacts/bulk", { cookie: t.cookie, json: { ids: [ids.Q], add_label_ids: [a] } });
    expect(bulk.body).toMatchObject({ matched: 1 });
    const names = async (q: string) => (await contacts(t, q)).map((c) => c.name).sort();
    expect(await names(`?labels_all=${a},${b}`)).toEqual(["P"]);
    expect(await names(`?labels_any=${a},${b}`)).toEqual(["P", "Q"]);
    expect(await names(`?labels_none=${a}`)).toEqual(["R"]);
    // Bulk by filter: everyone with label a loses it.
    await call("/api/v1/contacts/bulk", { cookie: t.cookie, json: { filter: { labels_any: [a] }, remove_label_ids: [a] } });
    expect(await names(`?labels_any=${a}`)).toEqual([]);
    await call(`/api/v1/contacts/${ids.P}/labels/${b}`, { method: "DELETE", cookie: t.cookie });
    expect(await names(`?labels_any=${b}`)).toEqual([]);
    await call(`/api/v1/contacts/${ids.R}`, { method: "PATCH", cookie: t.cookie, json: { archived: true } });
    expect(await names("")).toEqual(["P", "Q"]);
    expect(await names("?archived=true")).toEqual(["R"]);
    // Labels: unique names in any case; rename; delete.
    expect((await call("/api/v1/labels", { cookie: t.cookie, json: { name: "reseller" } })).status).toBe(409);
    const renamed = await call(`/api/v1/labels/${a}`, { method: "PATCH", cookie: t.cookie, json: { name: "Agen", color: "#ff0000" } });
    expect(renamed.body).toMatchObject({ name: "Agen", color: "#ff0000" });
    expect((await call(`/api/v1/labels/${a}`, { method: "DELETE", cookie: t.cookie })).status).toBe(204);
    expect((await call("/api/v1/labels", { cookie: t.cookie })).body.items.map((l: any) => l.name)).toEqual(["Jakarta"]);
  });

  it("bulk by filter is bounded per request: a cursor goes on, a removing action starts over, every contact once", async () => {
    const t = await tenantWithDevice();
    const tag = await label(t, "Semua");
    // 2,300 contacts seeded straight into D1 (the API would take minutes).
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2300)
       INSERT INTO contacts (id, business_id, name, phone, custom_fields, source, created_at, updated_at)
       SELECT printf('00000000-0000-4000-8000-%012d', i) || '', ?, 'Massal ' || i, '62813' || (30000000 + i), '{}', 'import', 1700000000000 + i, 1700000000000 + i FROM n`,
    )
      .bind(t.businessId)
      .run();
    const answers: any[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await call("/api/v1/contacts/bulk", { cookie: t.cookie, json: { filter: { q: "Massal" }, add_label_ids: [tag], ...(cursor ? { cursor } : {}) } });
      expect(r.status, r.text).toBe(200);
      answers.push(r.body);
      if (r.body.done) break;
      cursor = r.body.cursor;
    }
    expect(answers.map((a) => [a.matched, a.done, typeof a.cursor])).toEqual([
      [1000, false, "string"],
      [1000, false, "string"],
      [300, true, "object"],
    ]);
    const labelled = await env.DB.prepare("SELECT count(*) AS n FROM contact_labels WHERE label_id = ?").bind(tag).first<{ n: number }>();
    expect(labelled?.n).toBe(2300);
    // Archiving removes the rows from the filter, so each request starts from the top without a cursor.
    const archived: any[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await call("/api/v1/contacts/bulk", { cookie: t.cookie, json: { filter: { labels_any: [tag] }, action: "archive" } });
      expect(r.status, r.text).toBe(200);
      archived.push([r.body.matched, r.body.done, r.body.cursor]);
      if (r.body.done) break;
    }
    expect(archived).toEqual([
      [1000, false, null],
      [1000, false, null],
      [300, true, null],
    ]);
    expect((await contacts(t, "?archived=true&limit=5")).length).toBe(5);
    expect((await contacts(t, `?labels_any=${tag}`)).length).toBe(0);
    expect((await call("/api/v1/contacts/bulk", { cookie: t.cookie, json: { filter: {}, action: "opt_out", cursor: "bukan-kursor" } })).status).toBe(400);
  });

  it("search past the window of newest rows: common terms page from the newest rows, rare ones (old rows) through the trigram index", async () => {
    const t = await tenantWithDevice();
    // 6,000 contacts seeded straight into D1; row 1 is the oldest and the only "Langka".
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
       INSERT INTO contacts (id, business_id, name, phone, custom_fields, source, created_at, updated_at)
       SELECT printf('00000000-0000-4000-9000-%012d', i), ?, CASE WHEN i = 1 THEN 'Langka Sekali' ELSE 'Massal ' || i END, '62813' || (40000000 + i), '{}', 'import', 1700000000000 + i, 1700000000000 + i FROM n`,
    )
      .bind(t.businessId)
      .run();
    expect((await contacts(t, "?q=langka")).map((c) => c.name)).toEqual(["Langka Sekali"]);
    expect((await contacts(t, "?q=0813-4000-0001")).map((c) => c.name)).toEqual(["Langka Sekali"]);
    expect((await contacts(t, "?q=40000002")).map((c) => c.name)).toEqual(["Massal 2"]);
    // A common term: newest first, and the cursor goes on exactly where the page ended.
    const first = await call("/api/v1/contacts?q=massal&limit=3", { cookie: t.cookie });
    expect(first.body.items.map((c: any) => c.name)).toEqual(["Massal 6000", "Massal 5999", "Massal 5998"]);
    const second = await call(`/api/v1/contacts?q=massal&limit=3&cursor=${first.body.next_cursor}`, { cookie: t.cookie });
    expect(second.body.items.map((c: any) => c.name)).toEqual(["Massal 5997", "Massal 5996", "Massal 5995"]);
    // Few matches, spread past the window: "Massal 10" … "Massal 109", "Massal 1000" … — every one, in order.
    const tens = await contacts(t, "?q=massal%2010&limit=100");
    const expected = Array.from({ length: 6000 }, (_, i) => 6000 - i)
      .filter((i) => i > 1 && `massal ${i}`.includes("massal 10"))
      .map((i) => `Massal ${i}`);
    expect(expected).toHaveLength(111);
    expect(tens.map((c) => c.name)).toEqual(expected.slice(0, 100));
    // Other filters still apply on both paths.
    expect(await contacts(t, "?q=langka&archived=true")).toEqual([]);
  });

  it("list pages with a cursor in each sort", async () => {
    const t = await tenantWithDevice();
    for (const n of ["Citra", "Adi", "Bima", "Dani", "Eka"]) await call("/api/v1/contacts", { cookie: t.cookie, json: { name: n, email: `${n.toLowerCase()}@x.id` } });
    for (const [sort, want] of [
      ["name", ["Adi", "Bima", "Citra", "Dani", "Eka"]],
      ["created", ["Eka", "Dani", "Bima", "Adi", "Citra"]],
    ] as const) {
      const seen: string[] = [];
      let cursor = "";
      for (let i = 0; i < 5; i++) {
        const r = await call(`/api/v1/contacts?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ""}`, { cookie: t.cookie });
        seen.push(...r.body.items.map((c: any) => c.name));
        if (!r.body.next_cursor) break;
        cursor = r.body.next_cursor;
      }
      expect(seen).toEqual(want);
    }
    expect((await call("/api/v1/contacts?cursor=nonsense!", { cookie: t.cookie })).status).toBe(400);
  });

  it("DELETE is real: contact, conversations, messages, R2 media and orders are gone", async () => {
    const t = await tenantWithDevice();
    const device = await getDevice(database(env.DB), t.businessId, t.deviceKey);
    if (!device) throw new Error("device");
    const media = await storeMedia(env, { businessId: t.businessId, deviceKey: t.deviceKey, direction: "in" }, new TextEncoder().encode("foto").buffer as ArrayBuffer, "image/jpeg", "a.jpg");
    const jid = "6281288889999@s.whatsapp.net";
    await receiveInbound(env, device, { providerMessageId: "del-1", chatJid: jid, senderJid: jid, senderName: "Hapus", timestamp: Date.now(), kind: "image", text: null, media, isGroup: false, isEphemeral: false }, { sendReply: false });
    await postWebhook(t.businessId, scalevEvent("del-evt", { order_id: "DEL-1", destination_address: { name: "Hapus", phone: "081288889999" } }));
    const [c] = await contacts(t);
    expect(await env.MEDIA.head(mediaKey(t.businessId, media.media_id))).not.toBeNull();
    const del = await call(`/api/v1/contacts/${c.id}`, { method: "DELETE", cookie: t.cookie });
    expect(del.status).toBe(204);
    expect(await env.MEDIA.head(mediaKey(t.businessId, media.media_id))).toBeNull();
    expect(await env.DB.prepare("SELECT count(*) AS n FROM media_objects WHERE id = ?").bind(media.media_id).first("n")).toBe(0);
    const left = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM messages WHERE business_id = ?1) AS m, (SELECT count(*) FROM conversations WHERE business_id = ?1) AS v, (SELECT count(*) FROM orders WHERE business_id = ?1) AS o, (SELECT count(*) FROM contacts WHERE business_id = ?1) AS c",
    )
      .bind(t.businessId)
      .first();
    expect(left).toEqual({ m: 0, v: 0, o: 0, c: 0 });
  });
});

describe("access", () => {
  it("staff view and edit contacts and labels; export, bulk delete and import need admin", async () => {
    const t = await tenantWithDevice();
    const staff = await member(t, "staff");
    const admin = await member(t, "admin");
    const made = await call("/api/v1/contacts", { cookie: staff.cookie, json: { name: "Staf", phone: "081200009999" } });
    expect(made.status).toBe(201);
    expect((await call(`/api/v1/contacts/${made.body.id}`, { method: "PATCH", cookie: staff.cookie, json: { notes: "pelanggan lama" } })).status).toBe(200);
    expect((await call("/api/v1/labels", { cookie: staff.cookie, json: { name: "Dari staf" } })).status).toBe(201);
    expect((await call("/api/v1/contacts/export", { cookie: staff.cookie })).status).toBe(403);
    expect((await call("/api/v1/contacts/bulk", { cookie: staff.cookie, json: { ids: [made.body.id], action: "delete" } })).status).toBe(403);
    const imp = await call("/api/v1/contacts/import?dry_run=true", { cookie: staff.cookie, raw: "nama,no hp\nA,0812", headers: { "content-type": "text/csv" } });
    expect(imp.status).toBe(403);
    expect((await call("/api/v1/contact-fields", { cookie: staff.cookie, json: { key: "x", label: "X", type: "text" } })).status).toBe(403);
    expect((await call("/api/v1/contacts/export", { cookie: admin.cookie })).status).toBe(200);
    const del = await call("/api/v1/contacts/bulk", { cookie: admin.cookie, json: { ids: [made.body.id], action: "delete" } });
    expect(del.body).toEqual({ matched: 1, deleted: 1, done: true, cursor: null });
  });

  it("another business's contact, label, conversation and import are a 404", async () => {
    const victim = await tenantWithDevice();
    const attacker = await signup("Toko Lain");
    await sandboxInbound(victim, victim.deviceKey, "081244445555", "rahasia");
    const [c] = await contacts(victim);
    const l = await label(victim, "Rahasia");
    const conv = (await call("/api/v1/conversations", { cookie: victim.cookie })).body.items[0];
    const mine = (await call("/api/v1/contacts", { cookie: attacker.cookie, json: { phone: "081200000001" } })).body;
    const probes: [string, string, unknown?][] = [
      ["GET", `/api/v1/contacts/${c.id}`],
      ["PATCH", `/api/v1/contacts/${c.id}`, { name: "x" }],
      ["DELETE", `/api/v1/contacts/${c.id}`],
      ["GET", `/api/v1/contacts/${c.id}/timeline`],
      ["POST", `/api/v1/contacts/${c.id}/labels`, { label_ids: [l] }],
      ["POST", `/api/v1/contacts/${mine.id}/merge`, { other_id: c.id }],
      ["PATCH", `/api/v1/labels/${l}`, { name: "x" }],
      ["DELETE", `/api/v1/labels/${l}`],
      ["GET", `/api/v1/conversations/${conv.id}`],
      ["PATCH", `/api/v1/conversations/${conv.id}`, { status: "resolved" }],
      ["GET", `/api/v1/conversations/${conv.id}/messages`],
      ["POST", `/api/v1/conversations/${conv.id}/messages`, { text: "halo" }],
    ];
    for (const [method, path, json] of probes) {
      const r = await call(path, { method, cookie: attacker.cookie, ...(json ? { json } : {}) });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    // Labelling my contact with their label does nothing; their contact never shows up in my lists.
    await call(`/api/v1/contacts/${mine.id}/labels`, { cookie: attacker.cookie, json: { label_ids: [l] } });
    expect((await call(`/api/v1/contacts/${mine.id}`, { cookie: attacker.cookie })).body.labels).toEqual([]);
    expect((await contacts(attacker, "?q=4444")).length).toBe(0);
    expect((await call("/api/v1/conversations", { cookie: attacker.cookie })).body.items).toEqual([]);
    expect((await call(`/api/v1/contacts/${c.id}`, { cookie: victim.cookie })).body.name).toBeNull();
  });
});

describe("dashboard pages", () => {
  it("contacts list, contact page, labels page and the import wizard render in Bahasa Indonesia; other tenants' contacts are 404", async () => {
    const t = await tenantWithDevice();
    const staff = await member(t, "staff");
    await sandboxInbound(t, t.deviceKey, "081266667777", "halo", "Wati");
    await postWebhook(t.businessId, scalevEvent("dash-1", { order_id: "DASH-1", destination_address: { name: "Wati", phone: "081266667777" } }));
    const [c] = await contacts(t);
    await label(t, "Pelanggan Setia");
    const list = await call("/app/contacts?q=6777", { cookie: staff.cookie });
    expect(list.status).toBe(200);
    expect(list.text).toContain("Wati");
    expect(list.text).toContain("Cari nama, email, atau nomor");
    expect(list.text).not.toContain("Ekspor CSV");
    expect((await call("/app/contacts", { cookie: t.cookie })).text).toContain("Ekspor CSV");
    const page = await call(`/app/contacts/${c.id}`, { cookie: staff.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain("DASH-1");
    expect(page.text).toContain("Rp 168.724");
    expect((await call("/app/labels", { cookie: staff.cookie })).text).toContain("Pelanggan Setia");
    expect((await call("/app/contacts/import", { cookie: staff.cookie })).status).toBe(403);
    expect((await call("/app/contacts/import", { cookie: t.cookie })).text).toContain("Impor kontak dari CSV");
    const other = await signup("Toko Lain");
    expect((await call(`/app/contacts/${c.id}`, { cookie: other.cookie })).status).toBe(404);
    const old = await call("/app/static/crm.js");
    expect(old.status).toBe(302);
    const js = await call(scriptUrl("crm"));
    expect(js.headers.get("content-type")).toContain("javascript");
  });
});
