// Broadcast messages beyond text (issue 11): approved Meta templates on a cloud_api device (synced from the local
// Graph server, sent as Meta's template body, checked field by field as the server received it), saved templates
// and media with caption variations on sandbox devices, validation at create and start, tenancy.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { broadcastRunner } from "../../worker/durable/stubs";
import { contact, draft, drive, get, label, setup } from "./broadcast-fixtures";
import { call, createDevice, eventually, signup, type Tenant } from "./helpers";
import { cloudDevice, IMAGE_HEADER, NAMED, newWaba, PENDING, PHONE_NUMBER_ID, PROMO, PROMO_MESSAGE, serveTemplates } from "./meta-template-fixtures";
import { records } from "./servers";

type GraphMessage = { messaging_product: string; recipient_type: string; to: string; type: string; template?: Record<string, unknown>; text?: unknown };

const phone = () => `0812${Math.floor(1e6 + Math.random() * 8e6)}1`;
const digits = (p: string) => `62${p.slice(1)}`;

async function cloudTenant() {
  const t = await signup();
  const waba = newWaba();
  const deviceKey = await cloudDevice(t, waba);
  await serveTemplates(waba, [PROMO, NAMED, IMAGE_HEADER, PENDING]);
  expect((await call(`/api/v1/devices/${deviceKey}/templates/sync`, { method: "POST", cookie: t.cookie })).status).toBe(200);
  expect((await call("/api/v1/contact-fields", { cookie: t.cookie, json: { key: "kota", label: "Kota", type: "text" } })).status).toBe(201);
  const pelanggan = await label(t, "Pelanggan");
  const phones = { budi: phone(), sari: phone(), anon: phone(), stop: phone() };
  const ids = {
    budi: await contact(t, { phone: phones.budi, name: "Budi", custom_fields: { kota: "Bandung" } }, [pelanggan]),
    sari: await contact(t, { phone: phones.sari, name: "Sari\tDewi", custom_fields: { kota: "Surabaya" } }, [pelanggan]),
    anon: await contact(t, { phone: phones.anon }, [pelanggan]),
    stop: await contact(t, { phone: phones.stop, name: "Stop" }, [pelanggan]),
  };
  await env.DB.prepare("UPDATE contacts SET opted_out = 1, opted_out_at = 1 WHERE id = ?").bind(ids.stop).run();
  return { ...t, waba, deviceKey, pelanggan, phones, ids };
}


async function create(t: Tenant, deviceKey: string, audience: Record<string, unknown>, message: Record<string, unknown>) {
  return call("/api/v1/broadcasts", { cookie: t.cookie, json: { name: "Promo", device_key: deviceKey, message, audience, schedule: { window_start: "00:00", window_end: "00:00" } } });
}

/** What the local Graph server received for these phones (other test files share its phone number id). */
async function received(phones: string[]) {
  const want = new Set(phones.map(digits));
  return (await records<GraphMessage>(`graph:${PHONE_NUMBER_ID}`)).filter((m) => want.has(m.to));
}

describe("broadcasts on a cloud_api device: approved Meta templates", () => {
  it("sends each recipient the template with its parameters from contact fields, once, in Meta's format", async () => {
    const t = await cloudTenant();
    const r = await create(t, t.deviceKey, { labels_any: [t.pelanggan] }, PROMO_MESSAGE);
    expect(r.status, r.text).toBe(201);
    const pv = await call(`/api/v1/broadcasts/${r.body.id}/preview?n=3`, { cookie: t.cookie });
    expect(pv.status, pv.text).toBe(200);
    expect(pv.body.items[0].text).toBe("Promo Desember\nHalo Budi, ada diskon untuk warga Bandung. Balas STOP untuk berhenti.");
    expect(pv.body.warning).toBeNull();
    // The compose preview (no broadcast yet) needs the device to find the template.
    const compose = await call("/api/v1/broadcasts/preview", { cookie: t.cookie, json: { message: PROMO_MESSAGE, device_key: t.deviceKey, audience: { contact_ids: [t.ids.anon] }, n: 1 } });
    expect(compose.status, compose.text).toBe(200);
    expect(compose.body.items).toEqual([{ contact_id: t.ids.anon, name: null, text: "Promo Desember\nHalo Kak, ada diskon untuk warga kota Anda. Balas STOP untuk berhenti." }]);
    const noDevice = await call("/api/v1/broadcasts/preview", { cookie: t.cookie, json: { message: PROMO_MESSAGE, n: 1 } });
    expect(noDevice.status).toBe(400);
    expect(noDevice.body.error_code).toBe("DEVICE_KEY_REQUIRED");

    expect((await call(`/api/v1/broadcasts/${r.body.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    const done = await drive(t, r.body.id);
    expect(done.progress).toMatchObject({ total: 4, failed: 0, skipped: 1, skipped_reasons: { opted_out: 1 } });
    expect(done.progress.sent + done.progress.delivered + done.progress.read).toBe(3);
    // The approved template was frozen onto the broadcast at start.
    expect(done.message.resolved).toMatchObject({ category: "MARKETING", components: PROMO.components });

    const got = await received(Object.values(t.phones));
    expect(got.map((m) => m.to).sort()).toEqual([t.phones.budi, t.phones.sari, t.phones.anon].map(digits).sort());
    const to = (p: string) => got.find((m) => m.to === digits(p));
    const expected = (name: string, kota: string) => ({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      type: "template",
      template: {
        name: "promo_desember",
        language: { code: "id" },
        components: [
          { type: "header", parameters: [{ type: "text", text: "Desember" }] },
          { type: "body", parameters: [{ type: "text", text: name }, { type: "text", text: kota }] },
        ],
      },
    });
    expect(to(t.phones.budi)).toEqual({ to: digits(t.phones.budi), ...expected("Budi", "Bandung") });
    // A tab inside a value is flattened (Meta refuses tabs and newlines in parameters).
    expect(to(t.phones.sari)).toEqual({ to: digits(t.phones.sari), ...expected("Sari Dewi", "Surabaya") });
    // No name, no city: the mapping's defaults (Meta refuses an empty parameter).
    expect(to(t.phones.anon)).toEqual({ to: digits(t.phones.anon), ...expected("Kak", "kota Anda") });

    const recips = (await call(`/api/v1/broadcasts/${r.body.id}/recipients`, { cookie: t.cookie })).body.items;
    expect(recips.find((x: { contact_id: string }) => x.contact_id === t.ids.anon).text).toBe("Promo Desember\nHalo Kak, ada diskon untuk warga kota Anda. Balas STOP untuk berhenti.");

    // A replayed page (the recipient updates lost after the write) finds the rows by key: Meta gets nothing twice.
    await env.DB.prepare("UPDATE broadcast_recipients SET status = 'pending', message_id = NULL WHERE broadcast_id = ? AND status = 'queued'").bind(r.body.id).run();
    await env.DB.prepare("UPDATE broadcasts SET status = 'running' WHERE id = ?").bind(r.body.id).run();
    const stub = broadcastRunner(env, r.body.id);
    await runInDurableObject(stub, (_o, s) => s.storage.sql.exec("UPDATE state SET v = 'running' WHERE k = 'mode'"));
    await runInDurableObject(stub, (_o, s) => s.storage.setAlarm(Date.now()));
    await drive(t, r.body.id);
    expect(await received(Object.values(t.phones))).toHaveLength(3);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE business_id = ?").bind(t.businessId).first<{ n: number }>();
    expect(rows?.n).toBe(3);
  });

  it("a recipient sent again after a resume (new key, same recipient row) gets the parameters it was first given", async () => {
    const t = await cloudTenant();
    const r = await create(t, t.deviceKey, { contact_ids: [t.ids.budi] }, PROMO_MESSAGE);
    expect((await call(`/api/v1/broadcasts/${r.body.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    await drive(t, r.body.id);
    // As a pause's withdraw leaves it: the recipient pending with its text, the runner on the next epoch. The
    // contact has moved meanwhile; the resumed message still says what the recipient's text says.
    await env.DB.prepare("UPDATE broadcast_recipients SET status = 'pending', message_id = NULL WHERE broadcast_id = ?").bind(r.body.id).run();
    expect((await call(`/api/v1/contacts/${t.ids.budi}`, { cookie: t.cookie, method: "PATCH", json: { name: "Budiman", custom_fields: { kota: "Medan" } } })).status).toBe(200);
    await env.DB.prepare("UPDATE broadcasts SET status = 'running' WHERE id = ?").bind(r.body.id).run();
    const stub = broadcastRunner(env, r.body.id);
    await runInDurableObject(stub, (_o, s) => {
      s.storage.sql.exec("UPDATE state SET v = 'running' WHERE k = 'mode'");
      s.storage.sql.exec("INSERT INTO state (k, v) VALUES ('epoch', '1') ON CONFLICT (k) DO UPDATE SET v = excluded.v");
    });
    await runInDurableObject(stub, (_o, s) => s.storage.setAlarm(Date.now()));
    await drive(t, r.body.id);
    const got = await received([t.phones.budi]);
    expect(got).toHaveLength(2);
    expect(got[1]).toEqual(got[0]);
    expect(got[1]?.template).toMatchObject({ components: [{ type: "header" }, { type: "body", parameters: [{ type: "text", text: "Budi" }, { type: "text", text: "Bandung" }] }] });
    // A new recipient of a new broadcast gets the contact's values of now.
    const next = await create(t, t.deviceKey, { contact_ids: [t.ids.budi] }, PROMO_MESSAGE);
    expect((await call(`/api/v1/broadcasts/${next.body.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    await drive(t, next.body.id);
    const third = (await received([t.phones.budi]))[2];
    expect(third?.template).toMatchObject({ components: [{ type: "header" }, { type: "body", parameters: [{ type: "text", text: "Budiman" }, { type: "text", text: "Medan" }] }] });
  });

  it("fills a template with named placeholders by parameter_name", async () => {
    const t = await cloudTenant();
    const r = await create(t, t.deviceKey, { contact_ids: [t.ids.budi] }, { type: "meta_template", name: "sapa_nama", language: "id", variables: { first_name: { field: "name", default: "Kak" } } });
    expect(r.status, r.text).toBe(201);
    expect((await call(`/api/v1/broadcasts/${r.body.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    await drive(t, r.body.id);
    const [m] = await received([t.phones.budi]);
    expect(m?.template).toEqual({ name: "sapa_nama", language: { code: "id" }, components: [{ type: "body", parameters: [{ type: "text", text: "Budi", parameter_name: "first_name" }] }] });
  });

  it("refuses free text, unknown, unapproved and unfillable templates and bad mappings with a 4xx, at create and at start", async () => {
    const t = await cloudTenant();
    const audience = { labels_any: [t.pelanggan] };
    const cases: [Record<string, unknown>, string][] = [
      [{ texts: ["Halo {name}"] }, "TEMPLATE_REQUIRED"],
      [{ type: "media", media_id: "a".repeat(32) }, "TEMPLATE_REQUIRED"],
      [{ type: "media", url: `https://cdn.example.com/img/cat.png?${crypto.randomUUID()}`, media_kind: "image", mime_type: "image/png" }, "TEMPLATE_REQUIRED"],
      [{ ...PROMO_MESSAGE, name: "tidak_ada" }, "UNKNOWN_TEMPLATE"],
      [{ ...PROMO_MESSAGE, language: "en_US" }, "UNKNOWN_TEMPLATE"],
      [{ type: "meta_template", name: "menunggu", language: "id", variables: { "1": { text: "x" } } }, "TEMPLATE_NOT_APPROVED"],
      [{ type: "meta_template", name: "promo_gambar", language: "id" }, "TEMPLATE_NOT_SUPPORTED"],
      [{ ...PROMO_MESSAGE, variables: { "1": { field: "name", default: "Kak" } } }, "TEMPLATE_VARIABLES"],
      [{ ...PROMO_MESSAGE, header_variables: {} }, "TEMPLATE_VARIABLES"],
      [{ ...PROMO_MESSAGE, variables: { ...PROMO_MESSAGE.variables, "3": { text: "x" } } }, "TEMPLATE_VARIABLES"],
      [{ ...PROMO_MESSAGE, variables: { ...PROMO_MESSAGE.variables, "2": { field: "alamat", default: "x" } } }, "TEMPLATE_VARIABLES"],
      [{ ...PROMO_MESSAGE, variables: { "1": { field: "name" }, "2": { text: "x" } } }, "VALIDATION_ERROR"],
    ];
    for (const [message, code] of cases) {
      const r = await create(t, t.deviceKey, audience, message);
      expect(r.status, `${code}: ${r.text}`).toBe(400);
      expect(r.body.error_code).toBe(code);
    }
    // The file of a media message a cloud_api device could not send was never fetched.
    expect(await env.DB.prepare("SELECT count(*) AS n FROM media_objects WHERE business_id = ?").bind(t.businessId).first<{ n: number }>()).toEqual({ n: 0 });
    // A Meta template on a device that is not cloud_api.
    const sandbox = await createDevice(t, "sandbox");
    const wrong = await create(t, sandbox.device_key, audience, PROMO_MESSAGE);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error_code).toBe("TEMPLATE_NEEDS_CLOUD_API");

    // Approved at create, paused by Meta before start: the re-sync makes the start a 400 and leaves the draft.
    const b = await create(t, t.deviceKey, audience, PROMO_MESSAGE);
    expect(b.status).toBe(201);
    await serveTemplates(t.waba, [{ ...PROMO, status: "PAUSED" }]);
    expect((await call(`/api/v1/devices/${t.deviceKey}/templates/sync`, { method: "POST", cookie: t.cookie })).status).toBe(200);
    const start = await call(`/api/v1/broadcasts/${b.body.id}/start`, { cookie: t.cookie, method: "POST" });
    expect(start.status).toBe(400);
    expect(start.body.error_code).toBe("TEMPLATE_NOT_APPROVED");
    expect((await get(t, b.body.id)).status).toBe("draft");
  });
});

async function mediaOf(t: Tenant, deviceKey: string): Promise<string> {
  const r = await call("/api/v1/messages", {
    cookie: t.cookie,
    headers: { "idempotency-key": crypto.randomUUID() },
    json: { device_key: deviceKey, to: "081299999999", media: { kind: "image", url: `https://cdn.example.com/img/cat.png?${crypto.randomUUID()}`, mime_type: "image/png" } },
  });
  expect(r.status, r.text).toBe(202);
  return r.body.content.media_id;
}

describe("broadcasts on sandbox devices: media and saved templates", () => {
  it("sends a stored image with caption variations: one media id, a deterministic caption per recipient", async () => {
    const t = await setup();
    const mediaId = await mediaOf(t, t.deviceKey);
    const b = await draft(t, { message: { type: "media", media_id: mediaId, captions: ["{Halo|Hai|Selamat pagi} {name}, {lihat|cek} promo ini!"], variable_defaults: { name: "Kak" } } });
    const pv = await call(`/api/v1/broadcasts/${b.id}/preview?n=4`, { cookie: t.cookie });
    expect(pv.status, pv.text).toBe(200);
    expect(pv.body.variants).toBe(6);
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    const done = await drive(t, b.id);
    expect(done.progress.sent + done.progress.delivered + done.progress.read).toBe(4);
    expect(done.message.resolved).toEqual({ kind: "image", mime_type: "image/png", size: expect.any(Number) });

    const rows = await env.DB.prepare("SELECT m.text, m.content, r.text AS rtext FROM broadcast_recipients r JOIN messages m ON m.id = r.message_id WHERE r.broadcast_id = ? ORDER BY r.seq")
      .bind(b.id)
      .all<{ text: string; content: string; rtext: string }>();
    expect(rows.results).toHaveLength(4);
    const captions = rows.results.map((row) => {
      const content = JSON.parse(row.content) as Record<string, unknown>;
      expect(content).toEqual({ kind: "image", media_id: mediaId, mime_type: "image/png", size: done.message.resolved.size, caption: row.rtext });
      expect(row.text).toBe(row.rtext);
      expect(row.rtext).toMatch(/^(Halo|Hai|Selamat pagi) (Budi|Sari|Andi|Kak), (lihat|cek) promo ini!$/);
      return row.rtext;
    });
    for (let i = 1; i < captions.length; i++) expect(captions[i]).not.toBe(captions[i - 1]);
    // The caption a recipient got is the one a preview of the same broadcast renders for it (deterministic).
    expect(pv.body.items.map((i: { text: string }) => i.text)).toContain(captions[0]);
  });

  it("a pause and resume keep each recipient's caption: the resumed messages carry the same media and words", async () => {
    const t = await setup();
    const mediaId = await mediaOf(t, t.deviceKey);
    // A Baileys number whose gateway has not granted credit yet: jobs wait in the outbox, none is handed out.
    const d = await createDevice(t, "baileys");
    await env.DB.prepare("UPDATE devices SET status = 'connected' WHERE device_key = ?").bind(d.device_key).run();
    await call(`/api/v1/devices/${d.device_key}`, { cookie: t.cookie, method: "PATCH", json: { settings: { pacing_enabled: false } } });
    const b = await draft(t, { device_key: d.device_key, message: { type: "media", media_id: mediaId, captions: ["{Halo|Hai|Pagi} {name}, {promo|diskon} {hari ini|minggu ini}!"], variable_defaults: { name: "Kak" } } });
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    const contents = async () => {
      const rows = await env.DB.prepare("SELECT m.content FROM broadcast_recipients r JOIN messages m ON m.id = r.message_id WHERE r.broadcast_id = ? AND m.status = 'queued' ORDER BY r.seq").bind(b.id).all<{ content: string }>();
      return rows.results.map((r) => JSON.parse(r.content) as Record<string, unknown>);
    };
    await eventually(async () => (await get(t, b.id)).progress.queued === 4, 8000, "first page queued");
    const first = await contents();
    expect(first).toHaveLength(4);
    expect((await call(`/api/v1/broadcasts/${b.id}/pause`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    expect(await contents()).toEqual([]);
    // Even if the captions rendered differently now, a resumed recipient keeps the words it was given.
    await env.DB.prepare(`UPDATE broadcasts SET message = json_set(message, '$.captions', json('["Berubah"]')) WHERE id = ?`).bind(b.id).run();
    expect((await call(`/api/v1/broadcasts/${b.id}/resume`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    await eventually(async () => (await get(t, b.id)).progress.queued === 4, 8000, "queued again after resume");
    const again = await contents();
    expect(again).toEqual(first);
    for (const c of again) expect(c).toMatchObject({ kind: "image", media_id: mediaId, caption: expect.stringMatching(/^(Halo|Hai|Pagi) \S+, (promo|diskon) (hari ini|minggu ini)!$/) });
    expect((await call(`/api/v1/broadcasts/${b.id}/cancel`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
  });

  it("takes media by URL through the media path: fetched once into R2, stored by id, sent to every recipient", async () => {
    const t = await setup();
    const url = `https://cdn.example.com/img/cat.png?${crypto.randomUUID()}`;
    const b = await draft(t, { message: { type: "media", url, media_kind: "image", mime_type: "image/png", caption: "{Halo|Hai} {name}!", variable_defaults: { name: "Kak" } } });
    expect(b.message).toEqual({ type: "media", media_id: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/), caption: "{Halo|Hai} {name}!", variable_defaults: { name: "Kak" } });
    const obj = await env.DB.prepare("SELECT business_id, device_key, kind, mime_type, source_url FROM media_objects WHERE id = ?").bind(b.message.media_id).first();
    expect(obj).toEqual({ business_id: t.businessId, device_key: t.deviceKey, kind: "image", mime_type: "image/png", source_url: url });
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    const done = await drive(t, b.id);
    expect(done.progress.sent + done.progress.delivered + done.progress.read).toBe(4);
    const ids = await env.DB.prepare("SELECT DISTINCT json_extract(content, '$.media_id') AS m FROM messages WHERE business_id = ? AND source = 'broadcast'").bind(t.businessId).all<{ m: string }>();
    expect(ids.results).toEqual([{ m: b.message.media_id }]);

    // The URL guard runs before anything is fetched or stored: the Worker's own origin and loopback are refused.
    for (const bad of ["http://127.0.0.1/x.png", "ftp://cdn.example.com/x.png"]) {
      const r = await create(t, t.deviceKey, { labels_any: [t.vip] }, { type: "media", url: bad, media_kind: "image", mime_type: "image/png" });
      expect(r.status, r.text).toBe(400);
      expect(r.body.error_code).toBe("INVALID_MEDIA_URL");
    }
    const mismatch = await create(t, t.deviceKey, { labels_any: [t.vip] }, { type: "media", url, media_kind: "image", mime_type: "application/pdf" });
    expect(mismatch.body.error_code).toBe("MEDIA_TYPE_MISMATCH");
  });

  it("refuses unknown media, another business's media and a caption on audio", async () => {
    const t = await setup();
    const other = await signup("Toko Lain");
    const otherDevice = await createDevice(other, "sandbox");
    const foreign = await mediaOf(other, otherDevice.device_key);
    const audience = { labels_any: [t.vip] };
    for (const [message, code] of [
      [{ type: "media", media_id: "b".repeat(32) }, "UNKNOWN_MEDIA"],
      [{ type: "media", media_id: foreign, caption: "Halo" }, "UNKNOWN_MEDIA"],
      [{ type: "media", media_id: "short" }, "VALIDATION_ERROR"],
    ] as const) {
      const r = await create(t, t.deviceKey, audience, message);
      expect(r.status, r.text).toBe(400);
      expect(r.body.error_code).toBe(code);
    }
    const audio = crypto.randomUUID().replaceAll("-", "");
    await env.DB.prepare("INSERT INTO media_objects (id, business_id, device_key, direction, kind, mime_type, size) VALUES (?, ?, ?, 'out', 'audio', 'audio/ogg', 10)").bind(audio, t.businessId, t.deviceKey).run();
    const r = await create(t, t.deviceKey, audience, { type: "media", media_id: audio, caption: "Dengar ini" });
    expect(r.body.error_code).toBe("CAPTION_NOT_ALLOWED");
    expect((await create(t, t.deviceKey, audience, { type: "media", media_id: audio })).status).toBe(201);
  });

  it("sends a saved template's body with its spintax and variables, frozen at start", async () => {
    const t = await setup();
    const tpl = await call("/api/v1/templates", { cookie: t.cookie, json: { name: "promo", body: "{Halo|Hai} {name}, promo {spesial|istimewa} di {toko}!" } });
    expect(tpl.status, tpl.text).toBe(201);
    const message = { type: "template", template_id: tpl.body.id, variable_defaults: { name: "Kak", toko: "Toko Maju" } };
    const b = await draft(t, { message });
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    // Edited after start: the running broadcast keeps the body it started with.
    expect((await call(`/api/v1/templates/${tpl.body.id}`, { cookie: t.cookie, method: "PATCH", json: { body: "Berubah" } })).status).toBe(200);
    const done = await drive(t, b.id);
    expect(done.message.resolved).toEqual({ name: "promo", body: "{Halo|Hai} {name}, promo {spesial|istimewa} di {toko}!" });
    const texts = (await call(`/api/v1/broadcasts/${b.id}/recipients?status=delivered`, { cookie: t.cookie })).body.items.map((r: { text: string }) => r.text);
    expect(texts).toHaveLength(4);
    for (const x of texts) expect(x).toMatch(/^(Halo|Hai) (Budi|Sari|Andi|Kak), promo (spesial|istimewa) di Toko Maju!$/);
    for (let i = 1; i < texts.length; i++) expect(texts[i]).not.toBe(texts[i - 1]);
    const content = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE business_id = ? AND content IS NOT NULL").bind(t.businessId).first<{ n: number }>();
    expect(content?.n).toBe(0);

    // An unknown template, another business's template, a variable no field or default fills.
    const other = await signup("Toko Lain");
    const foreign = await call("/api/v1/templates", { cookie: other.cookie, json: { name: "x", body: "Halo" } });
    const bad = await call("/api/v1/templates", { cookie: t.cookie, json: { name: "alamat", body: "Kirim ke {alamat}" } });
    for (const [id, code] of [[crypto.randomUUID(), "UNKNOWN_TEMPLATE"], [foreign.body.id, "UNKNOWN_TEMPLATE"], [bad.body.id, "UNKNOWN_VARIABLE"]] as const) {
      const r = await create(t, t.deviceKey, { labels_any: [t.vip] }, { type: "template", template_id: id });
      expect(r.status, r.text).toBe(400);
      expect(r.body.error_code).toBe(code);
    }
    // Another business cannot see or start the broadcast.
    expect((await call(`/api/v1/broadcasts/${b.id}`, { cookie: other.cookie })).status).toBe(404);
    expect((await call(`/api/v1/broadcasts/${b.id}/preview`, { cookie: other.cookie })).status).toBe(404);
  });
});
