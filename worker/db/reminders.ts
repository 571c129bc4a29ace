// Renewal reminders: which businesses end soon, and the one row per (business, expiry, threshold) sent.
import { and, eq, gt, lte } from "drizzle-orm";
import type { Db } from "./client";
import { billingReminders, businesses } from "./schema";

export async function businessesEndingBetween(db: Db, from: number, to: number, limit: number) {
  return db
    .select()
    .from(businesses)
    .where(and(gt(businesses.activeUntil, from), lte(businesses.activeUntil, to)))
    .limit(limit)
    .all();
}

export async function remindersSent(db: Db, businessId: string, periodEnd: number): Promise<Set<number>> {
  const rows = await db
    .select({ d: billingReminders.daysBefore })
    .from(billingReminders)
    .where(and(eq(billingReminders.businessId, businessId), eq(billingReminders.periodEnd, periodEnd)))
    .all();
  return new Set(rows.map((r) => r.d));
}

/** Claims a reminder; false when a previous run already sent it. */
export async function claimReminder(db: Db, businessId: string, periodEnd: number, daysBefore: number): Promise<boolean> {
  const r = await db.insert(billingReminders).values({ businessId, periodEnd, daysBefore }).onConflictDoNothing().returning({ b: billingReminders.businessId }).all();
  return r.length > 0;
}
