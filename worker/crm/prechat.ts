// The website chat's pre-chat form (name, phone and/or email), for the live-chat issue to call when a
// visitor starts a chat: the visitor becomes (or merges into) a contact by phone, then email, and gets a
// conversation on the business's website-chat channel.
import { z } from "zod";
import { webChatChannel } from "../db/channels";
import type { Db } from "../db/client";
import { type Recorded, recordContact } from "../db/contacts";
import { type Conversation, upsertConversation } from "../db/conversations";
import { normalizePhone } from "../lib/phone";

export const PrechatForm = z.strictObject({
  visitor_id: z.string().min(8).max(100),
  name: z.string().trim().max(200).optional(),
  phone: z.string().trim().max(40).optional(),
  email: z.string().trim().max(254).pipe(z.email()).optional(),
});
export type PrechatForm = z.infer<typeof PrechatForm>;

export type PrechatResult = { ok: true; recorded: Recorded; conversation: Conversation } | { ok: false; reason: string };

export async function recordPrechat(db: Db, business: { id: string; country: string }, form: PrechatForm, now = Date.now()): Promise<PrechatResult> {
  let phone: string | null = null;
  if (form.phone) {
    const p = normalizePhone(form.phone, business.country);
    if (!p.ok) return { ok: false, reason: p.reason };
    phone = p.digits;
  }
  const recorded = await recordContact(db, business.id, {
    webVisitorId: form.visitor_id,
    phone,
    email: form.email?.toLowerCase() ?? null,
    name: form.name ?? null,
    source: "web_chat",
    at: now,
  });
  if (!recorded) return { ok: false, reason: "the form names nobody" };
  const channel = await webChatChannel(db, business.id);
  const conversation = await upsertConversation(db, business.id, channel, recorded.contact.id, now);
  return { ok: true, recorded, conversation };
}
