// Counting visits of a referral link (/app/signup?ref=CODE) for the affiliate funnel, without personal data:
// one counter per referrer per day. A short-lived cookie holding only the code keeps a reload or a second look
// at the sign-up form from counting again; nothing identifies the visitor.
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { businessByReferralCode, countReferralClick } from "../db/affiliate";
import { database } from "../db/client";

const SEEN_COOKIE = "ping_ref_seen";

/** The day of `now` in Asia/Jakarta (UTC+7, no daylight saving), as YYYY-MM-DD. */
export const jakartaDay = (now: number) => new Date(now + 7 * 3_600_000).toISOString().slice(0, 10);

export async function countReferralVisit<E extends { Bindings: Env }>(c: Context<E>, code: string, now = Date.now()): Promise<void> {
  if (getCookie(c, SEEN_COOKIE) === code) return;
  try {
    const db = database(c.env.DB);
    const referrer = await businessByReferralCode(db, code);
    if (!referrer) return;
    await countReferralClick(db, referrer.id, jakartaDay(now));
    setCookie(c, SEEN_COOKIE, code, { path: "/app/signup", httpOnly: true, secure: new URL(c.req.url).protocol === "https:", sameSite: "Lax", maxAge: 86_400 });
  } catch (e) {
    // A counter must never cost a sign-up: the page is shown anyway.
    console.error(JSON.stringify({ level: "error", msg: "referral click not counted", error: String(e) }));
  }
}
