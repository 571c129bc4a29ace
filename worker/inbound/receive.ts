// The one inbound path, for every provider (gateway, Cloud API webhook, sandbox chat, the seed's callback):
// dedupe on the provider's message id, upsert contact and conversation, update the inbox in real time,
// forward to the device webhook, then hand to auto-reply.
import { getBusiness, isPackageActive, type Business } from "../db/businesses";
import { database } from "../db/client";
import { noteInbound } from "../db/conversations";
import type { Device } from "../db/devices";
import { insertEffectStatements } from "../db/inbound-effects";
import { replyStatement } from "../db/campaign-enrollments";
import { getMessageByKey, insertMessageStatement, type Message } from "../db/messages";
import { contactConversation } from "../crm/inbound-contact";
import { linkHandoff } from "../livechat/handoff";
import { assignOnInbound } from "../livechat/round-robin";
import { conversationUpdated, messageCreated, publishInbox, type WaitUntil } from "../inbox/publish";
import { type AutoReply, decideAutoReply } from "./auto-reply";
import type { DeviceWebhookJob, DeviceWebhookPayload } from "./device-webhook";
import { autoReplyEffect, driveEffects, effectId, forwardEffect } from "./effects";
import { fileCategory, mediaUrl, type StoredMedia } from "./media";

export type InboundKind = "text" | "image" | "video" | "audio" | "document" | "sticker" | "reaction" | "location" | "other";

export type Inbound = {
  providerMessageId: string;
  /** The chat: `62…@s.whatsapp.net`, or the group's `…@g.us`. */
  chatJid: string;
  senderJid: string;
  senderName: string | null;
  /** Epoch ms. */
  timestamp: number;
  kind: InboundKind;
  text: string | null;
  media?: StoredMedia;
  isGroup: boolean;
  isEphemeral: boolean;
};

export type InboundResult = { duplicate: boolean; message: Message | null; reply: AutoReply | null; business: Business | null };

export function phoneOfJid(jid: string): string {
  return jid.split("@")[0]?.split(":")[0] ?? jid;
}

function webhookPayload(env: Env, device: Device, m: Inbound): DeviceWebhookPayload {
  const payload: DeviceWebhookPayload = {
    device_key: device.deviceKey,
    name: m.senderName ?? "",
    from: phoneOfJid(m.senderJid),
    message: m.text && m.text.length > 0 ? m.text : null,
    type: m.isGroup ? "group" : "single",
  };
  if (m.media) {
    payload.file_url = mediaUrl(env, device.businessId, m.media.media_id);
    payload.file_type = m.media.mime_type;
    payload.file_size = m.media.size;
    payload.file_category = fileCategory(m.media.mime_type);
  }
  return payload;
}

function forwardJob(env: Env, device: Device, m: Inbound, messageId: string, now: number): DeviceWebhookJob {
  return {
    v: 1,
    event_id: `msg_${messageId}`,
    business_id: device.businessId,
    device_key: device.deviceKey,
    payload: webhookPayload(env, device, m),
    timestamp: Math.floor(now / 1000),
  };
}

/** The seed: no webhook for reactions, stickers, disappearing messages, an inactive package or no URL. */
function shouldForward(business: Business, device: Device, m: Inbound): boolean {
  if (!device.webhookUrl || !isPackageActive(business)) return false;
  if (m.kind === "reaction" || m.kind === "sticker" || m.isEphemeral) return false;
  return m.text !== null || m.media !== undefined;
}

/**
 * Stores and forwards one inbound message and asks auto-reply. With `sendReply` (every real arrival) the
 * reply is queued for sending, idempotent by the inbound message; the seed's callback only reports it.
 */
export async function receiveInbound(
  env: Env,
  device: Device,
  m: Inbound,
  opts: { sendReply: boolean; /** Runs the inbox publish after the response; without it the publish is awaited. */ waitUntil?: WaitUntil },
): Promise<InboundResult> {
  const db = database(env.DB);
  const business = await getBusiness(db, device.businessId);
  if (!business) return { duplicate: false, message: null, reply: null, business: null };
  const now = Date.now();
  const { contact, conversation } = await contactConversation(db, device, m, now);
  // Live chat's "Continue on WhatsApp" (issue 13): a code from the website chat links the two contacts.
  if (!m.isGroup) await linkHandoff(db, business.id, contact, m.text, now);
  const id = crypto.randomUUID();
  // The forward and the auto-reply decision are outbox rows written in the message's own batch: a crash after
  // the insert cannot lose them (the cron sweep re-drives them), and a redelivery (deduped) cannot repeat them.
  const effects = [
    ...(shouldForward(business, device, m)
      ? [forwardEffect(effectId("forward", device.deviceKey, m.providerMessageId), forwardJob(env, device, m, id, now), id, now)]
      : []),
    ...(opts.sendReply && m.kind !== "reaction" && m.kind !== "sticker" && isPackageActive(business)
      ? [autoReplyEffect(effectId("auto_reply", device.deviceKey, m.providerMessageId), { businessId: business.id, deviceKey: device.deviceKey, messageId: id, chatJid: m.chatJid, senderName: m.senderName }, now)]
      : []),
  ];
  const [inserted] = await db.batch([
    insertMessageStatement(db, {
      id,
      businessId: business.id,
      deviceKey: device.deviceKey,
      direction: "in",
      idempotencyKey: `in:${device.deviceKey}:${m.providerMessageId}`,
      to: m.chatJid,
      text: m.text,
      content: {
        kind: m.kind,
        sender_jid: m.senderJid,
        sender_name: m.senderName,
        // When the customer sent it (the AI agent does not answer backlog delivered late after a reconnect).
        sent_at: m.timestamp,
        ...(m.media ? { media: { ...m.media, url: mediaUrl(env, business.id, m.media.media_id) } } : {}),
      },
      source: "inbound",
      status: "delivered",
      providerMessageId: m.providerMessageId,
      conversationId: conversation.id,
      createdAt: now,
    }),
    ...insertEffectStatements(db, effects, now),
    // A reply ends the contact's campaign sequences that exit on reply, and answers "no reply since" (issue 11).
    ...(m.isGroup ? [] : [replyStatement(db, business.id, contact.id, id, now)]),
  ]);
  const message = inserted[0];
  if (!message) {
    // The same provider message again (gateway resend, Meta retry): already stored, forwarded and answered.
    // A dry run (the seed's callback, often replayed with the docs' example id) still reports the reply.
    if (opts.sendReply) return { duplicate: true, message: null, reply: null, business };
    const stored = await getMessageByKey(db, business.id, `in:${device.deviceKey}:${m.providerMessageId}`);
    const reply = stored && isPackageActive(business) ? await decideAutoReply({ env, business, device, message: stored, chatJid: m.chatJid, senderName: m.senderName }) : null;
    return { duplicate: true, message: stored ?? null, reply, business };
  }
  const counted = await noteInbound(db, conversation.id, now, m.text ?? (m.media ? `[${m.kind}]` : null));
  // Issue 13: round-robin to an online agent, as for the website chat (only when the business turned it on).
  await assignOnInbound(env, db, { businessId: business.id, conversationId: conversation.id, assigneeId: (counted ?? conversation).assigneeId }, now);
  // Live inbox: the new message and the conversation's unread count, one RPC; a failure is only logged.
  const live = publishInbox(env, business.id, [messageCreated(message, device), conversationUpdated(counted ?? conversation, m.chatJid)]);
  if (opts.waitUntil) opts.waitUntil(live);
  else await live;

  const driven = await driveEffects(env, effects, { business, device, message }, now);
  // The seed's callback (no sendReply) only reports what the reply would be.
  const reply = opts.sendReply || m.kind === "reaction" || m.kind === "sticker" || !isPackageActive(business)
    ? driven
    : await decideAutoReply({ env, business, device, message, chatJid: m.chatJid, senderName: m.senderName });
  return { duplicate: false, message, reply, business };
}
