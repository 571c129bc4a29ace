// Which of a publish's events a limited viewer's socket receives: the inbox's one visibility rule
// (./visibility.ts, `canSee`) applied to the live channel, so a staff member's socket carries no text of a
// conversation the API would answer 404 for. Admins, API keys and staff of a business with `staff_see_all` get
// every event. Status events carry no content (a message id and its state) and pass; a message outside any
// conversation (an API send with no chat yet) is visible on the messages page to staff too, and passes.
import { roleAtLeast } from "../auth/roles";
import { ROLES, type Role } from "../db/schema";
import type { InboxEvent } from "./events";
import { canSee } from "./visibility";

/** The user whose view is limited, or null (sees all) — before the business's `staff_see_all` is considered. */
export function limitedUser(who: { role: string; user_id: string | null }): string | null {
  const role = ROLES.find((r): r is Role => r === who.role) ?? "staff";
  return !roleAtLeast(role, "admin") && who.user_id ? who.user_id : null;
}

/**
 * The conversation an event shows content of, or null when it carries none of a conversation. Exhaustive: a new
 * event type does not compile until it is classified here.
 */
export function conversationOf(e: InboxEvent): string | null {
  switch (e.type) {
    case "message.created":
      return e.message.conversation_id;
    case "conversation.updated":
    case "conversation.changed":
      return e.conversation.id;
    case "note.created":
      return e.note.conversation_id;
    case "conversation.typing":
      return e.conversation_id;
    case "notification":
      return e.notification.conversation_id;
    case "message.status":
      return null;
    default: {
      const unclassified: never = e;
      return unclassified;
    }
  }
}

/**
 * Pure: the events a viewer limited to `userId` may receive, given the assignee of each conversation the events
 * name (`assignees`; a conversation missing from it is treated as hidden — it is gone or not this business's).
 */
export function visibleEvents(events: InboxEvent[], userId: string, assignees: ReadonlyMap<string, string | null>): InboxEvent[] {
  return events.filter((e) => {
    const id = conversationOf(e);
    if (id === null) return true;
    const assignee = assignees.get(id);
    return assignee !== undefined && canSee(userId, assignee);
  });
}

/** The assignee of each named conversation of the business, in one D1 read. */
export async function assigneesOf(d1: D1Database, businessId: string, ids: string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (ids.length === 0) return out;
  const rows = await d1
    .prepare("SELECT id, assignee_id FROM conversations WHERE business_id = ?1 AND id IN (SELECT value FROM json_each(?2))")
    .bind(businessId, JSON.stringify(ids))
    .all<{ id: string; assignee_id: string | null }>();
  for (const r of rows.results) out.set(r.id, r.assignee_id);
  return out;
}
