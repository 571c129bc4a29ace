import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { insertSession } from "../db/sessions";
import type { Db } from "../db/client";
import { randomToken, sha256Hex } from "../lib/crypto";

export const SESSION_COOKIE = "ping_session";
const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

/** Creates a session row (hashed token) and sets the cookie: HttpOnly, Secure, SameSite=Lax. */
export async function startSession(c: Context, db: Db, userId: string, businessId: string): Promise<void> {
  const token = randomToken(32);
  const expiresAt = Date.now() + SESSION_TTL_MS;
  await insertSession(db, { tokenHash: await sha256Hex(token), userId, businessId, expiresAt });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export async function sessionTokenHash(c: Context): Promise<string | null> {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? sha256Hex(token) : null;
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
}
