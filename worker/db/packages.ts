// The package catalogue and the usage counters the limits are checked against.
import { and, asc, count, eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { devices, packages, usageCounters, users } from "./schema";

export type Package = typeof packages.$inferSelect;
export type NewPackage = typeof packages.$inferInsert;

export async function listPackages(db: Db): Promise<Package[]> {
  return db.select().from(packages).orderBy(asc(packages.sortOrder), asc(packages.id)).all();
}

export async function getPackage(db: Db, id: string): Promise<Package | undefined> {
  return db.select().from(packages).where(eq(packages.id, id)).get();
}

export async function upsertPackage(db: Db, row: NewPackage): Promise<Package> {
  const { id: _id, ...rest } = row;
  return db
    .insert(packages)
    .values(row)
    .onConflictDoUpdate({ target: packages.id, set: { ...rest, updatedAt: Date.now() } })
    .returning()
    .get();
}

export async function countDevices(db: Db, businessId: string): Promise<number> {
  const r = await db.select({ n: count() }).from(devices).where(eq(devices.businessId, businessId)).get();
  return r?.n ?? 0;
}

export async function countUsers(db: Db, businessId: string): Promise<number> {
  const r = await db.select({ n: count() }).from(users).where(eq(users.businessId, businessId)).get();
  return r?.n ?? 0;
}

export async function usageAmount(db: Db, businessId: string, metric: string, period: string): Promise<number> {
  const r = await db
    .select({ amount: usageCounters.amount })
    .from(usageCounters)
    .where(and(eq(usageCounters.businessId, businessId), eq(usageCounters.metric, metric), eq(usageCounters.period, period)))
    .get();
  return r?.amount ?? 0;
}

export async function addUsage(db: Db, businessId: string, metric: string, period: string, amount: number): Promise<void> {
  await db
    .insert(usageCounters)
    .values({ businessId, metric, period, amount })
    .onConflictDoUpdate({ target: [usageCounters.businessId, usageCounters.metric, usageCounters.period], set: { amount: sql`${usageCounters.amount} + ${amount}` } })
    .run();
}
