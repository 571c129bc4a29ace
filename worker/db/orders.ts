// The orders timeline. One row per (source, order id); a later event updates it in place, and an event
// older than the stored one (by the event's own timestamp) never overwrites it.
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { OrderFacts } from "../crm/order-events";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { orders, type WebhookSource } from "./schema";

export type Order = typeof orders.$inferSelect;

export async function upsertOrder(db: Db, businessId: string, contactId: string, source: WebhookSource, o: OrderFacts, now: number): Promise<void> {
  const newer = sql`excluded.event_at >= ${orders.eventAt}`;
  await db
    .insert(orders)
    .values({ id: crypto.randomUUID(), businessId, contactId, source, ...o, updatedAt: now })
    .onConflictDoUpdate({
      target: [orders.businessId, orders.source, orders.externalId],
      set: {
        event: sql`excluded.event`,
        status: sql`coalesce(excluded.status, ${orders.status})`,
        paymentStatus: sql`coalesce(excluded.payment_status, ${orders.paymentStatus})`,
        amount: sql`coalesce(excluded.amount, ${orders.amount})`,
        items: sql`CASE WHEN excluded.items = '[]' THEN ${orders.items} ELSE excluded.items END`,
        eventAt: sql`excluded.event_at`,
        updatedAt: now,
      },
      setWhere: newer,
    })
    .run();
}

export async function ordersOfContact(db: Db, businessId: string, contactId: string, limit: number, cursor?: Cursor): Promise<Order[]> {
  const after = cursor ? or(lt(orders.eventAt, cursor.t), and(eq(orders.eventAt, cursor.t), lt(orders.id, cursor.id))) : undefined;
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.businessId, businessId), eq(orders.contactId, contactId), after))
    .orderBy(desc(orders.eventAt), desc(orders.id))
    .limit(limit)
    .all();
}
