// The inbound path of the website chat: what receiveInbound (worker/inbound/receive.ts) is for WhatsApp, driven
// by the conversation's chat object (worker/durable/live-chat.ts). The message is written to D1 in one batch with
// its conversation count and auto-reply effect (web-store.ts), the inbox hears of it (one InboxHub call), and only
// then come the slower steps, none of which holds up the inbox: auto-assignment, the out-of-office reply outside
// business hours (once a day per conversation), and the auto-reply effect (keyword rules, the AI agent), which
// the cron sweep re-drives if the object dies before it ran. Rows are addressed as addresses.ts says.
import { getBusiness } from "../db/businesses";
import { database } from "../db/client";
import { getConversationRow } from "../db/conversations";
import { replyOnConversation } from "../crm/conversation-reply";
import { driveEffects } from "../inbound/effects";
import { conversationUpdated, messageCreated, publishInbox } from "../inbox/publish";
import { webChatJid } from "./addresses";
import { assignWithConfig } from "./round-robin";
import { withinHours } from "./settings";
import type { ChatHot, Stored, WebChatMeta } from "./web-store";

export type { WebChatMeta } from "./web-store";

/** The inbox hears of the stored messages and the conversation's new count in one call. */
export async function publishWebMessages(env: Env, meta: WebChatMeta, stored: Stored): Promise<void> {
  const c = stored.conversation;
  await publishInbox(env, meta.businessId, [
    ...stored.messages.map((m) => messageCreated(m, { phone: null })),
    ...(c ? [conversationUpdated(c, webChatJid(meta.visitorId))] : []),
  ]);
}

/** Round-robin for an unassigned conversation, when the business turned it on. Never throws. */
export async function assignWebConversation(env: Env, meta: WebChatMeta, hot: ChatHot, stored: Stored): Promise<string | null> {
  const c = stored.conversation;
  if (!c || c.assigneeId || !hot.cfg.auto_assign) return null;
  return assignWithConfig(env, database(env.DB), { businessId: meta.businessId, conversationId: meta.conversationId }, hot.cfg, c.lastInboundAt ?? Date.now());
}

/**
 * Outside business hours the out-of-office text answers once per conversation per local day (idempotency key
 * `auto_reply:ooo:<conversation>:<date>`). Returns the local day answered, so the chat object can skip the
 * D1 work for the rest of the day; null when nothing was due.
 */
export async function outOfOffice(env: Env, meta: WebChatMeta, hot: ChatHot, at: number, answeredDay: string | null): Promise<string | null> {
  if (!hot.active || withinHours(hot.cfg, hot.timezone, at) || !hot.cfg.out_of_office) return null;
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: hot.timezone }).format(new Date(at));
  if (day === answeredDay) return null;
  const db = database(env.DB);
  const [business, row] = await Promise.all([getBusiness(db, meta.businessId), getConversationRow(db, meta.businessId, meta.conversationId)]);
  if (!business || !row) return null;
  await replyOnConversation(env, db, business, row, { text: hot.cfg.out_of_office, idempotencyKey: `auto_reply:ooo:${meta.conversationId}:${day}`, source: "auto_reply" });
  return day;
}

/** Runs the auto-reply effects this write created (a failure is deferred to the sweep inside driveEffects). */
export async function runWebEffects(env: Env, stored: Stored): Promise<void> {
  if (stored.effects.length === 0) return;
  await driveEffects(env, stored.effects, null, Date.now());
}

/** The visitor is typing: the inbox shows it (fire-and-forget, like every inbox publish). */
export async function webTyping(env: Env, meta: WebChatMeta): Promise<void> {
  await publishInbox(env, meta.businessId, [{ type: "conversation.typing", conversation_id: meta.conversationId }]);
}
