// A reply to a website visitor who has no chat open: it reaches them where they said (the offline / pre-chat
// form). A WhatsApp number goes first — the reply is sent on WhatsApp through the normal send pipeline
// (composeAndQueue → queue → DeviceSession) from the business's chat number (`whatsapp_number` in the settings)
// or else its one connected device, idempotent by the reply's id, so a retried reply is one WhatsApp message.
// Without a number (or with no device to send from) an email address gets it by email, once per reply.
import { and, eq } from "drizzle-orm";
import type { Business } from "../db/businesses";
import type { Db } from "../db/client";
import type { ConversationRow } from "../db/conversations";
import { getLivechatSettings } from "../db/livechat-settings";
import type { Message } from "../db/messages";
import { devices } from "../db/schema";
import { composeAndQueue } from "../messaging/compose";
import { sendMail } from "../mail/send";
import { parseConfig } from "./settings";

function warn(msg: string, business: Business, e: unknown): void {
  console.warn(JSON.stringify({ level: "warn", msg, business_id: business.id, error: String(e) }));
}

/** The device the chat's WhatsApp number belongs to, if the business has one on Ping. */
async function chatNumberDevice(db: Db, business: Business): Promise<string | null> {
  const number = parseConfig((await getLivechatSettings(db, business.id))?.config ?? {}).whatsapp_number;
  if (!number) return null;
  const d = await db
    .select({ key: devices.deviceKey })
    .from(devices)
    .where(and(eq(devices.businessId, business.id), eq(devices.phone, number)))
    .get();
  return d?.key ?? null;
}

/** Sent or queued on WhatsApp: true; no number or nothing to send from: false (the caller tries email). */
async function whatsappReply(env: Env, db: Db, business: Business, phone: string, reply: Message): Promise<boolean> {
  try {
    const deviceKey = await chatNumberDevice(db, business);
    await composeAndQueue(env, db, business, {
      // null: the business's one connected device (resolveDevice refuses when that is ambiguous).
      deviceKey,
      to: phone,
      isGroup: false,
      content: { kind: "text", text: `${reply.text ?? ""}\n\n— ${business.name} (chat website)` },
      idempotencyKey: `webchat_wa:${reply.id}`,
      source: reply.source,
    });
    return true;
  } catch (e) {
    warn("web chat reply by WhatsApp failed", business, e);
    return false;
  }
}

async function emailReply(env: Env, business: Business, to: string, text: string): Promise<void> {
  try {
    await sendMail(env, {
      to,
      subject: `${business.name}: balasan chat / chat reply`,
      text: `${text}\n\n— ${business.name}\n(Balas lewat chat di website kami. / Reply through the chat on our website.)`,
    });
  } catch (e) {
    warn("web chat reply email failed", business, e);
  }
}

/**
 * Called after a reply found no open widget. `created`: this call stored the reply (the email goes only then;
 * the WhatsApp send is idempotent, so a retry that failed before queueing it queues it now).
 */
export async function replyOffline(
  env: Env,
  db: Db,
  business: Business,
  row: ConversationRow,
  reply: Message,
  created: boolean,
): Promise<void> {
  if (row.contact.phone && (await whatsappReply(env, db, business, row.contact.phone, reply))) return;
  if (created && row.contact.email) await emailReply(env, business, row.contact.email, reply.text ?? "");
}
