// The real-time inbox channel's frames (server → client), one zod schema each. The hub parses every event
// it is asked to publish against these, so nothing reaches a browser in a shape this file does not name.
import { z } from "zod";
import { INBOX_NOTIFICATION_KINDS, MESSAGE_STATUSES } from "../db/schema";

export const InboxMessage = z.object({
  id: z.string(),
  conversation_id: z.string().nullable(),
  device_key: z.string(),
  direction: z.enum(["in", "out"]),
  /** The chat (the customer's `62…@s.whatsapp.net`, or a group's `…@g.us`): what the inbox groups by. */
  chat_jid: z.string(),
  /** Sender's JID; for outbound the device's number when known. */
  from: z.string().nullable(),
  /** Recipient's JID; for inbound the device's number when known. */
  to: z.string().nullable(),
  sender_name: z.string().nullable(),
  text: z.string().nullable(),
  status: z.enum(MESSAGE_STATUSES),
  created_at: z.number(),
});

export const MessageCreated = z.object({ type: z.literal("message.created"), message: InboxMessage });

export const MessageStatusChanged = z.object({
  type: z.literal("message.status"),
  message: z.object({
    id: z.string(),
    device_key: z.string(),
    status: z.enum(MESSAGE_STATUSES),
    error: z.string().nullable().optional(),
  }),
});

export const ConversationUpdated = z.object({
  type: z.literal("conversation.updated"),
  conversation: z.object({
    id: z.string(),
    device_key: z.string(),
    chat_jid: z.string(),
    unread_count: z.number().int().min(0),
    last_message_at: z.number(),
  }),
});

// Live chat (issue 13): the website visitor is typing in this conversation.
export const ConversationTyping = z.object({ type: z.literal("conversation.typing"), conversation_id: z.string() });

// Inbox notifications (issue 13): sent only to the sockets of the user it is for (an @mention, an assignment).
export const NotificationCreated = z.object({
  type: z.literal("notification"),
  notification: z.object({
    id: z.string(),
    kind: z.enum(INBOX_NOTIFICATION_KINDS),
    conversation_id: z.string(),
    text: z.string(),
    actor_name: z.string().nullable(),
    created_at: z.number(),
  }),
});

// An internal note was added to a conversation (every agent of the business with the thread open sees it).
export const NoteCreated = z.object({
  type: z.literal("note.created"),
  note: z.object({ id: z.string(), conversation_id: z.string(), author_id: z.string().nullable(), text: z.string(), created_at: z.number() }),
});

// An agent changed the conversation's status, snooze, assignee, priority or labels (PATCH): open inboxes follow.
export const ConversationChanged = z.object({
  type: z.literal("conversation.changed"),
  conversation: z.object({
    id: z.string(),
    status: z.string(),
    snooze_until: z.number().nullable(),
    assignee_id: z.string().nullable(),
    priority: z.string(),
    labels: z.array(z.object({ id: z.string() })),
  }),
});

export const InboxEvent = z.discriminatedUnion("type", [MessageCreated, MessageStatusChanged, ConversationUpdated, ConversationTyping, NotificationCreated, NoteCreated, ConversationChanged]);
export type InboxEvent = z.infer<typeof InboxEvent>;
export type InboxMessage = z.infer<typeof InboxMessage>;

/** Frames a client may send: only a keep-alive, answered by the hub without waking (auto-response). */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

/** Parses a frame from the channel (tests and any TypeScript client); null when it is not an inbox event. */
export function parseInboxEvent(data: string): InboxEvent | null {
  try {
    const r = InboxEvent.safeParse(JSON.parse(data));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
