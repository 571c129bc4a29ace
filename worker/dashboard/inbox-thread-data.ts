// What the inbox page shows around the selected conversation (its thread, notes, labels, the contact panel's
// labels and orders) and what its script needs (teammates for @mentions, canned responses, the user's
// notification setting). Read with the same data functions as the API, scoped by business.
import type { Db } from "../db/client";
import { listCanned } from "../db/canned-responses";
import { listNotes } from "../db/conversation-notes";
import type { ConversationRow } from "../db/conversations";
import { notifySetting } from "../db/inbox-notifications";
import { labelsOfContacts, labelsOfConversations, listLabels } from "../db/labels";
import { listMessages } from "../db/messages";
import { ordersOfContact } from "../db/orders";
import { listUsers } from "../db/users";
import type { Auth } from "../http/types";
import { mentionHandle } from "../livechat/canned";

export async function threadData(db: Db, businessId: string, row: ConversationRow) {
  const id = row.conversation.id;
  const [messages, notes, labels, contactLabels, orders] = await Promise.all([
    listMessages(db, businessId, { conversationId: id }, 100),
    listNotes(db, businessId, id),
    labelsOfConversations(db, [id]),
    labelsOfContacts(db, [row.contact.id]),
    ordersOfContact(db, businessId, row.contact.id, 10),
  ]);
  return { row, messages: messages.reverse(), notes, labels: labels.get(id) ?? [], contactLabels: contactLabels.get(row.contact.id) ?? [], orders };
}
export type ThreadData = Awaited<ReturnType<typeof threadData>>;

export async function inboxContext(db: Db, auth: Auth) {
  const businessId = auth.business.id;
  const [users, labels, canned, notify] = await Promise.all([
    listUsers(db, businessId, 200),
    listLabels(db, businessId),
    listCanned(db, businessId),
    auth.user ? notifySetting(db, businessId, auth.user.id) : Promise.resolve("off" as const),
  ]);
  return {
    me: auth.user ? { id: auth.user.id, name: auth.user.name } : null,
    business: auth.business.name,
    /** Times the script writes (new bubbles, notes) use the business's zone, like the server's. */
    tz: auth.business.timezone,
    users: users.map((u) => ({ id: u.id, name: u.name, handle: mentionHandle(u) })),
    labels,
    canned: canned.map((c) => ({ shortcut: c.shortcut, text: c.text })),
    notify,
  };
}
export type InboxContext = Awaited<ReturnType<typeof inboxContext>>;
