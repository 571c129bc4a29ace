// The side-effect outbox (schema `inbound_effects`): written in the inbound message's (or webhook event's) own D1
// batch, marked done by whoever ran it, re-driven by the cron sweep when left undone.
import { and, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "./client";
import { inboundEffects } from "./schema";

export type InboundEffect = typeof inboundEffects.$inferSelect;
export type NewInboundEffect = typeof inboundEffects.$inferInsert;

/**
 * Statements for the inbound message's own batch: each effect is written only if this batch created its message
 * (a redelivered message is deduped by its idempotency key, so its new id does not exist and nothing is written).
 */
export function insertEffectStatements(db: Db, rows: NewInboundEffect[], now: number) {
  return rows.map((e) =>
    db
      .insert(inboundEffects)
      // Every column, in the table's order (id … created_at); the WHERE also keeps SQLite's upsert parse unambiguous.
      .select(
        sql`SELECT ${e.id}, ${e.businessId}, ${e.deviceKey}, ${e.messageId}, ${e.kind}, ${JSON.stringify(e.payload)}, 0, ${e.nextAt}, NULL, ${now}
            WHERE EXISTS (SELECT 1 FROM messages WHERE id = ${e.messageId})`,
      )
      .onConflictDoNothing({ target: inboundEffects.id }),
  );
}

export async function markEffectsDone(db: Db, ids: string[], at: number): Promise<void> {
  if (ids.length) await db.update(inboundEffects).set({ doneAt: at }).where(inArray(inboundEffects.id, ids));
}

/** A failed run: the sweep tries again later, backing off. */
export async function deferEffect(db: Db, id: string, nextAt: number): Promise<void> {
  await db
    .update(inboundEffects)
    .set({ attempts: sql`${inboundEffects.attempts} + 1`, nextAt })
    .where(and(inArray(inboundEffects.id, [id]), isNull(inboundEffects.doneAt)));
}

/**
 * Undone effects due now, at most `perBusiness` per business and `limit` in all, oldest first within each
 * business: one business's backlog cannot starve the others (the same fairness as the outbox sweep).
 */
export async function dueEffects(db: Db, now: number, perBusiness: number, limit: number): Promise<InboundEffect[]> {
  const rows = await db.$client
    .prepare(
      `SELECT id FROM (
         SELECT id, next_at, ROW_NUMBER() OVER (PARTITION BY business_id ORDER BY next_at) AS n
         FROM inbound_effects WHERE done_at IS NULL AND next_at <= ?1
       ) WHERE n <= ?2 ORDER BY n, next_at LIMIT ?3`,
    )
    .bind(now, perBusiness, limit)
    .all<{ id: string }>();
  const ids = rows.results.map((r) => r.id);
  if (ids.length === 0) return [];
  const out: InboundEffect[] = [];
  for (let i = 0; i < ids.length; i += 90)
    out.push(
      ...(await db
        .select()
        .from(inboundEffects)
        .where(inArray(inboundEffects.id, ids.slice(i, i + 90)))
        .all()),
    );
  return out;
}

/** Done effects are kept this long (a provider redelivering older messages is not expected), then pruned. */
export async function pruneDoneEffects(db: Db, olderThan: number): Promise<void> {
  await db.delete(inboundEffects).where(lt(inboundEffects.doneAt, olderThan));
}
