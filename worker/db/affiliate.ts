// The affiliate program's data: referral codes, referred businesses, the commission ledger and payouts.
import { and, count, countDistinct, desc, eq, gt, lte, sql, sum } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { afterCursor } from "./paging";
import { businesses, type CommissionStatus, commissions, invoices, payouts, referralClicks, users } from "./schema";

export type Commission = typeof commissions.$inferSelect;
export type Payout = typeof payouts.$inferSelect;

export async function businessByReferralCode(db: Db, code: string) {
  return db.select().from(businesses).where(eq(businesses.referralCode, code.toUpperCase())).get();
}

export async function emailsOfBusiness(db: Db, businessId: string): Promise<string[]> {
  const rows = await db.select({ email: users.email }).from(users).where(eq(users.businessId, businessId)).all();
  return rows.map((r) => r.email);
}

/** Promotes commissions whose refund window has passed (cron, and before a referrer reads the ledger). */
export async function promoteCommissions(db: Db, now: number, referrerId?: string): Promise<void> {
  await db
    .update(commissions)
    .set({ status: "available" })
    .where(and(eq(commissions.status, "pending"), lte(commissions.availableAt, now), referrerId ? eq(commissions.referrerId, referrerId) : undefined))
    .run();
}

/** One more click on a referrer's link on `day` (YYYY-MM-DD, Asia/Jakarta): a counter, nothing about the visitor. */
export async function countReferralClick(db: Db, referrerId: string, day: string): Promise<void> {
  await db
    .insert(referralClicks)
    .values({ businessId: referrerId, day, clicks: 1 })
    .onConflictDoUpdate({ target: [referralClicks.businessId, referralClicks.day], set: { clicks: sql`${referralClicks.clicks} + 1` } })
    .run();
}

export async function referralCounts(db: Db, referrerId: string): Promise<{ clicks: number; signups: number; paying: number }> {
  const [c, s, p] = await Promise.all([
    db.select({ n: sum(referralClicks.clicks) }).from(referralClicks).where(eq(referralClicks.businessId, referrerId)).get(),
    db.select({ n: count() }).from(businesses).where(eq(businesses.referredBy, referrerId)).get(),
    db
      .select({ n: countDistinct(invoices.businessId) })
      .from(invoices)
      .innerJoin(businesses, eq(businesses.id, invoices.businessId))
      .where(and(eq(businesses.referredBy, referrerId), eq(invoices.status, "paid"), gt(invoices.amount, 0)))
      .get(),
  ]);
  return { clicks: Number(c?.n ?? 0), signups: s?.n ?? 0, paying: p?.n ?? 0 };
}

export async function commissionTotals(db: Db, referrerId: string): Promise<Record<CommissionStatus, number> & { requestable: number }> {
  const rows = await db
    .select({ status: commissions.status, inPayout: sql<number>`${commissions.payoutId} IS NOT NULL`, total: sum(commissions.amount) })
    .from(commissions)
    .where(eq(commissions.referrerId, referrerId))
    .groupBy(commissions.status, sql`${commissions.payoutId} IS NOT NULL`)
    .all();
  const out = { pending: 0, available: 0, paid: 0, reversed: 0, requestable: 0 };
  for (const r of rows) {
    const v = Number(r.total ?? 0);
    out[r.status] += v;
    if (r.status === "available" && !r.inPayout) out.requestable += v;
  }
  return out;
}

export async function listReferrals(db: Db, referrerId: string, limit: number, cursor?: Cursor) {
  return db
    .select({
      id: businesses.id,
      name: businesses.name,
      package: businesses.package,
      activeUntil: businesses.activeUntil,
      createdAt: businesses.createdAt,
      // Qualified by hand: drizzle writes a single-table select's columns unqualified, which the subquery would rebind.
      paidInvoices: sql<number>`(SELECT count(*) FROM invoices i WHERE i.business_id = "businesses"."id" AND i.status = 'paid' AND i.amount > 0)`,
      commission: sql<number>`(SELECT coalesce(sum(c.amount), 0) FROM commissions c WHERE c.referred_id = "businesses"."id" AND c.referrer_id = ${referrerId} AND c.status != 'reversed')`,
    })
    .from(businesses)
    .where(and(eq(businesses.referredBy, referrerId), afterCursor(businesses.createdAt, businesses.id, cursor)))
    .orderBy(desc(businesses.createdAt), desc(businesses.id))
    .limit(limit + 1)
    .all();
}

export async function listCommissions(db: Db, referrerId: string, limit: number, cursor?: Cursor) {
  return db
    .select({ c: commissions, invoiceNumber: invoices.number, referredName: businesses.name })
    .from(commissions)
    .leftJoin(invoices, eq(invoices.id, commissions.invoiceId))
    .leftJoin(businesses, eq(businesses.id, commissions.referredId))
    .where(and(eq(commissions.referrerId, referrerId), afterCursor(commissions.createdAt, commissions.id, cursor)))
    .orderBy(desc(commissions.createdAt), desc(commissions.id))
    .limit(limit + 1)
    .all();
}

/**
 * A payout request for everything available and not yet requested, in one transaction: the payout's amount is
 * summed in SQL and the commissions are attached to it, so two racing requests cannot claim the same rupiah.
 */
export async function requestPayout(
  d1: D1Database,
  p: { id: string; businessId: string; minimum: number; method: "bank" | "ewallet"; provider: string; accountName: string; accountNumber: string },
): Promise<boolean> {
  const [insert] = await d1.batch([
    d1
      .prepare(
        `INSERT INTO payouts (id, business_id, amount, method, provider, account_name, account_number, status)
         SELECT ?, ?, total, ?, ?, ?, ?, 'requested' FROM
           (SELECT coalesce(sum(amount), 0) AS total FROM commissions WHERE referrer_id = ? AND status = 'available' AND payout_id IS NULL)
         WHERE total >= ? AND total > 0`,
      )
      .bind(p.id, p.businessId, p.method, p.provider, p.accountName, p.accountNumber, p.businessId, p.minimum),
    d1
      .prepare("UPDATE commissions SET payout_id = ? WHERE referrer_id = ? AND status = 'available' AND payout_id IS NULL AND changes() = 1")
      .bind(p.id, p.businessId),
  ]);
  return (insert?.meta.changes ?? 0) === 1;
}

export async function getPayout(db: Db, id: string): Promise<Payout | undefined> {
  return db.select().from(payouts).where(eq(payouts.id, id)).get();
}

export async function listPayouts(db: Db, filter: { businessId?: string; status?: Payout["status"] }, limit: number, cursor?: Cursor): Promise<Payout[]> {
  return db
    .select()
    .from(payouts)
    .where(
      and(
        filter.businessId ? eq(payouts.businessId, filter.businessId) : undefined,
        filter.status ? eq(payouts.status, filter.status) : undefined,
        afterCursor(payouts.createdAt, payouts.id, cursor),
      ),
    )
    .orderBy(desc(payouts.createdAt), desc(payouts.id))
    .limit(limit + 1)
    .all();
}

/** Operator: the transfer was made. The payout and its commissions become `paid` together. */
export async function markPayoutPaid(d1: D1Database, id: string, reference: string, now: number): Promise<boolean> {
  const [p] = await d1.batch([
    d1.prepare("UPDATE payouts SET status = 'paid', reference = ?, paid_at = ? WHERE id = ? AND status = 'requested'").bind(reference, now, id),
    d1.prepare("UPDATE commissions SET status = 'paid' WHERE payout_id = ? AND status = 'available' AND changes() = 1").bind(id),
  ]);
  return (p?.meta.changes ?? 0) === 1;
}

