// The runner's large pages (1,000 recipients a turn): a page is written in a handful of statements cut by size,
// the outbox takes it in one call, the package's usage is counted once per message; a turn that dies between its
// page's D1 batch and the outbox is made good by the next turn without a second message; pause and cancel still
// withdraw every job not handed out; a package's last recipients complete a broadcast rather than pause it.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { feedPage } from "../../worker/broadcasts/feed";
import { getBroadcast } from "../../worker/db/broadcasts";
import { database } from "../../worker/db/client";
import { type BroadcastRunner, PAGE } from "../../worker/durable/broadcast-runner";
import { broadcastRunner } from "../../worker/durable/stubs";
import { setPackage } from "./billing-helpers";
import { drive, get, label } from "./broadcast-fixtures";
import { openGateway } from "./gateway-client";
import { call, createDevice, eventually, signup, type Tenant } from "./helpers";

const ALL_DAY = { window_start: "00:00", window_end: "00:00" };

/** `n` contacts with one label, written straight to D1 (the API's one-by-one create is not what is tested). */
async function seedContacts(t: Tenant, labelId: string, n: number): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < n; i += 500) {
    const rows = Array.from({ length: Math.min(500, n - i) }, (_, k) => ({ id: crypto.randomUUID(), name: `Pelanggan ${i + k}`, phone: `62813${String(10_000_000 + i + k)}`, at: now + i + k }));
    await env.DB.batch([
      env.DB.prepare("INSERT INTO contacts (id, business_id, name, phone, created_at, updated_at) SELECT value ->> 'id', ?1, value ->> 'name', value ->> 'phone', value ->> 'at', ?2 FROM json_each(?3)").bind(t.businessId, now, JSON.stringify(rows)),
      env.DB.prepare("INSERT INTO contact_labels (contact_id, label_id) SELECT value ->> 'id', ?1 FROM json_each(?2)").bind(labelId, JSON.stringify(rows)),
    ]);
  }
}

/** Puts the business on a package allowing `allowed` broadcast recipients a month (null: unlimited). */
async function recipientsPackage(t: Tenant, allowed: number | null): Promise<void> {
  const pkg = `p${crypto.randomUUID().slice(0, 8)}`;
  await env.DB.prepare("INSERT INTO packages (id, name, price_monthly, price_yearly, broadcast_recipients_per_month, purchasable) VALUES (?, ?, 0, 0, ?, 0)").bind(pkg, pkg, allowed).run();
  await setPackage(t.businessId, pkg, Date.now() + 30 * 86_400_000);
}

async function bigBroadcast(n: number, opts: { provider?: "sandbox" | "baileys"; text?: string; schedule?: Record<string, unknown>; allowed?: number } = {}) {
  const t = await signup();
  await recipientsPackage(t, opts.allowed ?? null);
  const d = await createDevice(t, opts.provider ?? "sandbox");
  if (opts.provider === "baileys") await env.DB.prepare("UPDATE devices SET status = 'connected' WHERE device_key = ?").bind(d.device_key).run();
  await call(`/api/v1/devices/${d.device_key}`, { cookie: t.cookie, method: "PATCH", json: { settings: { pacing_enabled: false, ...ALL_DAY } } });
  const l = await label(t, "Semua");
  await seedContacts(t, l, n);
  const r = await call("/api/v1/broadcasts", {
    cookie: t.cookie,
    json: { name: "Promo besar", device_key: d.device_key, message: { texts: [opts.text ?? "{Halo|Hai} {name}, {promo|diskon} hari ini!"] }, audience: { labels_any: [l] }, schedule: { ...ALL_DAY, ...opts.schedule } },
  });
  expect(r.status, r.text).toBe(201);
  return { t, deviceKey: d.device_key, id: r.body.id as string };
}

async function start(t: Tenant, id: string) {
  const r = await call(`/api/v1/broadcasts/${id}/start`, { cookie: t.cookie, method: "POST" });
  expect(r.status, r.text).toBe(200);
}

/** Waits for the runner's first turn to have set its alarm to the start time (so no turn of its own races the test's). */
async function heldUntilStart(id: string): Promise<void> {
  const stub = broadcastRunner(env, id);
  await eventually(() => runInDurableObject(stub, async (_o, s) => ((await s.storage.getAlarm()) ?? 0) > Date.now() + 1_800_000), 8000, "runner waiting for the start time");
}

const usage = async (businessId: string) =>
  (await env.DB.prepare("SELECT coalesce(sum(amount), 0) AS n FROM usage_counters WHERE business_id = ? AND metric = 'broadcast_recipients_per_month'").bind(businessId).first<{ n: number }>())?.n;

/** Every recipient handed out has exactly one message, under its own key, and no message is left over. */
async function expectOneMessageEach(businessId: string, id: string, n: number) {
  const r = await env.DB.prepare(
    `SELECT (SELECT count(*) FROM messages WHERE business_id = ?1) AS messages, (SELECT count(DISTINCT idempotency_key) FROM messages WHERE business_id = ?1) AS keys,
       (SELECT count(*) FROM broadcast_recipients WHERE broadcast_id = ?2 AND status = 'queued') AS queued,
       (SELECT count(DISTINCT message_id) FROM broadcast_recipients WHERE broadcast_id = ?2 AND status = 'queued') AS linked`,
  )
    .bind(businessId, id)
    .first();
  expect(r).toEqual({ messages: n, keys: n, queued: n, linked: n });
}

describe("broadcast pages", () => {
  it("a page of 1,000 long texts is written in pieces under D1's value limit, every recipient once, counted once", async () => {
    const n = PAGE + 150;
    // ~3,000 characters each: a page's texts are ~3 MB, past what D1 binds as one value (2 MB).
    const { t, id } = await bigBroadcast(n, { text: `{Halo|Hai} {name}, ${"promo akhir tahun ".repeat(170)}`, schedule: { start_at: Date.now() + 3_600_000 } });
    await start(t, id);
    await heldUntilStart(id);
    const b = await getBroadcast(database(env.DB), t.businessId, id);
    if (!b) throw new Error("no broadcast");
    // The runner's own page function at full size (the test outbox's room keeps the runner's pages at 40).
    const page = await feedPage(env.DB, b, PAGE, 0, null);
    expect(page.jobs).toHaveLength(PAGE);
    expect(page.lastSeq).toBe(PAGE);
    expect(await usage(t.businessId)).toBe(PAGE);
    const texts = await env.DB.prepare("SELECT r.text = m.text AS same, length(m.text) AS len FROM broadcast_recipients r JOIN messages m ON m.id = r.message_id WHERE r.broadcast_id = ? ORDER BY r.seq").bind(id).all<{ same: number; len: number }>();
    expect(texts.results).toHaveLength(PAGE);
    for (const x of texts.results) expect(x.same === 1 && x.len > 3000).toBe(true);
    // The jobs come in audience order, each naming its recipient's message.
    const order = await env.DB.prepare("SELECT message_id FROM broadcast_recipients WHERE broadcast_id = ? AND status = 'queued' ORDER BY seq").bind(id).all<{ message_id: string }>();
    expect(page.jobs.map((j) => j.message_id)).toEqual(order.results.map((r) => r.message_id));
    // The rest through the runner; the page above reaches the outbox through the dead-turn recovery or the sweep.
    await runInDurableObject(broadcastRunner(env, id), (_o, s) => s.storage.sql.exec("INSERT INTO state (k, v) VALUES ('feeding', '1') ON CONFLICT (k) DO UPDATE SET v = '1'"));
    await env.DB.prepare("UPDATE broadcasts SET schedule = json_remove(schedule, '$.start_at') WHERE id = ?").bind(id).run();
    const g = await drive(t, id, 400);
    expect(g.progress).toMatchObject({ total: n, pending: 0, queued: 0, failed: 0 });
    expect(g.progress.sent + g.progress.delivered).toBe(n);
    await expectOneMessageEach(t.businessId, id, n);
    expect(await usage(t.businessId)).toBe(n);
  });

  it("a turn that died after its page's D1 batch, before the outbox took it: the next turn hands the page over, no second message", async () => {
    const n = PAGE + 200;
    // Scheduled an hour ahead, so the runner's own alarm stays out of the way while the crash is staged.
    const { t, id } = await bigBroadcast(n, { schedule: { start_at: Date.now() + 3_600_000 } });
    await start(t, id);
    await heldUntilStart(id);
    const stub = broadcastRunner(env, id);
    const b = await getBroadcast(database(env.DB), t.businessId, id);
    if (!b) throw new Error("no broadcast");
    // What the dead turn left: its marker set before the write, the page written, nothing in the outbox.
    await runInDurableObject(stub, (_o, s) => s.storage.sql.exec("INSERT INTO state (k, v) VALUES ('feeding', '1') ON CONFLICT (k) DO UPDATE SET v = '1'"));
    const page = await feedPage(env.DB, b, PAGE, 0, null);
    expect(page.jobs).toHaveLength(PAGE);
    const unaccepted = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE business_id = ? AND accepted_at IS NULL").bind(t.businessId).first<{ n: number }>();
    expect(unaccepted?.n).toBe(PAGE);
    await env.DB.prepare("UPDATE broadcasts SET schedule = json_remove(schedule, '$.start_at') WHERE id = ?").bind(id).run();
    // One turn, run here and awaited (an alarm set for "now" would also run by itself, racing the checks below).
    await runInDurableObject(stub, (o: BroadcastRunner) => o.alarm());
    // The next turn handed the dead turn's page to the outbox (as much as it had room for: OUTBOX_LIMIT is 40 in
    // tests) before feeding anything new.
    const room = Math.min(PAGE, Number(env.OUTBOX_LIMIT));
    const after = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE business_id = ? AND accepted_at IS NULL").bind(t.businessId).first<{ n: number }>();
    expect(after?.n).toBe(PAGE - room);
    expect((await get(t, id)).progress.pending).toBe(n - PAGE);
    const g = await drive(t, id, 400);
    expect(g.progress.sent + g.progress.delivered).toBe(n);
    await expectOneMessageEach(t.businessId, id, n);
    expect(await usage(t.businessId)).toBe(n);
  });

  it("pause with a page in the outbox withdraws all but the jobs handed out; resume keeps texts; cancel withdraws the rest", async () => {
    const n = PAGE + 100;
    const { t, id, deviceKey } = await bigBroadcast(n, { provider: "baileys" });
    await call(`/internal/devices/${deviceKey}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    const gw = await openGateway(deviceKey);
    gw.send({ type: "hello", v: 2, gateway_id: "gw-test", status: "connected" });
    await gw.next("welcome");
    await start(t, id);
    // The first page: what the outbox has room for (OUTBOX_LIMIT is 40 in tests, so no credit: nothing handed out).
    const room = Math.min(PAGE, Number(env.OUTBOX_LIMIT));
    await eventually(async () => (await get(t, id)).progress.queued === room, 15_000, "first page queued");
    gw.send({ type: "credit", n: 3 });
    const jobs = await gw.take("job", 3);
    const before = new Map(
      (await env.DB.prepare("SELECT contact_id, text FROM broadcast_recipients WHERE broadcast_id = ? AND status = 'queued'").bind(id).all<{ contact_id: string; text: string }>()).results.map((r) => [r.contact_id, r.text]),
    );

    const paused = await call(`/api/v1/broadcasts/${id}/pause`, { cookie: t.cookie, method: "POST" });
    expect(paused.status, paused.text).toBe(200);
    let g = await get(t, id);
    // The three in flight stay queued (they may be on WhatsApp already); the rest went back to pending.
    expect(g.progress).toMatchObject({ queued: 3, pending: n - 3 });
    const open = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE business_id = ? AND status = 'queued'").bind(t.businessId).first<{ n: number }>();
    expect(open?.n).toBe(3);
    for (const j of jobs) gw.send({ type: "ack", job_id: j.job_id, wa_message_id: `WA-${j.job_id}` });
    await eventually(async () => (await get(t, id)).progress.sent === 3, 8000, "acks written back");

    expect((await call(`/api/v1/broadcasts/${id}/resume`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    g = await eventually(async () => {
      const x = await get(t, id);
      return x.progress.queued === room && x;
    }, 15_000, "a page queued again");
    const again = (await env.DB.prepare("SELECT contact_id, text FROM broadcast_recipients WHERE broadcast_id = ? AND status = 'queued' AND message_id IN (SELECT id FROM messages WHERE status = 'queued')").bind(id).all<{ contact_id: string; text: string }>()).results;
    const same = again.filter((r) => before.has(r.contact_id));
    expect(same.length).toBeGreaterThan(0);
    for (const r of same) expect(r.text).toBe(before.get(r.contact_id));

    expect((await call(`/api/v1/broadcasts/${id}/cancel`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    g = await get(t, id);
    expect(g.status).toBe("cancelled");
    const still = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE business_id = ? AND status = 'queued'").bind(t.businessId).first<{ n: number }>();
    expect(still?.n).toBe(0);
    // Every recipient has at most one message that went: the three acked before the pause.
    const sent = await env.DB.prepare("SELECT count(*) AS n, count(DISTINCT to_jid) AS people FROM messages WHERE business_id = ? AND status = 'sent'").bind(t.businessId).first<{ n: number; people: number }>();
    expect(sent).toEqual({ n: 3, people: 3 });
    gw.close();
  });

  it("a package with room for exactly the broadcast completes it; one used up meanwhile sends what is left and pauses", async () => {
    for (const [usedElsewhere, status] of [
      [0, "completed"],
      [10, "auto_paused"],
    ] as const) {
      // Held an hour ahead while the month's usage elsewhere is recorded, then released.
      const { t, id } = await bigBroadcast(30, { allowed: 30, schedule: { start_at: Date.now() + 3_600_000 } });
      await start(t, id);
      await heldUntilStart(id);
      if (usedElsewhere) {
        await env.DB.prepare("INSERT INTO usage_counters (business_id, metric, period, amount) VALUES (?, 'broadcast_recipients_per_month', ?, ?)")
          .bind(t.businessId, new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7), usedElsewhere)
          .run();
      }
      await env.DB.prepare("UPDATE broadcasts SET schedule = json_remove(schedule, '$.start_at') WHERE id = ?").bind(id).run();
      await runInDurableObject(broadcastRunner(env, id), (o: BroadcastRunner) => o.alarm());
      const g = await eventually(async () => {
        const x = await get(t, id);
        return x.status === status && x;
      }, 15_000, status);
      expect(g.progress.sent + g.progress.delivered).toBe(30 - usedElsewhere);
      expect(await usage(t.businessId)).toBe(30);
      if (status === "auto_paused") expect(g.status_reason).toBe("package_limit");
    }
  });
});
