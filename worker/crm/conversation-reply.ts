// Every reply INTO a conversation (an agent from the inbox, the AI agent, an auto-reply, a campaign step) goes
// out through this one function, on the conversation's own channel: a WhatsApp conversation through the send
// pipeline (composeAndQueue → queue → DeviceSession), a website-chat conversation to the visitor's chat object.
// Callers never pick a provider. The idempotency key makes a redelivered turn or a retried request one message.
import type { Business } from "../db/businesses";
import type { Db } from "../db/client";
import { type ConversationRow, noteOutbound } from "../db/conversations";
import type { Message } from "../db/messages";
import { ApiError } from "../http/errors";
import { composeAndQueue } from "../messaging/compose";
import { replyOnWebChat } from "../livechat/reply";

export type ConversationReply = {
  text: string;
  /** Unique per reply: `agent:<conversation>:<key>`, `ai:<turn id>`, `auto_reply:<message id>`… */
  idempotencyKey: string;
  source: Message["source"];
};

// (An agent's reply also silences the bot: the reply route does it with the business's setting, worker/ai/bot-state.ts.)
export async function replyOnConversation(env: Env, db: Db, business: Business, row: ConversationRow, reply: ConversationReply): Promise<{ message: Message; created: boolean }> {
  if (row.channel.kind === "web") return replyOnWebChat(env, db, business, row, reply);
  if (row.channel.kind !== "whatsapp" || !row.conversation.deviceKey) {
    throw new ApiError(409, "CHANNEL_NOT_SUPPORTED", "Replies on this channel are not available yet");
  }
  if (!row.contact.waJid) throw new ApiError(409, "NO_WHATSAPP_ID", "This contact has no WhatsApp id to reply to");
  const result = await composeAndQueue(env, db, business, {
    deviceKey: row.conversation.deviceKey,
    to: row.contact.waJid,
    isGroup: row.contact.isGroup,
    content: { kind: "text", text: reply.text },
    idempotencyKey: reply.idempotencyKey,
    source: reply.source,
    conversationId: row.conversation.id,
  });
  if (result.created) await noteOutbound(db, row.conversation.id, result.message.createdAt, reply.text);
  return result;
}
