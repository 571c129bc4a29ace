import { eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { loginThrottles } from "./schema";

export async function getThrottle(db: Db, keyHash: string) {
  return db.select().from(loginThrottles).where(eq(loginThrottles.keyHash, keyHash)).get();
}

/** One more failure, in one statement (concurrent failures cannot undercount); returns the new count. */
export async function recordFailure(db: Db, keyHash: string, now: number): Promise<number> {
  const row = await db
    .insert(loginThrottles)
    .values({ keyHash, failures: 1, updatedAt: now })
    .onConflictDoUpdate({ target: loginThrottles.keyHash, set: { failures: sql`${loginThrottles.failures} + 1`, updatedAt: now } })
    .returning({ failures: loginThrottles.failures })
    .get();
  return row.failures;
}

export async function blockUntil(db: Db, keyHash: string, until: number): Promise<void> {
  await db.update(loginThrottles).set({ blockedUntil: until }).where(eq(loginThrottles.keyHash, keyHash));
}

export async function clearThrottle(db: Db, keyHash: string): Promise<void> {
  await db.delete(loginThrottles).where(eq(loginThrottles.keyHash, keyHash));
}

/** Rows idle for a day are forgotten (the cron sweep). */
export async function deleteStaleThrottles(db: Db, now: number): Promise<void> {
  await db.delete(loginThrottles).where(sql`${loginThrottles.updatedAt} < ${now - 86_400_000} AND ${loginThrottles.blockedUntil} < ${now}`);
}
