// The website-chat branch of replyOnConversation: the reply is stored in `messages` (idempotent by its key, the
// same rows the inbox lists) and handed to the conversation's chat object, which appends it once (by message id)
// and pushes it to the visitor's open widgets. The hand-off runs on every call, created or replayed, so a retry
// after a failed hand-off delivers what the first attempt stored.
import type { Business } from "../db/businesses";
import type { Db } from "../db/client";
import { type ConversationRow, noteOutboundIfStatement } from "../db/conversations";
import { getMessageByKey, insertMessageStatement, type Message } from "../db/messages";
import { liveChat } from "../durable/stubs";
import { ApiError } from "../http/errors";
import { messageCreated, publishInbox } from "../inbox/publish";
import type { ConversationReply } from "../crm/conversation-reply";
import { sendMail } from "../mail/send";
import { webChatJid, webDeviceKey } from "./addresses";

/** The email a visitor gets when the business answers while their chat is closed. A failure is only logged. */
async function emailReply(env: Env, business: Business, to: string, text: string): Promise<void> {
  try {
    await sendMail(env, {
      to,
      subject: `${business.name}: balasan chat / chat reply`,
      text: `${text}\n\n— ${business.name}\n(Balas lewat chat di website kami. / Reply through the chat on our website.)`,
    });
  } catch (e) {
    console.warn(JSON.stringify({ level: "warn", msg: "web chat reply email failed", business_id: business.id, error: String(e) }));
  }
}

export async function replyOnWebChat(env: Env, db: Db, business: Business, row: ConversationRow, reply: ConversationReply): Promise<{ message: Message; created: boolean }> {
  const visitor = row.contact.webVisitorId;
  if (!visitor) throw new ApiError(409, "NO_WEB_VISITOR", "This contact has no website-chat visitor to reply to");
  const now = Date.now();
  const id = crypto.randomUUID();
  // One round trip: the row and the conversation's preview (only when this batch created the row).
  const [inserted] = await db.batch([
    insertMessageStatement(db, {
      id,
      businessId: business.id,
      deviceKey: webDeviceKey(row.channel.id),
      direction: "out",
      idempotencyKey: reply.idempotencyKey,
      to: webChatJid(visitor),
      text: reply.text,
      content: { kind: "text" },
      source: reply.source,
      status: "delivered",
      conversationId: row.conversation.id,
      createdAt: now,
    }),
    noteOutboundIfStatement(db, row.conversation.id, id, now, reply.text),
  ]);
  const created = inserted[0];
  const message = created ?? (await getMessageByKey(db, business.id, reply.idempotencyKey));
  if (!message) throw new Error("web chat reply vanished");
  // The visitor first (what they wait for), then the inbox.
  const open = await liveChat(env, row.conversation.id).deliver({ id: message.id, text: message.text ?? "", at: message.createdAt });
  if (created) await publishInbox(env, business.id, [messageCreated(message, { phone: null })]);
  // Offline visitor (no widget open) who left an email: the reply also goes by email, once (first attempt only).
  if (created && open === 0 && row.contact.email) await emailReply(env, business, row.contact.email, reply.text);
  return { message, created: created !== undefined };
}
