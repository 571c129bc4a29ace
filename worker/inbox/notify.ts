// Telling agents about their part in a conversation: an @mention in a note or an assignment becomes a
// notification record (so it is there after a reload, on another device, or when the socket was down) and a
// `notification` event to that user's open inbox sockets only. Never to the person who caused it. Like
// publishInbox, a hub that is down costs a log line, never the note or the assignment.
import type { Db } from "../db/client";
import { addNotifications, type InboxNotification } from "../db/inbox-notifications";
import { inboxHub } from "../durable/stubs";
import type { InboxEvent } from "./events";

export type NotifyInput = {
  kind: InboxNotification["kind"];
  conversationId: string;
  /** The note that mentioned them. */
  noteId?: string | null;
  actor: { id: string; name: string } | null;
  /** What the agent reads: the note's text, or the conversation's contact for an assignment. */
  text: string;
};

export function notificationEvent(n: InboxNotification, actorName: string | null): InboxEvent {
  return {
    type: "notification",
    notification: { id: n.id, kind: n.kind, conversation_id: n.conversationId, text: n.text, actor_name: actorName, created_at: n.createdAt },
  };
}

/** Records and pushes one notification per user (minus the actor). Returns the records. */
export async function notifyUsers(env: Env, db: Db, businessId: string, userIds: string[], input: NotifyInput): Promise<InboxNotification[]> {
  const targets = [...new Set(userIds)].filter((id) => id !== input.actor?.id);
  const rows = await addNotifications(
    db,
    targets.map((userId) => ({
      businessId,
      userId,
      kind: input.kind,
      conversationId: input.conversationId,
      noteId: input.noteId ?? null,
      actorId: input.actor?.id ?? null,
      text: input.text.slice(0, 500),
    })),
  );
  const hub = inboxHub(env, businessId);
  await Promise.all(
    rows.map(async (n) => {
      try {
        await hub.publishToUser(businessId, n.userId, [notificationEvent(n, input.actor?.name ?? null)]);
      } catch (e) {
        console.warn(JSON.stringify({ level: "warn", msg: "inbox notification publish failed", business_id: businessId, error: String(e) }));
      }
    }),
  );
  return rows;
}
