// "Continue on WhatsApp": the widget asks for a short code and opens wa.me/<business number> with the text
// "… PING-XXXXXX"; when that message arrives on WhatsApp (the inbound path calls linkHandoff), the WhatsApp
// contact and the website visitor's contact are merged (mergeContacts: conversations, labels and orders move to
// one contact), so the inbox shows one customer with both channels' history. A code works once, for 24 hours.
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Contact, getContact } from "../db/contacts";
import { livechatHandoffs } from "../db/schema";
import { mergeContacts } from "../crm/merge-contacts";

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const HANDOFF_TTL_MS = 24 * 60 * 60 * 1000;
const CODE_IN_TEXT = /\bPING-([A-HJ-NP-Z2-9]{6})\b/;

export function newHandoffCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

export async function createHandoff(db: Db, businessId: string, contactId: string, now = Date.now()): Promise<string> {
  for (;;) {
    const code = newHandoffCode();
    const row = await db.insert(livechatHandoffs).values({ businessId, code, contactId, createdAt: now }).onConflictDoNothing().returning().get();
    if (row) return code;
  }
}

export function waMeUrl(number: string, code: string, greeting: string): string {
  return `https://wa.me/${number}?text=${encodeURIComponent(`${greeting} PING-${code}`)}`;
}

/** The inbound path's hook: a WhatsApp message carrying an unused code links that visitor to this contact. */
export async function linkHandoff(db: Db, businessId: string, waContact: Contact, text: string | null, now = Date.now()): Promise<Contact | null> {
  const code = text ? CODE_IN_TEXT.exec(text.toUpperCase())?.[1] : undefined;
  if (!code) return null;
  const used = await db
    .update(livechatHandoffs)
    .set({ usedAt: now })
    .where(and(eq(livechatHandoffs.businessId, businessId), eq(livechatHandoffs.code, code), isNull(livechatHandoffs.usedAt), gt(livechatHandoffs.createdAt, now - HANDOFF_TTL_MS)))
    .returning()
    .get();
  if (!used || used.contactId === waContact.id) return null;
  const web = await getContact(db, businessId, used.contactId);
  if (!web) return null;
  return (await mergeContacts(db, businessId, waContact, web)) ?? null;
}
