// "Assigned to you": a conversation given to an agent by someone else notifies that agent.
import type { Db } from "../db/client";
import type { ConversationRow } from "../db/conversations";
import type { Auth } from "../http/types";
import { notifyUsers } from "./notify";

export async function notifyAssigned(env: Env, db: Db, auth: Auth, row: ConversationRow, assigneeId: string): Promise<void> {
  const c = row.contact;
  const who = c.name || c.phone || c.email || c.waJid || "";
  const actor = auth.user ? { id: auth.user.id, name: auth.user.name } : null;
  await notifyUsers(env, db, auth.business.id, [assigneeId], { kind: "assigned", conversationId: row.conversation.id, actor, text: who });
}
