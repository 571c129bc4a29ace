// Account recovery by email: password reset (30 minutes, single use, every session ended) and verification of a
// new account's address. Tokens are 256-bit random, sent only by email, stored only as SHA-256.
import type { Db } from "../db/client";
import { consumeAuthToken, insertAuthToken, voidAuthTokens } from "../db/auth-tokens";
import type { AuthTokenPurpose } from "../db/schema";
import type { User } from "../db/users";
import { translator, type Locale } from "../dashboard/i18n";
import { randomToken, sha256Hex } from "../lib/crypto";
import { sendMail, type SentMail } from "../mail/send";

export const RESET_TTL_MS = 30 * 60_000;
export const VERIFY_TTL_MS = 7 * 24 * 3600_000;

const TTL: Record<AuthTokenPurpose, number> = { password_reset: RESET_TTL_MS, email_verification: VERIFY_TTL_MS };
const PAGE: Record<AuthTokenPurpose, string> = { password_reset: "/app/reset-password", email_verification: "/app/verify-email" };

async function issue(db: Db, userId: string, purpose: AuthTokenPurpose, now: number): Promise<string> {
  const token = randomToken(32);
  await insertAuthToken(db, { tokenHash: await sha256Hex(token), userId, purpose, expiresAt: now + TTL[purpose] });
  return token;
}

/** The link in the email: the token travels in the fragment-free query of a page that POSTs it (never a GET that acts). */
function link(env: Pick<Env, "PUBLIC_BASE_URL">, purpose: AuthTokenPurpose, token: string): string {
  return `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}${PAGE[purpose]}?token=${encodeURIComponent(token)}`;
}

/** Creates a token and emails its link to the user, in the user's language. */
export async function emailToken(env: Env, db: Db, user: User, purpose: AuthTokenPurpose, locale: Locale): Promise<SentMail> {
  const token = await issue(db, user.id, purpose, Date.now());
  const t = translator(locale);
  const url = link(env, purpose, token);
  const [subject, intro] =
    purpose === "password_reset" ? [t("mail_reset_subject"), t("mail_reset_body")] : [t("mail_verify_subject"), t("mail_verify_body")];
  return sendMail(env, {
    to: user.email,
    subject,
    text: `${t("mail_greeting")} ${user.name},\n\n${intro}\n\n${url}\n\n${t("mail_ignore")}`,
  });
}

/** The user a token belongs to, using it up; undefined for an unknown, used or expired token. */
export async function redeemToken(db: Db, token: string, purpose: AuthTokenPurpose, now: number): Promise<string | undefined> {
  const userId = await consumeAuthToken(db, await sha256Hex(token), purpose, now);
  if (userId && purpose === "password_reset") await voidAuthTokens(db, userId, purpose, now);
  return userId;
}
