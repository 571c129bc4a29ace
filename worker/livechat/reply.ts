// The website-chat branch of replyOnConversation: the reply is stored in `messages` (idempotent by its key, the
// same rows the inbox lists) and handed to the conversation's chat object, which appends it once (by message id)
// and pushes it to the visitor's open widgets. The hand-off runs on every call, created or replayed, so a retry
// after a failed hand-off delivers what the first attempt stored. A visitor with no widget open gets the reply by
// WhatsApp or email (offline-reply.ts).
import type { Business } from "../db/businesses";
import type { Db } from "../db/client";
import { type ConversationRow, noteOutboundIfStatement } from "../db/conversations";
import { getMessageByKey, insertMessageStatement, type Message } from "../db/messages";
import { liveChat } from "../durable/stubs";
import { ApiError } from "../http/errors";
import { messageCreated, publishInbox } from "../inbox/publish";
import type { ConversationReply } from "../crm/conversation-reply";
import { webChatJid, webDeviceKey } from "./addresses";
import { replyOffline } from "./offline-reply";

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
  // Offline visitor (no widget open): by WhatsApp or email, as they left in the form (offline-reply.ts).
  if (open === 0) await replyOffline(env, db, business, row, message, created !== undefined);
  return { message, created: created !== undefined };
}
