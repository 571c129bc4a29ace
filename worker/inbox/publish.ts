// Publishing to a business's InboxHub. Always fire-and-forget for the caller: a hub that is down or slow
// costs a log line, never a failed send, a lost inbound message or a slower pipeline.
import type { Conversation } from "../db/conversations";
import type { Device } from "../db/devices";
import type { Message } from "../db/messages";
import { inboxHub } from "../durable/stubs";
import { toJid } from "../lib/phone";
import type { InboxEvent, InboxMessage } from "./events";

export type WaitUntil = (p: Promise<unknown>) => void;

/** One RPC to the hub for any number of events; the returned promise never rejects. */
export async function publishInbox(env: Env, businessId: string, events: InboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await inboxHub(env, businessId).publish(businessId, events);
  } catch (e) {
    console.warn(JSON.stringify({ level: "warn", msg: "inbox publish failed", business_id: businessId, error: String(e) }));
  }
}

function deviceJid(device: Pick<Device, "phone">): string | null {
  return device.phone ? toJid(device.phone.replace(/\D/g, "")) : null;
}

export function messageCreated(m: Message, device: Pick<Device, "phone">): InboxEvent {
  const senderJid = typeof m.content?.sender_jid === "string" ? m.content.sender_jid : null;
  const senderName = typeof m.content?.sender_name === "string" ? m.content.sender_name : null;
  const message: InboxMessage = {
    id: m.id,
    conversation_id: m.conversationId,
    device_key: m.deviceKey,
    direction: m.direction,
    chat_jid: m.to,
    from: m.direction === "in" ? (senderJid ?? m.to) : deviceJid(device),
    to: m.direction === "in" ? deviceJid(device) : m.to,
    sender_name: m.direction === "in" ? senderName : null,
    text: m.text,
    status: m.status,
    created_at: m.createdAt,
  };
  return { type: "message.created", message };
}

export function conversationUpdated(c: Conversation, chatJid: string): InboxEvent {
  return {
    type: "conversation.updated",
    conversation: { id: c.id, device_key: c.deviceKey ?? "", chat_jid: chatJid, unread_count: c.unreadCount, last_message_at: c.lastMessageAt },
  };
}
