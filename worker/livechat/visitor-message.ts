// The inbound path of the website chat: what receiveInbound (worker/inbound/receive.ts) is for WhatsApp. A
// visitor's message is stored in `messages` (idempotent by the widget's client id), counted on the conversation
// (a resolved or snoozed conversation opens again), and published to the inbox in real time; outside business
// hours the business's out-of-office text answers once a day per conversation.
// Rows are addressed as addresses.ts says.
import type { ChatItem } from "../../widget/protocol";
import { type Business, getBusiness, isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { getConversationRow, noteInbound } from "../db/conversations";
import { ensureLivechatSettings } from "../db/livechat-settings";
import { insertMessageStatement, type Message } from "../db/messages";
import { decideAutoReply } from "../inbound/auto-reply";
import { replyOnConversation } from "../crm/conversation-reply";
import { conversationUpdated, messageCreated, publishInbox } from "../inbox/publish";
import { webChatJid, webDeviceKey } from "./addresses";
import { assignOnInbound } from "./round-robin";
import { parseConfig, withinHours } from "./settings";

/** Who the chat object speaks for, set by the Worker when the visitor connects (from the verified token). */
export type WebChatMeta = { businessId: string; conversationId: string; channelId: string; visitorId: string };


export async function receiveWebMessage(env: Env, meta: WebChatMeta, m: { cid: string; text: string; at: number; media?: ChatItem["media"] }): Promise<void> {
  const db = database(env.DB);
  const [inserted] = await db.batch([
    insertMessageStatement(db, {
      id: crypto.randomUUID(),
      businessId: meta.businessId,
      deviceKey: webDeviceKey(meta.channelId),
      direction: "in",
      idempotencyKey: `in:web:${meta.conversationId}:${m.cid}`,
      to: webChatJid(meta.visitorId),
      text: m.text,
      content: m.media
        ? { kind: m.media.mime === "application/pdf" ? "document" : "image", sender_jid: webChatJid(meta.visitorId), sender_name: null, media: { url: m.media.url, mime_type: m.media.mime, file_name: m.media.name } }
        : { kind: "text", sender_jid: webChatJid(meta.visitorId), sender_name: null },
      source: "inbound",
      status: "delivered",
      providerMessageId: m.cid,
      conversationId: meta.conversationId,
      createdAt: m.at,
    }),
  ]);
  const message = inserted[0];
  // Stored before (a retry of a write whose answer was lost): nothing more to do.
  if (!message) return;
  const counted = await noteInbound(db, meta.conversationId, m.at, m.text);
  await publishInbox(env, meta.businessId, [
    messageCreated(message, { phone: null }),
    ...(counted ? [conversationUpdated(counted, webChatJid(meta.visitorId))] : []),
  ]);
  const business = await getBusiness(db, meta.businessId);
  if (!business) return;
  await afterInbound(env, meta, business, m.at, counted?.assigneeId ?? null);
  await autoReply(env, meta, business, message);
}

/**
 * The same auto-reply as a WhatsApp message gets (worker/inbound/auto-reply.ts: opt-out, keyword replies, then
 * the AI agent for the website chat when it is on), answered on this conversation. The AI answers later through
 * its own object; a keyword reply goes out now, idempotent by the message id.
 */
async function autoReply(env: Env, meta: WebChatMeta, business: Business, message: Message): Promise<void> {
  if (!isPackageActive(business)) return;
  const reply = await decideAutoReply({ env, business, device: null, channelId: meta.channelId, message, chatJid: webChatJid(meta.visitorId), senderName: null });
  if (!reply) return;
  const db = database(env.DB);
  const row = await getConversationRow(db, business.id, meta.conversationId);
  if (row) await replyOnConversation(env, db, business, row, { text: reply.text, idempotencyKey: `auto_reply:${message.id}`, source: "auto_reply" });
}

/** Auto-assignment of an unassigned conversation, then the out-of-office reply outside business hours. */
async function afterInbound(env: Env, meta: WebChatMeta, business: Business, at: number, assignee: string | null): Promise<void> {
  const db = database(env.DB);
  await assignOnInbound(env, db, { businessId: business.id, conversationId: meta.conversationId, assigneeId: assignee }, at);
  const cfg = parseConfig((await ensureLivechatSettings(db, business.id)).config);
  if (withinHours(cfg, business.timezone, at) || !cfg.out_of_office) return;
  const row = await getConversationRow(db, business.id, meta.conversationId);
  if (!row) return;
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: business.timezone }).format(new Date(at));
  await replyOnConversation(env, db, business, row, { text: cfg.out_of_office, idempotencyKey: `auto_reply:ooo:${meta.conversationId}:${day}`, source: "auto_reply" });
}

/** The visitor is typing: the inbox shows it (fire-and-forget, like every inbox publish). */
export async function webTyping(env: Env, meta: WebChatMeta): Promise<void> {
  await publishInbox(env, meta.businessId, [{ type: "conversation.typing", conversation_id: meta.conversationId }]);
}
