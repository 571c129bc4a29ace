// Broadcasts in workerd (real D1, Durable Objects, the sandbox provider): drafts and validation, audience by
// labels with exclusions and skip reasons, preview, the runner feeding the outbox to completion, spintax texts
// that never repeat back to back, pause/resume/cancel withdrawing unsent jobs, a replayed page without
// duplicates, and tenant isolation.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { broadcastRunner } from "../../worker/durable/stubs";
import { draft, drive, get, setup, tick } from "./broadcast-fixtures";
import { call, createDevice, eventually, signup } from "./helpers";

describe("broadcasts: drafts, audience and preview", () => {
  it("counts the audience with skip reasons and previews distinct variations", async () => {
    const t = await setup();
    const count = await call("/api/v1/broadcasts/audience-count", { cookie: t.cookie, json: { labels_all: [t.vip, t.pelanggan], exclude_labels: [t.blokir] } });
    expect(count.status, count.text).toBe(200);
    expect(count.body).toEqual({ total: 7, sendable: 4, skipped_reasons: { opted_out: 1, not_on_whatsapp: 1, invalid_phone: 1 } });
    const any = await call("/api/v1/broadcasts/audience-count", { cookie: t.cookie, json: { labels_any: [t.vip], contact_ids: [t.ids.eko] } });
    expect(any.body.total).toBe(9);

    const b = await draft(t);
    expect(b.status).toBe("draft");
    const pv = await call(`/api/v1/broadcasts/${b.id}/preview?n=4`, { cookie: t.cookie });
    expect(pv.status, pv.text).toBe(200);
    expect(pv.body.variants).toBe(6);
    expect(pv.body.warning).toBeNull();
    expect(pv.body.items).toHaveLength(4);
    for (const it of pv.body.items) expect(it.text).toMatch(/^(Halo|Hai|Selamat pagi) (Budi|Sari|Andi|Kak|Fitri|Gita|Hadi|Ina|Eko), ada (promo|diskon) untuk Anda!$/);
    // The same preview twice: the same texts (deterministic per recipient).
    expect((await call(`/api/v1/broadcasts/${b.id}/preview?n=4`, { cookie: t.cookie })).body.items).toEqual(pv.body.items);

    const flat = await call("/api/v1/broadcasts/preview", { cookie: t.cookie, json: { message: { texts: ["Promo hari ini"] }, n: 3 } });
    expect(flat.status, flat.text).toBe(200);
    expect(flat.body.variants).toBe(1);
    expect(flat.body.warning).toMatch(/same text/);
  });

  it("refuses bad input with 4xx and hides other tenants' broadcasts", async () => {
    const t = await setup();
    const base = { name: "x", device_key: t.deviceKey, audience: { labels_any: [t.vip] } };
    const cases: [unknown, number, string][] = [
      [{ ...base, message: { texts: ["Halo {alamat}"] } }, 400, "UNKNOWN_VARIABLE"],
      [{ ...base, message: { texts: ["{Halo|Hai"] } }, 400, "BAD_SPINTAX"],
      [{ ...base, message: { texts: ["Halo"] }, audience: { labels_any: [crypto.randomUUID()] } }, 400, "UNKNOWN_LABEL"],
      [{ ...base, message: { texts: ["Halo"] }, device_key: "nope" }, 400, "UNKNOWN_DEVICE"],
      [{ ...base, message: { texts: ["Halo"] }, audience: {} }, 400, "VALIDATION_ERROR"],
      [{ ...base, message: { texts: [] } }, 400, "VALIDATION_ERROR"],
    ];
    for (const [json, status, code] of cases) {
      const r = await call("/api/v1/broadcasts", { cookie: t.cookie, json });
      expect(r.status, r.text).toBe(status);
      expect(r.body.error_code).toBe(code);
    }
    const b = await draft(t);
    const other = await signup("Toko Lain");
    for (const [path, method] of [[`/api/v1/broadcasts/${b.id}`, "GET"], [`/api/v1/broadcasts/${b.id}/start`, "POST"], [`/api/v1/broadcasts/${b.id}`, "DELETE"], [`/api/v1/broadcasts/${b.id}/recipients`, "GET"]] as const) {
      expect((await call(path, { cookie: other.cookie, method })).status).toBe(404);
    }
    expect((await call("/api/v1/broadcasts", { cookie: other.cookie })).body.items).toHaveLength(0);
    expect((await call(`/api/v1/broadcasts/${b.id}/recipients?status=bogus`, { cookie: t.cookie })).status).toBe(400);
  });
});

describe("broadcasts: the runner", () => {
  it("sends to every sendable recipient once, in audience order, with no consecutive identical texts", async () => {
    const t = await setup();
    const b = await draft(t);
    const started = await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, method: "POST" });
    expect(started.status, started.text).toBe(200);
    expect(started.body.total).toBe(7);
    const done = await drive(t, b.id);
    // The sandbox reports delivery at once: sent and then delivered.
    expect(done.progress).toMatchObject({ total: 7, pending: 0, queued: 0, failed: 0, skipped: 3, skipped_reasons: { opted_out: 1, not_on_whatsapp: 1, invalid_phone: 1 } });
    expect(done.progress.sent + done.progress.delivered + done.progress.read).toBe(4);
    const all = await call(`/api/v1/broadcasts/${b.id}/recipients`, { cookie: t.cookie });
    const recips = all.body.items.filter((r: any) => r.status !== "skipped");
    expect(recips.map((r: any) => r.contact_id)).toEqual([t.ids.budi, t.ids.sari, t.ids.andi, t.ids.dewi]);
    const delivered = await call(`/api/v1/broadcasts/${b.id}/recipients?status=${recips[0].status}`, { cookie: t.cookie });
    expect(delivered.body.items.length).toBeGreaterThan(0);
    const texts = recips.map((r: any) => r.text as string);
    for (let i = 1; i < texts.length; i++) expect(texts[i]).not.toBe(texts[i - 1]);
    expect(texts[3]).toMatch(/ Kak, /);
    const skipped = await call(`/api/v1/broadcasts/${b.id}/recipients?status=skipped`, { cookie: t.cookie });
    expect(skipped.body.items.map((r: any) => r.skip_reason).sort()).toEqual(["invalid_phone", "not_on_whatsapp", "opted_out"]);
    const keys = await env.DB.prepare("SELECT idempotency_key AS k, lane, source FROM messages WHERE business_id = ? ORDER BY k").bind(t.businessId).all<{ k: string; lane: string; source: string }>();
    expect(keys.results).toHaveLength(4);
    for (const r of keys.results) expect(r).toMatchObject({ lane: "broadcast", source: "broadcast", k: expect.stringMatching(new RegExp(`^broadcast:${b.id}:`)) });
    // Deleting a running broadcast is refused; a completed one may go.
    expect((await call(`/api/v1/broadcasts/${b.id}`, { cookie: t.cookie, method: "PATCH", json: { message: { texts: ["x"] } } })).status).toBe(409);
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(409);
    expect((await call(`/api/v1/broadcasts/${b.id}`, { cookie: t.cookie, method: "DELETE" })).status).toBe(204);
  });

  it("a replayed page (crash after the write, before the checkpoint) writes no second message", async () => {
    const t = await setup();
    const b = await draft(t);
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    await drive(t, b.id);
    const before = await env.DB.prepare("SELECT id, text FROM messages WHERE business_id = ? ORDER BY id").bind(t.businessId).all();
    // As if the recipient updates were lost: every handed-out recipient pending again, the runner alive again.
    await env.DB.prepare("UPDATE broadcast_recipients SET status = 'pending', message_id = NULL WHERE broadcast_id = ? AND status = 'queued'").bind(b.id).run();
    await env.DB.prepare("UPDATE broadcasts SET status = 'running' WHERE id = ?").bind(b.id).run();
    const stub = broadcastRunner(env, b.id);
    await runInDurableObject(stub, (_o, s) => s.storage.sql.exec("UPDATE state SET v = 'running' WHERE k = 'mode'"));
    await runInDurableObject(stub, (_o, s) => s.storage.setAlarm(Date.now()));
    await drive(t, b.id);
    const after = await env.DB.prepare("SELECT id, text FROM messages WHERE business_id = ? ORDER BY id").bind(t.businessId).all();
    expect(after.results).toEqual(before.results);
    const p = (await get(t, b.id)).progress;
    expect(p.sent + p.delivered + p.read).toBe(4);
  });
});

describe("broadcasts: pause, resume, cancel", () => {
  it("pause withdraws the jobs not yet handed out; resume sends the same texts; cancel withdraws again", async () => {
    const t = await setup();
    // A Baileys number whose gateway has not granted credit yet: jobs wait in the outbox, none is handed out.
    const d = await createDevice(t, "baileys");
    await env.DB.prepare("UPDATE devices SET status = 'connected' WHERE device_key = ?").bind(d.device_key).run();
    const patched = await call(`/api/v1/devices/${d.device_key}`, { cookie: t.cookie, method: "PATCH", json: { settings: { window_start: "00:00", window_end: "00:00", pacing_enabled: false } } });
    expect(patched.status, patched.text).toBe(200);
    const b = await draft(t, { device_key: d.device_key });
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    const stub = broadcastRunner(env, b.id);
    // Alarms set for "now" run by themselves; this waits for the first page.
    let g = await eventually(async () => {
      const x = await get(t, b.id);
      return x.progress.queued === 4 && x;
    }, 8000, "first page queued");
    expect(g.status).toBe("running");
    expect(g.progress).toMatchObject({ pending: 0, queued: 4 });
    const firstTexts = (await call(`/api/v1/broadcasts/${b.id}/recipients?status=queued`, { cookie: t.cookie })).body.items.map((r: any) => r.text);

    const paused = await call(`/api/v1/broadcasts/${b.id}/pause`, { cookie: t.cookie, method: "POST" });
    expect(paused.status, paused.text).toBe(200);
    g = await get(t, b.id);
    expect(g.status).toBe("paused");
    expect(g.progress).toMatchObject({ pending: 4, queued: 0, sent: 0 });
    // Paused: the alarm feeds nothing.
    await tick(stub);
    expect((await get(t, b.id)).progress.pending).toBe(4);
    expect((await call(`/api/v1/broadcasts/${b.id}/pause`, { cookie: t.cookie, method: "POST" })).status).toBe(409);

    expect((await call(`/api/v1/broadcasts/${b.id}/resume`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    g = await eventually(async () => {
      const x = await get(t, b.id);
      return x.progress.queued === 4 && x;
    }, 8000, "queued again after resume");
    expect(g.progress.pending).toBe(0);
    const again = (await call(`/api/v1/broadcasts/${b.id}/recipients?status=queued`, { cookie: t.cookie })).body.items.map((r: any) => r.text);
    expect(again).toEqual(firstTexts);
    // One open job per recipient in the outbox: the withdrawn ones are gone, the new keys carry the epoch.
    const open = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE business_id = ? AND device_key = ? AND status = 'queued'").bind(t.businessId, d.device_key).first<{ n: number }>();
    expect(open?.n).toBe(4);

    expect((await call(`/api/v1/broadcasts/${b.id}/cancel`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    g = await get(t, b.id);
    expect(g.status).toBe("cancelled");
    expect(g.progress).toMatchObject({ queued: 0, sent: 0 });
    const still = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE business_id = ? AND device_key = ? AND status = 'queued'").bind(t.businessId, d.device_key).first<{ n: number }>();
    expect(still?.n).toBe(0);
  });
});
