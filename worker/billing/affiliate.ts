// The affiliate program's rules around sign-up: referral codes, and refusing a referral to oneself.
import { businessByReferralCode, emailsOfBusiness } from "../db/affiliate";
import type { Db } from "../db/client";
import { findSessionUser } from "../db/sessions";
import { ApiError } from "../http/errors";

// No 0/O/1/I: codes are read aloud and typed from screenshots.
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

export function newReferralCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

/**
 * One mailbox, however it is written: lower case, no `+tag`, and for Gmail no dots (a.b+x@gmail.com is
 * ab@gmail.com), so a referrer cannot refer themself under an alias.
 */
export function canonicalEmail(email: string): string {
  const [local = "", domain = ""] = email.trim().toLowerCase().split("@");
  const base = local.split("+")[0] ?? "";
  const gmail = domain === "gmail.com" || domain === "googlemail.com";
  return `${gmail ? base.replaceAll(".", "") : base}@${gmail ? "gmail.com" : domain}`;
}

/**
 * The business a sign-up is referred by, or an error: an unknown code, or a self-referral — the sign-up's email
 * is (an alias of) one of the referrer's users, or the browser signing up holds a session of the referrer.
 */
export async function resolveReferrer(db: Db, code: string, email: string, sessionTokenHash: string | null, now: number): Promise<string> {
  const referrer = await businessByReferralCode(db, code);
  if (!referrer) throw new ApiError(400, "INVALID_REFERRAL_CODE", "Referral code not found");
  const mine = (await emailsOfBusiness(db, referrer.id)).map(canonicalEmail);
  const session = sessionTokenHash ? await findSessionUser(db, sessionTokenHash, now) : undefined;
  if (mine.includes(canonicalEmail(email)) || session?.businessId === referrer.id) {
    throw new ApiError(400, "SELF_REFERRAL", "A business cannot refer itself");
  }
  return referrer.id;
}
