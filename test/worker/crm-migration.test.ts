// The 0006 data migration: rows in the old shape (contacts per JID, conversations per device) move to the
// channel model without loss; one phone under two JIDs becomes one contact; an @lid never becomes a phone.
import { applyD1Migrations, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

const before = env.TEST_MIGRATIONS.filter((m) => m.name < "0006");
const B = "11111111-1111-4111-8111-111111111111";
const D1 = "22222222-2222-4222-8222-222222222222";
const GONE = "33333333-3333-4333-8333-333333333333";

describe("migration 0006 (channels and contacts)", () => {
  it("moves contacts, conversations and messages to the channel model without loss", async () => {
    const db = env.MIGRATION_DB;
    await applyD1Migrations(db, before);
    const run = (sql: string, ...args: unknown[]) => db.prepare(sql).bind(...args).run();
    await run("INSERT INTO businesses (id, name, active_until) VALUES (?, 'Toko', 9999999999999)", B);
    await run("INSERT INTO devices (device_key, business_id, name, provider, webhook_secret_enc) VALUES (?, ?, 'HP Toko', 'sandbox', 'x')", D1, B);
    const contacts: [string, string, string | null, string | null, number, number | null][] = [
      ["c1", "6281234567890@s.whatsapp.net", "6281234567890", "Budi", 1000, 2000],
      ["c2", "6281234567890:7@s.whatsapp.net", "6281234567890", "Budi HP2", 1500, 3000],
      ["c3", "123456789012345@lid", "123456789012345", "Lid Person", 1100, null],
      ["c4", "120363000000000001@g.us", null, null, 1200, null],
      ["c5", "6285700000001@s.whatsapp.net", "6285700000001", null, 1300, null],
    ];
    for (const c of contacts) await run("INSERT INTO contacts (id, business_id, jid, phone, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", c[0], B, ...c.slice(1));
    const convs: [string, string, string, number, number | null, number][] = [
      ["v1", D1, "c1", 5000, 4000, 2],
      ["v2", D1, "c2", 6000, 6000, 3],
      ["v3", D1, "c3", 4500, 4500, 1],
      ["v4", GONE, "c5", 3000, 3000, 0],
      ["v5", D1, "c4", 2000, null, 0],
    ];
    for (const v of convs) await run("INSERT INTO conversations (id, business_id, device_key, contact_id, last_message_at, last_inbound_at, unread_count) VALUES (?, ?, ?, ?, ?, ?, ?)", v[0], B, ...v.slice(1));
    const msgs: [string, string, string, string, number][] = [
      ["m1", D1, "v1", "halo", 4000],
      ["m2", D1, "v2", "masih ada stok?", 6000],
      ["m3", D1, "v3", "lid hello", 4500],
      ["m4", GONE, "v4", "old device", 3000],
    ];
    for (const m of msgs) {
      await run(
        "INSERT INTO messages (id, business_id, device_key, direction, idempotency_key, to_jid, text, source, status, conversation_id, created_at) VALUES (?, ?, ?, 'in', ?, 'x', ?, 'inbound', 'delivered', ?, ?)",
        m[0], B, m[1], `in:${m[0]}`, m[3], m[2], m[4],
      );
    }

    await applyD1Migrations(db, env.TEST_MIGRATIONS);

    const all = async (sql: string) => (await db.prepare(sql).all<Record<string, unknown>>()).results;
    const cs = await all("SELECT id, name, phone, wa_jid, is_group, first_seen_at, last_seen_at FROM contacts ORDER BY id");
    expect(cs).toEqual([
      // c1 and c2 are one phone: the oldest id is kept, the newest name wins, first/last seen span both rows.
      { id: "c1", name: "Budi HP2", phone: "6281234567890", wa_jid: "6281234567890@s.whatsapp.net", is_group: 0, first_seen_at: 1000, last_seen_at: 3000 },
      // An @lid is an identifier only: no phone.
      { id: "c3", name: "Lid Person", phone: null, wa_jid: "123456789012345@lid", is_group: 0, first_seen_at: 1100, last_seen_at: 1100 },
      { id: "c4", name: null, phone: null, wa_jid: "120363000000000001@g.us", is_group: 1, first_seen_at: 1200, last_seen_at: 1200 },
      { id: "c5", name: null, phone: "6285700000001", wa_jid: "6285700000001@s.whatsapp.net", is_group: 0, first_seen_at: 1300, last_seen_at: 1300 },
    ]);
    const chans = await all("SELECT device_key, kind, name, business_id FROM channels ORDER BY name");
    expect(chans).toEqual([
      { device_key: D1, kind: "whatsapp", name: "HP Toko", business_id: B },
      { device_key: GONE, kind: "whatsapp", name: "WhatsApp 33333333", business_id: B },
    ]);
    const vs = await all(
      "SELECT v.id, v.contact_id, v.device_key, v.unread_count, v.last_message_at, v.last_inbound_at, v.last_message_text, v.status, v.bot_state, ch.device_key AS ch_device FROM conversations v JOIN channels ch ON ch.id = v.channel_id ORDER BY v.id",
    );
    expect(vs).toEqual([
      // v1 and v2 (same person, same device) are one conversation now: unread summed, latest times and text.
      { id: "v1", contact_id: "c1", device_key: D1, unread_count: 5, last_message_at: 6000, last_inbound_at: 6000, last_message_text: "masih ada stok?", status: "open", bot_state: "active", ch_device: D1 },
      { id: "v3", contact_id: "c3", device_key: D1, unread_count: 1, last_message_at: 4500, last_inbound_at: 4500, last_message_text: "lid hello", status: "open", bot_state: "active", ch_device: D1 },
      { id: "v4", contact_id: "c5", device_key: GONE, unread_count: 0, last_message_at: 3000, last_inbound_at: 3000, last_message_text: "old device", status: "open", bot_state: "active", ch_device: GONE },
      { id: "v5", contact_id: "c4", device_key: D1, unread_count: 0, last_message_at: 2000, last_inbound_at: null, last_message_text: null, status: "open", bot_state: "active", ch_device: D1 },
    ]);
    // Every message kept, pointing at a conversation that exists.
    const ms = await all("SELECT m.id, m.conversation_id FROM messages m LEFT JOIN conversations v ON v.id = m.conversation_id ORDER BY m.id");
    expect(ms).toEqual([
      { id: "m1", conversation_id: "v1" },
      { id: "m2", conversation_id: "v1" },
      { id: "m3", conversation_id: "v3" },
      { id: "m4", conversation_id: "v4" },
    ]);
    // The foreign keys now name the new tables, and the search index holds the migrated rows.
    expect(await all("PRAGMA foreign_key_check")).toEqual([]);
    const hit = await all("SELECT c.id FROM contacts_fts f JOIN contacts c ON c.rowid = f.rowid WHERE contacts_fts MATCH 'phone:\"4567\"'");
    expect(hit).toEqual([{ id: "c1" }]);
    const fk = await all("SELECT `table` FROM pragma_foreign_key_list('conversations') ORDER BY `table`");
    expect(fk.map((r) => r.table)).toEqual(["businesses", "channels", "contacts"]);
    // Deleting a contact cascades to its conversation (the FK points at the renamed table).
    await run("DELETE FROM contacts WHERE id = 'c5'");
    expect(await all("SELECT id FROM conversations WHERE id = 'v4'")).toEqual([]);
  });
});
