// Keyword auto-reply rules and their per-contact cooldowns.
import { and, asc, desc, eq, isNull, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { autoReplies, autoReplyHits, channels } from "./schema";

export type AutoReplyRule = typeof autoReplies.$inferSelect;
export type AutoReplyFields = Pick<AutoReplyRule, "channelId" | "matchType" | "pattern" | "replyText" | "templateId" | "active" | "priority" | "cooldownSeconds">;

/** Higher priority first; among equals the older rule first. */
const ORDER = [desc(autoReplies.priority), asc(autoReplies.createdAt), asc(autoReplies.id)];

export async function listAutoReplies(db: Db, businessId: string): Promise<AutoReplyRule[]> {
  return db.select().from(autoReplies).where(eq(autoReplies.businessId, businessId)).orderBy(...ORDER).all();
}

/** The active rules that apply on a device's channel (its own and the business-wide ones), in matching order. */
/** The active rules that apply on a channel (its own and the business-wide ones); channel null: business-wide only. */
export async function rulesForChannel(db: Db, businessId: string, channelId: string | null): Promise<AutoReplyRule[]> {
  const scope = channelId ? or(isNull(autoReplies.channelId), eq(autoReplies.channelId, channelId)) : isNull(autoReplies.channelId);
  return db
    .select()
    .from(autoReplies)
    .where(and(eq(autoReplies.businessId, businessId), eq(autoReplies.active, true), scope))
    .orderBy(...ORDER)
    .all();
}

export async function getAutoReply(db: Db, businessId: string, id: string): Promise<AutoReplyRule | undefined> {
  return db.select().from(autoReplies).where(and(eq(autoReplies.businessId, businessId), eq(autoReplies.id, id))).get();
}

export async function insertAutoReply(db: Db, businessId: string, fields: AutoReplyFields): Promise<AutoReplyRule> {
  return db.insert(autoReplies).values({ id: crypto.randomUUID(), businessId, ...fields }).returning().get();
}

export async function updateAutoReply(db: Db, businessId: string, id: string, patch: Partial<AutoReplyFields>): Promise<AutoReplyRule | undefined> {
  return db
    .update(autoReplies)
    .set({ ...patch, updatedAt: Date.now() })
    .where(and(eq(autoReplies.businessId, businessId), eq(autoReplies.id, id)))
    .returning()
    .get();
}

export async function deleteAutoReply(db: Db, businessId: string, id: string): Promise<boolean> {
  const rows = await db.delete(autoReplies).where(and(eq(autoReplies.businessId, businessId), eq(autoReplies.id, id))).returning({ id: autoReplies.id });
  return rows.length > 0;
}

/** Whether the rule answered this chat less than `cooldownMs` ago (read only: the callback's dry run). */
export async function inCooldown(db: Db, ruleId: string, chatJid: string, cooldownMs: number, now: number): Promise<boolean> {
  const hit = await db.select({ at: autoReplyHits.at }).from(autoReplyHits).where(and(eq(autoReplyHits.ruleId, ruleId), eq(autoReplyHits.chatJid, chatJid))).get();
  return hit !== undefined && hit.at > now - cooldownMs;
}

/**
 * Claims the rule's cooldown for this chat in one statement: true when it was free (or already claimed by this
 * same message — a re-driven effect after a crash answers again, with the same idempotency key).
 */
export async function claimCooldown(db: Db, ruleId: string, chatJid: string, messageId: string, cooldownMs: number, now: number): Promise<boolean> {
  const row = await db
    .insert(autoReplyHits)
    .values({ ruleId, chatJid, at: now, messageId })
    .onConflictDoUpdate({
      target: [autoReplyHits.ruleId, autoReplyHits.chatJid],
      set: { at: now, messageId },
      setWhere: sql`${autoReplyHits.at} <= ${now - cooldownMs} OR ${autoReplyHits.messageId} = ${messageId}`,
    })
    .returning({ ruleId: autoReplyHits.ruleId })
    .get();
  return row !== undefined;
}

/** The id of a device's channel, if it has one yet (read only). */
export async function channelOfDevice(db: Db, businessId: string, deviceKey: string): Promise<string | null> {
  const row = await db.select({ id: channels.id }).from(channels).where(and(eq(channels.businessId, businessId), eq(channels.deviceKey, deviceKey))).get();
  return row?.id ?? null;
}
