import { and, eq, gt, isNull, lt } from "drizzle-orm";
import type { Db } from "./client";
import { type AuthTokenPurpose, authTokens } from "./schema";

export async function insertAuthToken(db: Db, t: { tokenHash: string; userId: string; purpose: AuthTokenPurpose; expiresAt: number }): Promise<void> {
  await db.insert(authTokens).values(t);
}

/** Uses a token once: the first caller gets its user id, every later (or late) caller gets undefined. */
export async function consumeAuthToken(db: Db, tokenHash: string, purpose: AuthTokenPurpose, now: number): Promise<string | undefined> {
  const row = await db
    .update(authTokens)
    .set({ usedAt: now })
    .where(and(eq(authTokens.tokenHash, tokenHash), eq(authTokens.purpose, purpose), isNull(authTokens.usedAt), gt(authTokens.expiresAt, now)))
    .returning({ userId: authTokens.userId })
    .get();
  return row?.userId;
}

/** A finished reset voids the user's other outstanding tokens of that purpose. */
export async function voidAuthTokens(db: Db, userId: string, purpose: AuthTokenPurpose, now: number): Promise<void> {
  await db
    .update(authTokens)
    .set({ usedAt: now })
    .where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, purpose), isNull(authTokens.usedAt)));
}

export async function deleteExpiredAuthTokens(db: Db, now: number): Promise<void> {
  await db.delete(authTokens).where(lt(authTokens.expiresAt, now - 86_400_000));
}
