// The billing rules as pure functions (no I/O): package states and grace, prices, pro-rata credit, commission,
// which renewal reminder is due. Everything is integers: rupiah and epoch milliseconds.
export const DAY_MS = 86_400_000;
/** A month of package time is 30 days; a year (12 months) is charged at the catalogue's yearly price. */
export const MONTH_MS = 30 * DAY_MS;
/** Days a lapsed paid package keeps working (with a banner) before PACKAGE_NOT_ACTIVE, unless the operator sets
 *  `BILLING_GRACE_DAYS` (worker/billing/grace.ts). The trial has none. */
export const GRACE_DAYS = 3;
/** The most an operator may set: a longer grace is a free extension and belongs in /internal. */
export const MAX_GRACE_DAYS = 30;

/** The operator's `BILLING_GRACE_DAYS`: a whole number of days 0…30; anything else falls back to GRACE_DAYS. */
export function parseGraceDays(raw: string | undefined): number {
  const n = raw === undefined || raw.trim() === "" ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= MAX_GRACE_DAYS ? n : GRACE_DAYS;
}
export const REMINDER_DAYS = [7, 3, 1] as const;

export type PackageState = "active" | "grace" | "expired";

export function graceMs(packageId: string, graceDays = GRACE_DAYS): number {
  return packageId === "trial" ? 0 : graceDays * DAY_MS;
}

export function packageState(b: { package: string; activeUntil: number }, now: number, graceDays = GRACE_DAYS): PackageState {
  if (b.activeUntil > now) return "active";
  return b.activeUntil + graceMs(b.package, graceDays) > now ? "grace" : "expired";
}

export type Prices = { priceMonthly: number; priceYearly: number };

export function priceFor(p: Prices, months: number): number {
  return months === 12 ? p.priceYearly : p.priceMonthly * months;
}

/** A paid period of the current package: what it was worth and when it runs. */
export type PaidPeriod = { value: number; start: number; end: number };

/** What is left of paid periods at `now`, in rupiah (rounded down: credit never exceeds what was paid). */
export function remainingValue(periods: PaidPeriod[], now: number): number {
  let credit = 0;
  for (const p of periods) {
    const length = p.end - p.start;
    if (length <= 0 || p.end <= now) continue;
    const left = Math.min(p.end - now, length);
    credit += Math.floor((p.value * left) / length);
  }
  return credit;
}

export type Quote = { price: number; credit: number; amount: number; periodStart: number; periodEnd: number };

/**
 * A purchase of `months` of `target`. The same package (or a purchase during the trial) extends from the current
 * end, so no paid day and no trial day is lost. Another paid package still running is switched at once: the value
 * left of its paid periods is credited against the price; credit beyond the price becomes extra days of the new
 * package (a downgrade never loses money).
 */
export function quote(input: {
  current: { packageId: string; activeUntil: number };
  currentPeriods: PaidPeriod[];
  target: Prices & { id: string };
  months: number;
  now: number;
}): Quote {
  const { current, target, months, now } = input;
  const price = priceFor(target, months);
  const length = months * MONTH_MS;
  const extend = current.packageId === target.id || current.packageId === "trial" || current.activeUntil <= now;
  if (extend) {
    const periodStart = Math.max(now, current.activeUntil);
    return { price, credit: 0, amount: price, periodStart, periodEnd: periodStart + length };
  }
  const credit = remainingValue(input.currentPeriods, now);
  const amount = Math.max(0, price - credit);
  const leftover = credit - (price - amount);
  const perMs = price / length;
  const extra = leftover > 0 && perMs > 0 ? Math.floor(leftover / perMs) : 0;
  return { price, credit, amount, periodStart: now, periodEnd: now + length + extra };
}

/** Value of a paid period for later pro-rata: its price, or the credit it consumed if that was larger. */
export function periodValue(inv: { price: number; credit: number }): number {
  return Math.max(inv.price, inv.credit);
}

export function commissionAmount(invoiceAmount: number, percent: number): number {
  return Math.floor((invoiceAmount * percent) / 100);
}

/** The reminder due now: the smallest threshold the remaining time is within (7, 3, 1 days), unless already sent. */
export function reminderDue(activeUntil: number, now: number, sent: ReadonlySet<number>): number | null {
  const left = activeUntil - now;
  if (left <= 0) return null;
  const due = [...REMINDER_DAYS].sort((a, b) => a - b).find((d) => left <= d * DAY_MS);
  return due === undefined || sent.has(due) ? null : due;
}
