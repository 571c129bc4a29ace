// Properties of the broadcast lane's pacer (worker/broadcasts/pacer.ts) and the health formula: gaps and rests
// within their bounds, caps never exceeded, warm-up growing to the full cap, overrides refused outside the safe
// bounds, health thresholds at each edge, and transactional traffic never held by the broadcast lane.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { healthOf } from "../../worker/broadcasts/health";
import { afterSend, BroadcastPacing, capsOf, DEFAULT_PACING, failureTrips, healthFactor, initialState, nextBroadcastAt, warmupCap } from "../../worker/broadcasts/pacer";
import { seeded, simulate } from "../../worker/broadcasts/pacing-sim";

describe("broadcast pacer", () => {
  it("every wait is a gap in [10 s, 40 s] or a rest in [2, 5] min after 20–50 messages", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = seeded(seed);
        let s = initialState(DEFAULT_PACING, rng);
        let now = 0;
        let since = 0;
        for (let i = 0; i < 300; i++) {
          const n = afterSend(s, DEFAULT_PACING, now, rng);
          const wait = n.nextAt - now;
          since++;
          if (n.rested) {
            expect(wait).toBeGreaterThanOrEqual(120_000);
            expect(wait).toBeLessThanOrEqual(300_000);
            expect(since).toBeGreaterThanOrEqual(20);
            expect(since).toBeLessThanOrEqual(50);
            since = 0;
          } else {
            expect(wait).toBeGreaterThanOrEqual(10_000);
            expect(wait).toBeLessThanOrEqual(40_000);
          }
          expect(since).toBeLessThan(50);
          s = n;
          now = n.nextAt;
        }
      }),
      { numRuns: 50 },
    );
  });

  it("the caps hold over a simulated run, with transactional traffic mixed in and never held", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 20 }), (seed, age) => {
        const r = simulate({ recipients: 1500, ageDays: age, seed, transactionalEveryMs: 300_000 });
        expect(r.maxPerHour).toBeLessThanOrEqual(DEFAULT_PACING.max_per_hour);
        for (const [d, n] of r.perDay.entries()) expect(n).toBeLessThanOrEqual(2 * warmupCap(DEFAULT_PACING, age + d + 1));
        expect(r.longestTransactionalWaitMs).toBeLessThanOrEqual(4000);
        for (const g of r.gaps) expect(g).toBeGreaterThanOrEqual(10_000);
      }),
      { numRuns: 10 },
    );
  });

  it("a day's broadcast sends stay within the warm-up cap", () => {
    const r = simulate({ recipients: 400, ageDays: 0, seed: 7, transactionalEveryMs: 10 * 86_400_000 });
    expect(r.perDay[0]).toBeLessThanOrEqual(warmupCap(DEFAULT_PACING, 1) + 1);
    expect(r.perDay[0]).toBeGreaterThanOrEqual(warmupCap(DEFAULT_PACING, 0));
  });

  it("warm-up grows monotonically from the start cap to the full day cap over warmup_days", () => {
    expect(warmupCap(DEFAULT_PACING, 0)).toBe(30);
    expect(warmupCap(DEFAULT_PACING, 10)).toBe(500);
    expect(warmupCap(DEFAULT_PACING, 30)).toBe(500);
    for (let d = 1; d <= 14; d++) expect(warmupCap(DEFAULT_PACING, d)).toBeGreaterThanOrEqual(warmupCap(DEFAULT_PACING, d - 1));
  });

  it("per-broadcast overrides are accepted only within safe bounds", () => {
    expect(BroadcastPacing.safeParse({ gap_min_s: 15, gap_max_s: 60 }).success).toBe(true);
    expect(BroadcastPacing.safeParse({ gap_min_s: 2 }).success).toBe(false);
    expect(BroadcastPacing.safeParse({ max_per_hour: 500 }).success).toBe(false);
    expect(BroadcastPacing.safeParse({ warmup_days: 3 }).success).toBe(false);
    expect(BroadcastPacing.safeParse({ gap_min_s: 30, gap_max_s: 20 }).success).toBe(false);
  });

  it("health thresholds: ≥ 0.9 full caps, 0.7–0.9 half, < 0.7 pause", () => {
    expect(healthFactor(1)).toBe(1);
    expect(healthFactor(0.9)).toBe(1);
    expect(healthFactor(0.899)).toBe(0.5);
    expect(healthFactor(0.7)).toBe(0.5);
    expect(healthFactor(0.699)).toBe(0);
    const full = capsOf(DEFAULT_PACING, 20, 0.95);
    const half = capsOf(DEFAULT_PACING, 20, 0.8);
    expect(half.per_hour).toBe(full.per_hour / 2);
    expect(half.per_day).toBe(full.per_day / 2);
    const s = initialState(DEFAULT_PACING, seeded(1));
    const none = { hour: 0, hourOldest: null, day: 0, dayOldest: null };
    expect(nextBroadcastAt(1000, s, DEFAULT_PACING, none, 20, 0.5)).toBe("pause");
    // Half health: the 30th message of the hour waits for the hour to free up; at full health it goes.
    const hour = { hour: 30, hourOldest: 500, day: 30, dayOldest: 500 };
    expect(nextBroadcastAt(1000, s, DEFAULT_PACING, hour, 20, 0.8)).toBe(500 + 3_600_000);
    expect(nextBroadcastAt(1000, s, DEFAULT_PACING, hour, 20, 0.95)).toBe(1000);
  });

  it("the health formula at its edges", () => {
    expect(healthOf({ sends: 19, failed: 19, opt_outs: 0, blocks: 0 })).toBe(1);
    expect(healthOf({ sends: 100, failed: 5, opt_outs: 0, blocks: 0 })).toBe(0.9);
    expect(healthFactor(healthOf({ sends: 100, failed: 5, opt_outs: 0, blocks: 0 }))).toBe(1);
    expect(healthFactor(healthOf({ sends: 100, failed: 5, opt_outs: 1, blocks: 0 }))).toBe(0.5);
    expect(healthFactor(healthOf({ sends: 100, failed: 0, opt_outs: 0, blocks: 1 }))).toBe(0.5);
    expect(healthOf({ sends: 100, failed: 15, opt_outs: 0, blocks: 0 })).toBe(0.7);
    expect(healthFactor(healthOf({ sends: 100, failed: 15, opt_outs: 0, blocks: 0 }))).toBe(0.5);
    expect(healthFactor(healthOf({ sends: 100, failed: 16, opt_outs: 0, blocks: 0 }))).toBe(0);
    expect(healthOf({ sends: 100, failed: 100, opt_outs: 100, blocks: 0 })).toBe(0);
  });

  it("failure-rate auto-pause trips at 30% of the last finished sends, not before 10", () => {
    expect(failureTrips(Array(9).fill("failed"))).toBe(false);
    expect(failureTrips([...Array(3).fill("failed"), ...Array(7).fill("sent")])).toBe(true);
    expect(failureTrips([...Array(2).fill("failed"), ...Array(8).fill("sent")])).toBe(false);
  });
});
