// The auto-reply of a website visitor's message as an `inbound_effects` row (kind `web_auto_reply`), written in
// the message's own D1 batch (worker/livechat/web-store.ts): the chat object drives it right after the write, and
// the cron sweep re-drives it if a crash came between the insert and the decision. Running it twice answers once:
// the reply's idempotency key is `auto_reply:<message id>` (replyOnWebChat stores it once and the chat object
// appends it once by message id), and a keyword rule's cooldown is claimed per message.
import { z } from "zod";
import { getBusiness, isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { getConversationRow } from "../db/conversations";
import type { InboundEffect, NewInboundEffect } from "../db/inbound-effects";
import { getMessage } from "../db/messages";
import { replyOnConversation } from "../crm/conversation-reply";
import { decideAutoReply } from "../inbound/auto-reply";
import { webChatJid, webDeviceKey } from "./addresses";

/** The live path has this long to run the effect before the sweep may take it (the same grace as WhatsApp's). */
const GRACE_MS = 60_000;

const Payload = z.object({ chat_jid: z.string(), channel_id: z.string() });

export function webAutoReplyEffect(
  m: { businessId: string; channelId: string; visitorId: string; conversationId: string; messageId: string; cid: string },
  now: number,
): NewInboundEffect {
  return {
    id: `web_auto_reply:${m.conversationId}:${m.cid}`,
    businessId: m.businessId,
    deviceKey: webDeviceKey(m.channelId),
    messageId: m.messageId,
    kind: "web_auto_reply",
    payload: { chat_jid: webChatJid(m.visitorId), channel_id: m.channelId },
    nextAt: now + GRACE_MS,
  };
}

/** Decides and sends the reply. Throws when it should be tried again (D1 or the chat object unavailable). */
export async function runWebAutoReply(env: Env, e: Pick<InboundEffect, "id" | "businessId" | "messageId" | "payload">): Promise<void> {
  const p = Payload.safeParse(e.payload);
  if (!p.success) {
    console.error(JSON.stringify({ level: "error", msg: "web auto-reply effect unreadable; dropped", id: e.id }));
    return;
  }
  const db = database(env.DB);
  const [business, message] = await Promise.all([getBusiness(db, e.businessId), getMessage(db, e.businessId, e.messageId)]);
  // The business, its package or the message went away since: nothing left to answer.
  if (!business || !isPackageActive(business) || !message?.conversationId) return;
  const reply = await decideAutoReply({
    env,
    business,
    device: null,
    channelId: p.data.channel_id,
    message,
    chatJid: p.data.chat_jid,
    senderName: null,
  });
  if (!reply) return;
  const row = await getConversationRow(db, business.id, message.conversationId);
  if (row)
    await replyOnConversation(env, db, business, row, {
      text: reply.text,
      idempotencyKey: `auto_reply:${message.id}`,
      source: "auto_reply",
    });
}
