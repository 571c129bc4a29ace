// Automatic assignment (the inbox setting `auto_assign`, on every channel: website chat and WhatsApp): a new (unassigned) conversation goes to one of the agents online in the inbox right now
// (an open InboxHub socket), the one with the fewest open conversations assigned, ties broken by who was
// assigned longest ago — round-robin that also balances. `max_open_per_agent` (null = no cap) skips agents at
// their cap; nobody eligible leaves the conversation unassigned (staff see unassigned ones).
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { conversations, users } from "../db/schema";
import { getLivechatSettings } from "../db/livechat-settings";
import { inboxHub } from "../durable/stubs";
import { type LivechatConfig, parseConfig } from "./settings";

export type Candidate = { userId: string; open: number; lastAssignedAt: number };

/** Pure: who gets the next conversation. */
export function pickAgent(candidates: Candidate[], cap: number | null): string | null {
  const eligible = candidates.filter((c) => cap === null || c.open < cap);
  eligible.sort((a, b) => a.open - b.open || a.lastAssignedAt - b.lastAssignedAt || a.userId.localeCompare(b.userId));
  return eligible[0]?.userId ?? null;
}

async function candidates(db: Db, businessId: string, online: string[]): Promise<Candidate[]> {
  if (online.length === 0) return [];
  const members = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.businessId, businessId), inArray(users.id, online)))
    .all();
  const load = await db
    .select({
      userId: conversations.assigneeId,
      open: sql<number>`sum(CASE WHEN ${conversations.status} IN ('open', 'pending') THEN 1 ELSE 0 END)`,
      last: sql<number>`max(${conversations.updatedAt})`,
    })
    .from(conversations)
    .where(and(eq(conversations.businessId, businessId), inArray(conversations.assigneeId, online)))
    .groupBy(conversations.assigneeId)
    .all();
  const byUser = new Map(load.map((l) => [l.userId, l]));
  return members.map((m) => ({ userId: m.id, open: Number(byUser.get(m.id)?.open ?? 0), lastAssignedAt: Number(byUser.get(m.id)?.last ?? 0) }));
}

/** Assigns an unassigned conversation to an online agent; returns the user id or null. Only ever fills a blank. */
export async function autoAssign(env: Env, db: Db, businessId: string, conversationId: string, cap: number | null, now = Date.now()): Promise<string | null> {
  const online = await inboxHub(env, businessId).onlineUsers(businessId);
  const userId = pickAgent(await candidates(db, businessId, online), cap);
  if (!userId) return null;
  const row = await db
    .update(conversations)
    .set({ assigneeId: userId, updatedAt: now })
    .where(and(eq(conversations.businessId, businessId), eq(conversations.id, conversationId), isNull(conversations.assigneeId)))
    .returning({ id: conversations.id })
    .get();
  return row ? userId : null;
}

/**
 * A customer message arrived on a conversation (any channel): when the business turned auto-assignment on and
 * nobody holds the conversation, it goes to an online agent. Never throws: the message is stored already, and an
 * assignment that failed leaves the conversation unassigned (visible to every agent), not lost.
 */
export async function assignOnInbound(env: Env, db: Db, c: { businessId: string; conversationId: string; assigneeId: string | null }, at: number): Promise<string | null> {
  if (c.assigneeId) return null;
  try {
    const cfg = parseConfig((await getLivechatSettings(db, c.businessId))?.config ?? {});
    return cfg.auto_assign ? await assignWithConfig(env, db, c, cfg, at) : null;
  } catch (e) {
    return failed(c.conversationId, e);
  }
}

/** The same with the settings at hand (the website chat keeps them in its object). Never throws. */
export async function assignWithConfig(env: Env, db: Db, c: { businessId: string; conversationId: string }, cfg: Pick<LivechatConfig, "max_open_per_agent">, at: number): Promise<string | null> {
  try {
    return await autoAssign(env, db, c.businessId, c.conversationId, cfg.max_open_per_agent, at);
  } catch (e) {
    return failed(c.conversationId, e);
  }
}

function failed(conversationId: string, e: unknown): null {
  console.warn(JSON.stringify({ level: "warn", msg: "auto-assignment failed; left unassigned", conversation_id: conversationId, error: String(e) }));
  return null;
}
