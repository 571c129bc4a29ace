import { and, eq, gt, lt } from "drizzle-orm";
import type { Db } from "./client";
import { sessions, users } from "./schema";

export async function insertSession(
  db: Db,
  s: { tokenHash: string; userId: string; businessId: string; expiresAt: number },
): Promise<void> {
  await db.insert(sessions).values(s);
}

export async function findSessionUser(db: Db, tokenHash: string, now: number) {
  const row = await db
    .select({ user: users, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)))
    .get();
  return row?.user;
}

/** Ends one session; returns it (for closing its sockets), or undefined when it was already gone. */
export async function deleteSession(db: Db, tokenHash: string): Promise<{ businessId: string } | undefined> {
  return db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).returning({ businessId: sessions.businessId }).get();
}

export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

export async function deleteExpiredSessions(db: Db, now: number): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}
