// Number safety in workerd: a paced broadcast's gap within bounds on a sandbox that opted in, auto-pause on a
// device gone down, on a failure rate, and on WhatsApp's `restricted` fail code (a real gateway socket speaking
// protocol v2), with `not_on_whatsapp` cached on the contact so the next broadcast skips it.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { broadcastRunner } from "../../worker/durable/stubs";
import { draft, get, setup, tick } from "./broadcast-fixtures";
import { openGateway } from "./gateway-client";
import { call, createDevice, eventually } from "./helpers";

const ALL_DAY = { window_start: "00:00", window_end: "00:00" };

async function start(t: { cookie: string }, id: string) {
  const r = await call(`/api/v1/broadcasts/${id}/start`, { cookie: t.cookie, method: "POST" });
  expect(r.status, r.text).toBe(200);
}

describe("broadcast safety", () => {
  it("a sandbox that opts into pacing sends one message, then waits a 10–40 s gap", async () => {
    const t = await setup();
    expect((await call(`/api/v1/devices/${t.deviceKey}`, { cookie: t.cookie, method: "PATCH", json: { settings: { pacing_enabled: true, min_gap_seconds: 0, jitter_seconds: 0, ...ALL_DAY } } })).status).toBe(200);
    const b = await draft(t);
    await start(t, b.id);
    const g = await eventually(async () => {
      const x = await get(t, b.id);
      return x.progress.pending === 3 && x;
    }, 8000, "first paced send");
    expect(g.progress.pending).toBe(3);
    const stub = broadcastRunner(env, b.id);
    // The recipient is queued before the turn ends (the outbox call and the next alarm come after): wait for the
    // turn to have set its next alarm (none is set while an alarm handler runs).
    const wait = await eventually(() => runInDurableObject(stub, async (_o, s) => ((await s.storage.getAlarm()) ?? 0) - Date.now()).then((w) => w > 0 && w), 8000, "the next paced turn's alarm");
    expect(wait).toBeGreaterThan(9_000);
    expect(wait).toBeLessThanOrEqual(40_000);
    // Waking early changes nothing: the pacer holds the next message until its time.
    await tick(stub);
    expect((await get(t, b.id)).progress.pending).toBe(3);
  });

  it("auto-pauses when the device is disconnected, and resumes when the user asks", async () => {
    const t = await setup();
    const d = await createDevice(t, "baileys");
    const b = await draft(t, { device_key: d.device_key });
    await start(t, b.id);
    const g = await eventually(async () => {
      const x = await get(t, b.id);
      return x.status === "auto_paused" && x;
    }, 8000, "auto-paused");
    expect(g.status_reason).toBe("device_disconnected");
    expect(g.progress.queued).toBe(0);
    expect((await call(`/api/v1/broadcasts/${b.id}/resume`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
  });

  it("auto-pauses on a failure rate of 30% of the last finished sends", async () => {
    const t = await setup();
    const d = await createDevice(t, "baileys");
    await env.DB.prepare("UPDATE devices SET status = 'connected' WHERE device_key = ?").bind(d.device_key).run();
    await call(`/api/v1/devices/${d.device_key}`, { cookie: t.cookie, method: "PATCH", json: { settings: { pacing_enabled: false, ...ALL_DAY } } });
    for (let i = 0; i < 8; i++) {
      const r = await call("/api/v1/contacts", { cookie: t.cookie, json: { phone: `0819000000${i}`, name: `P${i}` } });
      await call(`/api/v1/contacts/${r.body.id}/labels`, { cookie: t.cookie, json: { label_ids: [t.vip, t.pelanggan] } });
    }
    const b = await draft(t, { device_key: d.device_key });
    await start(t, b.id);
    await eventually(async () => (await get(t, b.id)).progress.queued === 12, 8000, "all queued");
    // As if the gateway reported: 4 of 12 failed.
    const ids = (await env.DB.prepare("SELECT message_id FROM broadcast_recipients WHERE broadcast_id = ? AND status = 'queued' ORDER BY seq").bind(b.id).all<{ message_id: string }>()).results.map((r) => r.message_id);
    for (const [i, id] of ids.entries()) await env.DB.prepare("UPDATE messages SET status = ? WHERE id = ?").bind(i % 3 === 0 ? "failed" : "sent", id).run();
    // The runner's next turn (driven here; its own alarm may get there first).
    const g = await eventually(async () => {
      await tick(broadcastRunner(env, b.id));
      const x = await get(t, b.id);
      return x.status !== "running" && x;
    }, 8000, "runner stopped");
    expect(g).toMatchObject({ status: "auto_paused", status_reason: "failure_rate" });
  });

  it("restricted auto-pauses; not_on_whatsapp is cached on the contact and skipped next time", async () => {
    const t = await setup();
    const d = await createDevice(t, "baileys");
    await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    await call(`/api/v1/devices/${d.device_key}`, { cookie: t.cookie, method: "PATCH", json: { settings: { pacing_enabled: false, ...ALL_DAY } } });
    const gw = await openGateway(d.device_key);
    gw.send({ type: "hello", v: 2, gateway_id: "gw-test", status: "connected" });
    await gw.next("welcome");
    const b = await draft(t, { device_key: d.device_key });
    await start(t, b.id);
    gw.send({ type: "credit", n: 2 });
    const [j1, j2] = await gw.take("job", 2);
    gw.send({ type: "fail", job_id: j1?.job_id ?? "", retryable: false, reason: "not on WhatsApp", code: "not_on_whatsapp" });
    gw.send({ type: "fail", job_id: j2?.job_id ?? "", retryable: false, reason: "the number is restricted", code: "restricted" });
    const budi = await eventually(async () => {
      const c = await call(`/api/v1/contacts/${t.ids.budi}`, { cookie: t.cookie });
      return c.body.on_whatsapp === "no" && c.body;
    }, 8000, "cached not on WhatsApp");
    expect(budi.on_whatsapp).toBe("no");
    // The next turn sees the restriction through the capacity RPC.
    await eventually(async () => {
      await tick(broadcastRunner(env, b.id));
      const g = await get(t, b.id);
      return g.status === "auto_paused" && g.status_reason === "restricted";
    }, 8000, "auto-paused on restricted");
    const count = await call("/api/v1/broadcasts/audience-count", { cookie: t.cookie, json: { labels_all: [t.vip, t.pelanggan], exclude_labels: [t.blokir] } });
    expect(count.body.skipped_reasons.not_on_whatsapp).toBe(2);
    gw.close();
  });
});
