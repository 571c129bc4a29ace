import { and, desc, eq } from "drizzle-orm";
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
