import { and, desc, eq, gte, lte } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { afterCursor } from "./paging";
import { type WebhookLogStatus, type WebhookSignature, type WebhookSource, webhookLogs } from "./schema";

export type WebhookLog = typeof webhookLogs.$inferSelect;
export type NewWebhookLog = typeof webhookLogs.$inferInsert;

export function insertLogQuery(db: Db, log: NewWebhookLog) {
  return db.insert(webhookLogs).values(log);
}

export async function insertLog(db: Db, log: NewWebhookLog): Promise<void> {
  await insertLogQuery(db, log);
}

/**
 * Claims an event for a log: a replay (or a concurrent duplicate) finds it taken and inserts nothing.
 * Raw D1 statements (like insertTextMessagesStatements) because they run on every webhook.
 */
export function claimEventStatement(d1: D1Database, businessId: string, eventKey: string, logId: string): D1PreparedStatement {
  return d1
    .prepare("INSERT INTO webhook_events (business_id, event_key, log_id) VALUES (?, ?, ?) ON CONFLICT (business_id, event_key) DO NOTHING RETURNING log_id AS id")
    .bind(businessId, eventKey, logId);
}

/**
 * The log of a processed event, in the same batch after the claim: its status and message are decided in SQL
 * by whether this request owns the event, so the loser of a race logs `duplicate`.
 */
export function eventLogStatement(
  d1: D1Database,
  log: Pick<NewWebhookLog, "id" | "businessId" | "source" | "ruleNames" | "payload" | "payloadTruncated"> & {
    eventKey: string;
    status: WebhookLogStatus;
    signature: WebhookSignature;
    message: string;
    /** The event's CRM facts and when the sweep may run them: kept only when this delivery owns the event. */
    customer?: { facts: unknown; dueAt: number } | null;
  },
): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO webhook_logs (id, business_id, source, status, event_key, rule_names, message, payload, payload_truncated, signature, customer, customer_due_at)
       SELECT ?1, ?2, ?3, CASE WHEN owner = ?1 THEN ?4 ELSE 'duplicate' END, ?5, ?6, CASE WHEN owner = ?1 THEN ?7 ELSE ?8 END, ?9, ?10, ?11,
              CASE WHEN owner = ?1 THEN ?12 END, CASE WHEN owner = ?1 THEN ?13 END
       FROM (SELECT (SELECT log_id FROM webhook_events WHERE business_id = ?2 AND event_key = ?5) AS owner)`,
    )
    .bind(
      log.id,
      log.businessId,
      log.source,
      log.status,
      log.eventKey,
      JSON.stringify(log.ruleNames ?? []),
      log.message,
      `Duplicate event ${log.eventKey}: already processed, nothing sent`,
      log.payload,
      log.payloadTruncated ? 1 : 0,
      log.signature,
      log.customer ? JSON.stringify(log.customer.facts) : null,
      log.customer ? log.customer.dueAt : null,
    );
}

export type LogFilter = { source?: WebhookSource; status?: WebhookLogStatus; from?: number; to?: number };

export async function listLogs(db: Db, businessId: string, f: LogFilter, limit: number, cursor?: Cursor): Promise<WebhookLog[]> {
  return db
    .select()
    .from(webhookLogs)
    .where(
      and(
        eq(webhookLogs.businessId, businessId),
        f.source ? eq(webhookLogs.source, f.source) : undefined,
        f.status ? eq(webhookLogs.status, f.status) : undefined,
        f.from !== undefined ? gte(webhookLogs.createdAt, f.from) : undefined,
        f.to !== undefined ? lte(webhookLogs.createdAt, f.to) : undefined,
        afterCursor(webhookLogs.createdAt, webhookLogs.id, cursor),
      ),
    )
    .orderBy(desc(webhookLogs.createdAt), desc(webhookLogs.id))
    .limit(limit + 1)
    .all();
}

export async function getLog(db: Db, businessId: string, id: string): Promise<WebhookLog | undefined> {
  return db
    .select()
    .from(webhookLogs)
    .where(and(eq(webhookLogs.businessId, businessId), eq(webhookLogs.id, id)))
    .get();
}

const DAY_MS = 86_400_000;
/** Event claims outlive short log retentions so late provider retries are still recognised. */
export const MIN_EVENT_RETENTION_DAYS = 30;
const DELETE_CHUNK = 2000;

/**
 * Deletes logs older than each business's retention, and event claims older than the longer of that and
 * MIN_EVENT_RETENTION_DAYS. Bounded per run (the cron runs every minute) so one sweep never holds D1 long;
 * the fixed lower bounds (1 day, 30 days) let the created_at indexes narrow the scan before the per-business test.
 */
export async function deleteExpiredWebhookLogs(db: Db, now: number): Promise<{ logs: number; events: number }> {
  const d1 = db.$client;
  const [logs, events] = await d1.batch([
    d1
      .prepare(
        `DELETE FROM webhook_logs WHERE id IN (
           SELECT l.id FROM webhook_logs l JOIN businesses b ON b.id = l.business_id
           WHERE l.created_at < ?1 - ?2 AND l.created_at < ?1 - b.webhook_log_retention_days * ?2 LIMIT ?3)`,
      )
      .bind(now, DAY_MS, DELETE_CHUNK),
    d1
      .prepare(
        `DELETE FROM webhook_events WHERE rowid IN (
           SELECT e.rowid FROM webhook_events e JOIN businesses b ON b.id = e.business_id
           WHERE e.created_at < ?1 - ?4 * ?2 AND e.created_at < ?1 - max(b.webhook_log_retention_days, ?4) * ?2 LIMIT ?3)`,
      )
      .bind(now, DAY_MS, DELETE_CHUNK, MIN_EVENT_RETENTION_DAYS),
  ]);
  return { logs: logs?.meta.changes ?? 0, events: events?.meta.changes ?? 0 };
}
