// Renewal reminders: which businesses end soon, and the one row per (business, expiry, threshold) sent.
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import { DAY_MS } from "../billing/policy";
import type { Db } from "./client";
import { billingReminders, businesses, users } from "./schema";

/**
 * Businesses ending within the largest threshold whose due reminder (the smallest threshold the time left is
 * within) has not been sent for this end date: the cron touches only what it must send.
 */
export async function businessesDueForReminder(db: Db, now: number, thresholdsDays: readonly number[], limit: number) {
  const sorted = [...thresholdsDays].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1] ?? 0;
  const due = sql.join(
    [sql`CASE`, ...sorted.map((d) => sql`WHEN "businesses"."active_until" - ${now} <= ${d * DAY_MS} THEN ${d}`), sql`END`],
    sql` `,
  );
  return db
    .select()
    .from(businesses)
    .where(
      and(
        gt(businesses.activeUntil, now),
        lte(businesses.activeUntil, now + max * DAY_MS),
        sql`NOT EXISTS (SELECT 1 FROM billing_reminders r WHERE r.business_id = "businesses"."id" AND r.period_end = "businesses"."active_until" AND r.days_before = (${due}))`,
      ),
    )
    .limit(limit)
    .all();
}

/** Claims a reminder; false when a previous run already sent it. */
export async function claimReminder(db: Db, businessId: string, periodEnd: number, daysBefore: number): Promise<boolean> {
  const r = await db.insert(billingReminders).values({ businessId, periodEnd, daysBefore }).onConflictDoNothing().returning({ b: billingReminders.businessId }).all();
  return r.length > 0;
}

/** The first super admin of a business: who gets the renewal email. */
export async function ownerEmail(db: Db, businessId: string): Promise<string | undefined> {
  const row = await db
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.businessId, businessId), eq(users.role, "super_admin")))
    .orderBy(asc(users.createdAt))
    .limit(1)
    .get();
  return row?.email;
}
