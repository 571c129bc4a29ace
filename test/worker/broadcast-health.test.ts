// Number health through a running broadcast (not only the formula): recorded failures and a real opt-out drop a
// paced device's health below 0.7 and its running broadcast auto-pauses with the reason `health` (resume is the
// user's choice and pauses again while the number is unhealthy); between 0.7 and 0.9 the runner uses half caps.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { broadcastRunner } from "../../worker/durable/stubs";
import { draft, get, seedLaneSends, setup, tick } from "./broadcast-fixtures";
import { call, eventually } from "./helpers";

const DAY = 86_400_000;

async function paced(t: Awaited<ReturnType<typeof setup>>) {
  const r = await call(`/api/v1/devices/${t.deviceKey}`, { cookie: t.cookie, method: "PATCH", json: { settings: { pacing_enabled: true, window_start: "00:00", window_end: "00:00" } } });
  expect(r.status, r.text).toBe(200);
}

const healthOf = async (t: Awaited<ReturnType<typeof setup>>) => (await call(`/api/v1/devices/${t.deviceKey}/health`, { cookie: t.cookie })).body;
const broadcastSends = async (id: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE idempotency_key LIKE ?").bind(`broadcast:${id}:%`).first<{ n: number }>())?.n ?? 0;

describe("health through a running broadcast", () => {
  it("failures and an opt-out drop health below 0.7: the running broadcast auto-pauses with the reason", async () => {
    const t = await setup();
    await paced(t);
    // Two days ago: 50 sends, 5 failed → 1 − 10/50 = 0.8 (half caps; none of them counts in today's caps).
    await seedLaneSends(t, t.deviceKey, 45, 5, 2 * DAY);
    expect(await healthOf(t)).toMatchObject({ health: 0.8, cap_factor: 0.5 });
    const b = await draft(t);
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, json: {} })).status).toBe(200);
    const stub = broadcastRunner(env, b.id);
    // The start's own alarm sends the first message (a forced turn now could run beside it: only one alarm
    // runs at a time in production, not when a test forces one).
    await eventually(async () => (await broadcastSends(b.id)) >= 1, 8000, "the first paced message");
    expect((await get(t, b.id)).status).toBe("running");
    const sent = await broadcastSends(b.id);

    // A customer says STOP (a real opt-out through the inbound path): 1 − (10 + 10)/51 ≈ 0.61.
    const stop = await call(`/api/v1/devices/${t.deviceKey}/sandbox/inbound`, { cookie: t.cookie, json: { from: "0815555555", text: "STOP" } });
    expect(stop.status, stop.text).toBe(201);
    await eventually(async () => (await healthOf(t)).cap_factor === 0, 8000, "health below 0.7");
    await tick(stub);
    const paused = await eventually(async () => {
      const g = await get(t, b.id);
      return g.status === "auto_paused" && g;
    }, 8000, "auto-paused");
    expect(paused.status_reason).toBe("health");
    expect(await broadcastSends(b.id)).toBe(sent);
    // The dashboard shows the reason.
    expect((await call(`/app/broadcasts/${b.id}?lang=en`, { cookie: t.cookie })).text).toContain("number health below 0.7");

    // Resume is the user's choice; while the number stays unhealthy the next turn pauses again, sending nothing.
    expect((await call(`/api/v1/broadcasts/${b.id}/resume`, { cookie: t.cookie, json: {} })).status).toBe(200);
    await tick(stub);
    await eventually(async () => (await get(t, b.id)).status === "auto_paused", 8000, "paused again");
    expect(await broadcastSends(b.id)).toBe(sent);
  });

  it("0.7–0.9 halves the caps the runner uses: 20 sends today wait under the half day cap (15), go under the full one (30)", async () => {
    const t = await setup();
    await paced(t);
    // Health inputs: 40 sends two days ago with 4 failed, 20 sent an hour ago → 1 − 8/60 ≈ 0.867 (half caps).
    await seedLaneSends(t, t.deviceKey, 36, 4, 2 * DAY);
    await seedLaneSends(t, t.deviceKey, 20, 0, 3_600_000);
    const h = await healthOf(t);
    expect(h).toMatchObject({ cap_factor: 0.5, warmup: { day: 1, day_cap: 30 }, pacing: { max_per_day: 15, max_per_hour: 30 } });
    const b = await draft(t);
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, json: {} })).status).toBe(200);
    const stub = broadcastRunner(env, b.id);
    await tick(stub);
    // Today's 20 ≥ 15: nothing goes; the next turn is when the oldest of today's sends is a day old.
    expect(await broadcastSends(b.id)).toBe(0);
    expect((await get(t, b.id)).status).toBe("running");
    const alarm = await runInDurableObject(stub, (_o, s) => s.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + 22 * 3_600_000);

    // The same day count under full caps (the failures cleared: health 1, day cap 30) sends.
    await env.DB.prepare("UPDATE messages SET status = 'sent', error = NULL WHERE business_id = ? AND status = 'failed'").bind(t.businessId).run();
    expect(await healthOf(t)).toMatchObject({ health: 1, cap_factor: 1, pacing: { max_per_day: 30 } });
    await tick(stub);
    await eventually(async () => (await broadcastSends(b.id)) === 1, 8000, "sent under full caps");
  });
});
