import { and, desc, eq, lt } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { afterCursor } from "./paging";
import { webhookDeliveries } from "./schema";

export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;

export async function listWebhookDeliveries(db: Db, businessId: string, deviceKey: string, limit: number, cursor?: Cursor): Promise<WebhookDelivery[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.businessId, businessId), eq(webhookDeliveries.deviceKey, deviceKey), afterCursor(webhookDeliveries.createdAt, webhookDeliveries.id, cursor)))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit + 1)
    .all();
}

/** The delivery log keeps 30 days (cron). */
export const DELIVERY_LOG_DAYS = 30;

export async function pruneWebhookDeliveries(db: Db, now: number): Promise<void> {
  await db.delete(webhookDeliveries).where(lt(webhookDeliveries.createdAt, now - DELIVERY_LOG_DAYS * 86_400_000));
}
