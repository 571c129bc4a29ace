// The CRM side of accepted webhook events, kept in their log rows (webhook_logs.customer / customer_due_at):
// marked done by whoever ran it, re-driven by the cron sweep while due.
import type { Db } from "./client";

export type DueCustomer = { logId: string; businessId: string; customer: unknown; createdAt: number };

/** Done: the sweep never takes these again. One statement for the whole batch. */
export async function markCustomersDone(db: Db, logIds: string[]): Promise<void> {
  if (logIds.length === 0) return;
  await db.$client
    .prepare("UPDATE webhook_logs SET customer_due_at = NULL WHERE id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(logIds))
    .run();
}

/** A failed run: the sweep tries again at `dueAt` (still due, so never lost). */
export async function deferCustomer(db: Db, logId: string, dueAt: number): Promise<void> {
  await db.$client.prepare("UPDATE webhook_logs SET customer_due_at = ?2 WHERE id = ?1 AND customer_due_at IS NOT NULL").bind(logId, dueAt).run();
}

/**
 * Due customer facts, at most `perBusiness` per business and `limit` in all, oldest first within each business:
 * one business's backlog cannot starve the others (the same fairness as the other sweeps).
 */
export async function dueCustomers(db: Db, now: number, perBusiness: number, limit: number): Promise<DueCustomer[]> {
  const rows = await db.$client
    .prepare(
      `SELECT id, business_id, customer, created_at FROM (
         SELECT id, business_id, customer, created_at, customer_due_at,
                ROW_NUMBER() OVER (PARTITION BY business_id ORDER BY customer_due_at) AS n
         FROM webhook_logs WHERE customer_due_at IS NOT NULL AND customer_due_at <= ?1
       ) WHERE n <= ?2 ORDER BY n, customer_due_at LIMIT ?3`,
    )
    .bind(now, perBusiness, limit)
    .all<{ id: string; business_id: string; customer: string | null; created_at: number }>();
  return rows.results.map((r) => ({
    logId: r.id,
    businessId: r.business_id,
    customer: r.customer === null ? null : (JSON.parse(r.customer) as unknown),
    createdAt: r.created_at,
  }));
}
