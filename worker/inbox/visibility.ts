// Who sees which conversation (issue 13): admins (and API keys, which act as admins) see all; staff see the
// conversations assigned to them and the unassigned ones, unless the business's live-chat setting
// `staff_see_all` lets them see all. One rule for the inbox page and the API: a hidden conversation is a 404,
// exactly like another business's.
import { roleAtLeast } from "../auth/roles";
import type { Db } from "../db/client";
import { type ConversationRow, getConversationRow } from "../db/conversations";
import { ensureLivechatSettings } from "../db/livechat-settings";
import type { Auth } from "../http/types";
import { parseConfig } from "../livechat/settings";

/** The user whose view is limited (pass as `visibleTo` to listConversations), or undefined for "sees all". */
export async function visibleToOf(db: Db, auth: Pick<Auth, "business" | "role" | "user">): Promise<string | undefined> {
  if (roleAtLeast(auth.role, "admin") || !auth.user) return undefined;
  const cfg = parseConfig((await ensureLivechatSettings(db, auth.business.id)).config);
  return cfg.staff_see_all ? undefined : auth.user.id;
}

/** Pure: does a limited view (`visibleTo`) include a conversation with this assignee. */
export function canSee(visibleTo: string | undefined, assigneeId: string | null): boolean {
  return visibleTo === undefined || assigneeId === null || assigneeId === visibleTo;
}

/** The conversation if it is this business's and the caller may see it. */
export async function visibleConversation(
  db: Db,
  auth: Pick<Auth, "business" | "role" | "user">,
  id: string,
): Promise<ConversationRow | undefined> {
  const row = await getConversationRow(db, auth.business.id, id);
  if (!row) return undefined;
  return canSee(await visibleToOf(db, auth), row.conversation.assigneeId) ? row : undefined;
}
