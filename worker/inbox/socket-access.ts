// Who may keep an inbox socket open. A socket is tagged with the credential that opened it (session or API key)
// and its user; when that credential ends (logout, password change or reset, role change, user removal, key
// revocation or expiry) the Worker closes the tagged sockets at once, and the hub re-checks every socket against
// D1 on an alarm a few minutes later, so nothing outlives its revocation for long even if a close was missed.
import { and, eq, gt } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiKeys, sessions, users } from "../db/schema";
import { inboxHub } from "./publish";

/** Tags of a socket; each is a handle the Worker can revoke by. */
export const socketTag = {
  business: (id: string) => `business:${id}`,
  session: (tokenHash: string) => `session:${tokenHash}`,
  user: (id: string) => `user:${id}`,
  apiKey: (id: string) => `key:${id}`,
};

export const RECHECK_MS = 5 * 60_000;
/** Close code for a revoked credential: the client should not reconnect with the same one. */
export const REVOKED_CLOSE_CODE = 4401;

export type SocketCredential = { session_hash: string | null; api_key_id: string | null; user_id: string | null; role: string };

/** Still valid: the session exists and has not expired with the same user and role; or the key exists, unexpired. */
export async function credentialValid(db: Db, who: SocketCredential, now: number): Promise<boolean> {
  if (who.api_key_id) {
    const key = await db.select({ expiresAt: apiKeys.expiresAt }).from(apiKeys).where(eq(apiKeys.id, who.api_key_id)).get();
    return key !== undefined && (key.expiresAt === null || key.expiresAt > now);
  }
  if (!who.session_hash) return false;
  const row = await db
    .select({ role: users.role, userId: users.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, who.session_hash), gt(sessions.expiresAt, now)))
    .get();
  return row !== undefined && row.userId === who.user_id && row.role === who.role;
}

/** Closes a business's sockets opened with a credential that just ended; never throws (the revocation itself stands). */
export async function closeSockets(env: Env, businessId: string, tag: string, reason: string): Promise<void> {
  try {
    await inboxHub(env, businessId).revoke(tag, reason);
  } catch (e) {
    // The alarm re-check closes them within RECHECK_MS.
    console.warn(JSON.stringify({ level: "warn", msg: "inbox socket revoke failed", business_id: businessId, error: String(e) }));
  }
}
