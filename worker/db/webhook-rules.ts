import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { afterCursor } from "./paging";
import { businesses, devices, packages, usageCounters, webhookRules } from "./schema";

export type WebhookRule = typeof webhookRules.$inferSelect;
export type NewWebhookRule = typeof webhookRules.$inferInsert;
export type RulePatch = Partial<Omit<NewWebhookRule, "id" | "businessId" | "createdAt">>;

export async function insertRule(db: Db, r: NewWebhookRule): Promise<WebhookRule> {
  return db.insert(webhookRules).values(r).returning().get();
}

export async function getRule(db: Db, businessId: string, id: string): Promise<WebhookRule | undefined> {
  return db
    .select()
    .from(webhookRules)
    .where(and(eq(webhookRules.businessId, businessId), eq(webhookRules.id, id)))
    .get();
}

export async function countRules(db: Db, businessId: string): Promise<number> {
  const row = await db.select({ n: count() }).from(webhookRules).where(eq(webhookRules.businessId, businessId)).get();
  return row?.n ?? 0;
}

export async function listRules(db: Db, businessId: string, limit: number, cursor?: Cursor): Promise<WebhookRule[]> {
  return db
    .select()
    .from(webhookRules)
    .where(and(eq(webhookRules.businessId, businessId), afterCursor(webhookRules.createdAt, webhookRules.id, cursor)))
    .orderBy(desc(webhookRules.createdAt), desc(webhookRules.id))
    .limit(limit + 1)
    .all();
}

/** All of a business's rules in firing order (priority, then age), for the dashboard. */
export async function rulesInFiringOrder(db: Db, businessId: string): Promise<WebhookRule[]> {
  return db
    .select()
    .from(webhookRules)
    .where(eq(webhookRules.businessId, businessId))
    .orderBy(asc(webhookRules.priority), asc(webhookRules.createdAt), asc(webhookRules.id))
    .all();
}

export async function updateRule(db: Db, businessId: string, id: string, patch: RulePatch): Promise<WebhookRule | undefined> {
  return db
    .update(webhookRules)
    .set(patch)
    .where(and(eq(webhookRules.businessId, businessId), eq(webhookRules.id, id)))
    .returning()
    .get();
}

export async function deleteRule(db: Db, businessId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(webhookRules)
    .where(and(eq(webhookRules.businessId, businessId), eq(webhookRules.id, id)))
    .returning({ id: webhookRules.id });
  return rows.length > 0;
}

export type ActiveRule = WebhookRule & { deviceExists: boolean };

/**
 * The webhook's one read: the business and its active rules in firing order (with whether each rule's
 * device still exists), in a single D1 round trip.
 */
export async function loadWebhookContext(db: Db, businessId: string, usagePeriod: string) {
  const [business, rules, pkg, usage] = await db.batch([
    db.select().from(businesses).where(eq(businesses.id, businessId)).limit(1),
    db
      .select({ rule: webhookRules, deviceExists: sql<number>`${devices.deviceKey} IS NOT NULL` })
      .from(webhookRules)
      .leftJoin(devices, and(eq(devices.deviceKey, webhookRules.deviceKey), eq(devices.businessId, webhookRules.businessId)))
      .where(and(eq(webhookRules.businessId, businessId), eq(webhookRules.active, true)))
      .orderBy(asc(webhookRules.priority), asc(webhookRules.createdAt), asc(webhookRules.id)),
    // The package's daily message limit travels with the cached context (the webhook path checks it).
    db.select({ messagesPerDay: packages.messagesPerDay }).from(packages).innerJoin(businesses, eq(businesses.package, packages.id)).where(eq(businesses.id, businessId)),
    db
      .select({ amount: usageCounters.amount })
      .from(usageCounters)
      .where(and(eq(usageCounters.businessId, businessId), eq(usageCounters.metric, "messages_per_day"), eq(usageCounters.period, usagePeriod))),
  ]);
  return {
    business: business[0],
    // null = unlimited; a package missing from the catalogue allows nothing (as in worker/billing/limits.ts).
    messagesPerDay: pkg[0] ? pkg[0].messagesPerDay : 0,
    // Today's outbound count when loaded; the webhook path adds what it writes (see webhooks/endpoint.ts).
    sent: { period: usagePeriod, count: usage[0]?.amount ?? 0 },
    rules: rules.map((r): ActiveRule => ({ ...r.rule, deviceExists: Boolean(r.deviceExists) })),
  };
}
