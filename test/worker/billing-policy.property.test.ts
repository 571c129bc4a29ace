// Properties of the pure billing rules (worker/billing/policy.ts): money stays integral and never negative,
// credit never exceeds what was paid, no paid or trial day is lost, reminders come once per threshold in order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commissionAmount, DAY_MS, MONTH_MS, packageState, type PaidPeriod, quote, REMINDER_DAYS, reminderDue, remainingValue } from "../../worker/billing/policy";

const NOW = 1_800_000_000_000;
const money = fc.integer({ min: 0, max: 50_000_000 });
const period: fc.Arbitrary<PaidPeriod> = fc
  .record({ value: money, startAgo: fc.integer({ min: 0, max: 400 * DAY_MS }), length: fc.integer({ min: DAY_MS, max: 400 * DAY_MS }) })
  .map((p) => ({ value: p.value, start: NOW - p.startAgo, end: NOW - p.startAgo + p.length }));
const pkg = fc.record({ id: fc.constantFrom("basic", "pro", "bisnis"), priceMonthly: fc.integer({ min: 1000, max: 5_000_000 }), priceYearly: fc.integer({ min: 1000, max: 50_000_000 }) });

describe("billing policy", () => {
  it("a quote is integral, never negative, and price = amount + credit used", () => {
    fc.assert(
      fc.property(fc.constantFrom("trial", "basic", "pro", "bisnis"), fc.integer({ min: -60 * DAY_MS, max: 400 * DAY_MS }), fc.array(period, { maxLength: 4 }), pkg, fc.integer({ min: 1, max: 12 }), (current, left, periods, target, months) => {
        const q = quote({ current: { packageId: current, activeUntil: NOW + left }, currentPeriods: periods, target, months, now: NOW });
        for (const v of [q.price, q.credit, q.amount]) expect(Number.isInteger(v) && v >= 0).toBe(true);
        expect(q.amount + Math.min(q.credit, q.price)).toBe(q.price);
        expect(q.credit).toBeLessThanOrEqual(periods.reduce((s, p) => s + p.value, 0));
        // Never less than the months bought; never starting before now.
        expect(q.periodEnd - q.periodStart).toBeGreaterThanOrEqual(months * MONTH_MS);
        expect(q.periodStart).toBeGreaterThanOrEqual(NOW);
        // The same package or the trial extends from the current end: no day lost.
        if (current === target.id || current === "trial") expect(q.periodStart).toBe(Math.max(NOW, NOW + left));
      }),
    );
  });

  it("remaining value shrinks as time passes", () => {
    fc.assert(
      fc.property(fc.array(period, { maxLength: 4 }), fc.integer({ min: 0, max: 100 * DAY_MS }), (periods, dt) => {
        expect(remainingValue(periods, NOW + dt)).toBeLessThanOrEqual(remainingValue(periods, NOW));
      }),
    );
  });

  it("commission is an integer share of the amount, never more than it", () => {
    fc.assert(
      fc.property(money, fc.integer({ min: 0, max: 100 }), (amount, percent) => {
        const c = commissionAmount(amount, percent);
        expect(Number.isInteger(c) && c >= 0 && c <= amount).toBe(true);
      }),
    );
    expect(commissionAmount(99000, 15)).toBe(14850);
    expect(commissionAmount(99999, 15)).toBe(14999);
  });

  it("reminders: once per threshold, in order 7 → 3 → 1, whatever the cron's timing", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * DAY_MS }), { maxLength: 60 }), (times) => {
        const end = NOW + 10 * DAY_MS;
        const sent = new Set<number>();
        const order: number[] = [];
        for (const t of [...times].sort((a, b) => a - b)) {
          const d = reminderDue(end, NOW + t, sent);
          if (d !== null) {
            sent.add(d);
            order.push(d);
          }
        }
        expect(new Set(order).size).toBe(order.length);
        expect([...order].sort((a, b) => b - a)).toEqual(order);
        for (const d of order) expect(REMINDER_DAYS).toContain(d);
      }),
    );
  });

  it("grace: a paid package lapses after the grace days; the trial at once", () => {
    expect(packageState({ package: "basic", activeUntil: NOW - DAY_MS }, NOW)).toBe("grace");
    expect(packageState({ package: "basic", activeUntil: NOW - 4 * DAY_MS }, NOW)).toBe("expired");
    expect(packageState({ package: "trial", activeUntil: NOW - 1 }, NOW)).toBe("expired");
    expect(packageState({ package: "trial", activeUntil: NOW + 1 }, NOW)).toBe("active");
  });
});
