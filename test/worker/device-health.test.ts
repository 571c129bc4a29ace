// Device health in workerd: the figures over 24 h / 7 d from real message rows, the health formula's thresholds
// lowering the caps (≥ 0.9 full, 0.7–0.9 half, < 0.7 broadcasts pause), the warm-up stage, tenant isolation.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { seedLaneSends } from "./broadcast-fixtures";
import { call, createDevice, signup, type Tenant } from "./helpers";

const seedSends = (t: Tenant, deviceKey: string, sent: number, failed: number) => seedLaneSends(t, deviceKey, sent, failed);

async function health(t: Tenant, key: string) {
  const r = await call(`/api/v1/devices/${key}/health`, { cookie: t.cookie });
  expect(r.status, r.text).toBe(200);
  return r.body;
}

describe("device health", () => {
  it("at each threshold: full caps, half caps, pause", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    let h = await health(t, d.device_key);
    expect(h).toMatchObject({ health: 1, cap_factor: 1, warmup: { day: 1, of: 10, day_cap: 30, done: false }, pacing: { paced: true, gap_seconds: [10, 40], max_per_hour: 60, max_per_day: 30 } });
    await seedSends(t, d.device_key, 95, 5); // 1 − 2·5/100 = 0.9
    h = await health(t, d.device_key);
    expect(h).toMatchObject({ health: 0.9, cap_factor: 1, last_24h: { sends: 100, failed: 5, failures_by_reason: { "not on WhatsApp": 5 } }, pacing: { max_per_hour: 60 } });
    await seedSends(t, d.device_key, 0, 1); // 1 − 12/101 ≈ 0.881
    h = await health(t, d.device_key);
    expect(h.cap_factor).toBe(0.5);
    expect(h.pacing.max_per_hour).toBe(30);
    await seedSends(t, d.device_key, 0, 10); // 1 − 32/111 ≈ 0.712 → still half
    expect((await health(t, d.device_key)).cap_factor).toBe(0.5);
    await seedSends(t, d.device_key, 0, 2); // 1 − 36/113 ≈ 0.681 → pause
    h = await health(t, d.device_key);
    expect(h.cap_factor).toBe(0);
    expect(h.pacing).toMatchObject({ max_per_hour: 0, max_per_day: 0 });
    const other = await signup("Lain");
    expect((await call(`/api/v1/devices/${d.device_key}/health`, { cookie: other.cookie })).status).toBe(404);
  });

  it("the device page draws the same figures: score against thresholds, 24 h / 7 d bars, failures by cause, warm-up, pacing", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    await seedSends(t, d.device_key, 90, 10); // 1 − 20/100 = 0.8 → half caps
    const api = await health(t, d.device_key);
    expect(api).toMatchObject({ health: 0.8, cap_factor: 0.5 });
    const page = await call(`/app/devices/${d.device_key}?lang=en`, { cookie: t.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="device-health" data-health="0.8" data-cap-factor="0.5"');
    expect(page.text).toContain('data-caps="health_caps_half"');
    expect(page.text).toContain("half caps");
    expect(page.text).toMatch(/data-metric="health_sends">100 \/ 100</);
    expect(page.text).toMatch(/data-metric="health_failures">10 \/ 10</);
    expect(page.text).toContain('aria-label="not on WhatsApp: 10"');
    expect(page.text).toContain("Number warm-up: day 1 of 10, cap 30/day");
    expect(page.text).toContain(`at most ${api.pacing.max_per_hour}/hour and ${api.pacing.max_per_day}/day`);
    // A sandbox device: full health, and no pacing to imply.
    const sandbox = await createDevice(t, "sandbox");
    const sb = await call(`/app/devices/${sandbox.device_key}`, { cookie: t.cookie });
    expect(sb.text).toContain('data-health="1" data-cap-factor="1"');
    expect(sb.text).toContain("Device sandbox tanpa tempo");
  });
});
