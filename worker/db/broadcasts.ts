// Broadcasts and their recipients. Every query scoped by business (recipients through their broadcast).
import { and, desc, eq, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { type BroadcastStatus, broadcasts, type RecipientStatus } from "./schema";

export type Broadcast = typeof broadcasts.$inferSelect;
export type NewBroadcast = typeof broadcasts.$inferInsert;

export async function insertBroadcast(db: Db, row: NewBroadcast): Promise<Broadcast> {
  return db.insert(broadcasts).values(row).returning().get();
}

export async function getBroadcast(db: Db, businessId: string, id: string): Promise<Broadcast | undefined> {
  return db
    .select()
    .from(broadcasts)
    .where(and(eq(broadcasts.businessId, businessId), eq(broadcasts.id, id)))
    .get();
}

export async function listBroadcasts(db: Db, businessId: string, f: { status?: BroadcastStatus; labelId?: string }, limit: number, cursor?: Cursor): Promise<Broadcast[]> {
  const conds: (SQL | undefined)[] = [eq(broadcasts.businessId, businessId)];
  if (f.status) conds.push(eq(broadcasts.status, f.status));
  if (f.labelId) conds.push(sqlLabel(f.labelId));
  if (cursor) conds.push(or(lt(broadcasts.createdAt, cursor.t), and(eq(broadcasts.createdAt, cursor.t), lt(broadcasts.id, cursor.id))));
  return db
    .select()
    .from(broadcasts)
    .where(and(...conds))
    .orderBy(desc(broadcasts.createdAt), desc(broadcasts.id))
    .limit(limit)
    .all();
}

/** Broadcasts carrying a label (labels live as a JSON list on the row; a broadcast has a handful). */
const sqlLabel = (labelId: string): SQL => sql`EXISTS (SELECT 1 FROM json_each(${broadcasts.labelIds}) WHERE value = ${labelId})`;

/** Updates a broadcast only while it is in one of `from` states (the state machine's guard); undefined otherwise. */
export async function updateBroadcast(db: Db, businessId: string, id: string, set: Partial<NewBroadcast>, from?: readonly BroadcastStatus[]): Promise<Broadcast | undefined> {
  const guard = from ? or(...from.map((s) => eq(broadcasts.status, s))) : undefined;
  return db
    .update(broadcasts)
    .set({ ...set, updatedAt: Date.now() })
    .where(and(eq(broadcasts.businessId, businessId), eq(broadcasts.id, id), guard))
    .returning()
    .get();
}

/** Broadcasts that count as running for the `broadcasts_running` limit: scheduled, running or waiting for their window. */
export async function countRunningBroadcasts(db: Db, businessId: string): Promise<number> {
  const r = await db
    .select({ n: sql<number>`count(*)` })
    .from(broadcasts)
    .where(and(eq(broadcasts.businessId, businessId), inArray(broadcasts.status, ["scheduled", "running", "waiting_window"])))
    .get();
  return r?.n ?? 0;
}

export async function deleteBroadcast(db: Db, businessId: string, id: string): Promise<boolean> {
  const r = await db
    .delete(broadcasts)
    .where(and(eq(broadcasts.businessId, businessId), eq(broadcasts.id, id)))
    .returning({ id: broadcasts.id })
    .all();
  return r.length > 0;
}

export type Progress = {
  total: number;
  pending: number;
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
  skipped_reasons: Record<string, number>;
};

/**
 * Counters from the recipient rows and, for queued ones, their message's status: a status change of a message
 * costs no write here, the count reads it where the send path already wrote it.
 */
export async function broadcastProgress(d1: D1Database, broadcastId: string): Promise<Progress> {
  const rows = await d1
    .prepare(
      `SELECT r.status AS rs, r.skip_reason AS reason, m.status AS ms, m.error AS err, count(*) AS n FROM broadcast_recipients r
       LEFT JOIN messages m ON m.id = r.message_id WHERE r.broadcast_id = ? GROUP BY 1, 2, 3, m.error = 'withdrawn before sending'`,
    )
    .bind(broadcastId)
    .all<{ rs: "pending" | "queued" | "skipped"; reason: string | null; ms: string | null; err: string | null; n: number }>();
  const p: Progress = { total: 0, pending: 0, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, skipped_reasons: {} };
  const skip = (reason: string, n: number) => {
    p.skipped += n;
    p.skipped_reasons[reason] = (p.skipped_reasons[reason] ?? 0) + n;
  };
  for (const r of rows.results) {
    p.total += r.n;
    if (r.rs === "pending") p.pending += r.n;
    else if (r.rs === "skipped") skip(r.reason ?? "unknown", r.n);
    else if (r.ms === "skipped") skip("withdrawn", r.n);
    else if (r.ms === "sent" || r.ms === "delivered" || r.ms === "read" || r.ms === "failed") p[r.ms] += r.n;
    else p.queued += r.n;
  }
  return p;
}

export type RecipientRow = { seq: number; contact_id: string; phone: string | null; name: string | null; status: RecipientStatus; skip_reason: string | null; text: string | null; error: string | null; message_id: string | null };

/** Recipients in audience order after `afterSeq`, filtered by their effective status. */
export async function listRecipients(d1: D1Database, broadcastId: string, status: RecipientStatus | undefined, afterSeq: number, limit: number): Promise<RecipientRow[]> {
  const eff = `CASE WHEN r.status = 'queued' THEN COALESCE(m.status, 'queued') ELSE r.status END`;
  const rows = await d1
    .prepare(
      `SELECT r.seq, r.contact_id, r.phone, c.name, ${eff} AS status, COALESCE(r.skip_reason, CASE WHEN m.status = 'skipped' THEN 'withdrawn' END) AS skip_reason,
         r.text, m.error, r.message_id FROM broadcast_recipients r
       LEFT JOIN messages m ON m.id = r.message_id LEFT JOIN contacts c ON c.id = r.contact_id
       WHERE r.broadcast_id = ?1 AND r.seq > ?2 ${status ? `AND ${eff} = ?4` : ""} ORDER BY r.seq LIMIT ?3`,
    )
    .bind(broadcastId, afterSeq, limit, ...(status ? [status] : []))
    .all<RecipientRow>();
  return rows.results;
}
