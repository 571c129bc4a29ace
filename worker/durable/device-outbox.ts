// The outbox of one number, in the DeviceSession's SQLite: jobs (two lanes, due time, lease, attempts), the
// send log pacing reads, and the outcome rules. It decides nothing about pacing itself (messaging/pacing.ts
// does) and writes nothing to D1: a finished job is reported through `onFinish` (the write-back buffer).
import type { MessageStatus } from "../db/schema";
import type { OutboundContent } from "../messaging/content";
import { CAP_SPANS, gapAfterSend, type Lane, nextSendAt, type PacingState } from "../messaging/pacing";
import type { SendOutcome } from "../messaging/providers/types";
import type { DeviceSettings } from "../messaging/settings";
import type { DeviceMeta } from "./device-meta";

/** A job is handed out at most this many times (lease expiries and retryable failures together). */
export const MAX_ATTEMPTS = 8;
/** Finished jobs are remembered this long so a late duplicate queue delivery stays a no-op. */
const DONE_RETENTION_MS = 7 * 24 * 3600_000;
const LANES = ["transactional", "broadcast"] as const;

type JobState = "pending" | "leased" | "done" | "failed" | "skipped";

export type JobRow = { message_id: string; lane: Lane; to_jid: string; content: string; state: JobState; attempt: number; not_before: number };
export type NewJob = { id: string; lane: Lane; to: string; content: OutboundContent; sourceKey: string };
export type Finished = (messageId: string, status: Extract<MessageStatus, "sent" | "delivered" | "failed" | "skipped">, providerMessageId: string | null, error: string | null) => void;
/** What the outbox needs to know of its device to pace it. */
export type Pace = { settings: DeviceSettings; timeZone: string; finishedStatus: "sent" | "delivered" };

export function retryBackoffMs(attempt: number): number {
  return Math.min(10 * 60_000, 2_000 * 2 ** Math.max(0, attempt - 1));
}

const JOB_COLUMNS = "message_id, lane, to_jid, content, state, attempt, not_before";

export class Outbox {
  constructor(
    private readonly sql: SqlStorage,
    private readonly meta: DeviceMeta,
    private readonly onFinish: Finished,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS jobs (
      message_id TEXT PRIMARY KEY,
      lane TEXT NOT NULL,
      to_jid TEXT NOT NULL,
      content TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending',
      attempt INTEGER NOT NULL DEFAULT 0,
      not_before INTEGER NOT NULL DEFAULT 0,
      lease_until INTEGER,
      accepted_at INTEGER NOT NULL,
      finished_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, lane, not_before);
    CREATE TABLE IF NOT EXISTS sends (at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS sends_at ON sends (at);`);
    // Added after the first outboxes were created: the message's idempotency key, which starts with its source's
    // id (`broadcast:<id>:…`), so `withdraw` can find a broadcast's or campaign's jobs.
    if (!sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('jobs') WHERE name = 'source_key'").toArray().length) {
      sql.exec("ALTER TABLE jobs ADD COLUMN source_key TEXT");
      sql.exec("CREATE INDEX IF NOT EXISTS jobs_source ON jobs (source_key)");
    }
  }

  /** Which of these message ids the outbox has seen (in any state): one look-up for a whole page. */
  known(ids: string[]): Set<string> {
    const out = new Set<string>();
    if (ids.length === 0) return out;
    for (const r of this.sql.exec<{ message_id: string }>("SELECT message_id FROM jobs WHERE message_id IN (SELECT value FROM json_each(?))", JSON.stringify(ids))) out.add(r.message_id);
    return out;
  }

  openCount(lane?: Lane): number {
    if (lane) return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE state IN ('pending','leased') AND lane = ?", lane).one().n;
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE state IN ('pending','leased')").one().n;
  }

  counts(): { pending: number; leased: number } {
    const rows = this.sql.exec<{ state: string; n: number }>("SELECT state, COUNT(*) AS n FROM jobs WHERE state IN ('pending','leased') GROUP BY state").toArray();
    return { pending: rows.find((c) => c.state === "pending")?.n ?? 0, leased: rows.find((c) => c.state === "leased")?.n ?? 0 };
  }

  add(job: NewJob, now: number): void {
    this.addMany([job], now);
  }

  /** Takes a page of jobs in one statement (a broadcast page is 1,000); a job already known stays as it is. */
  addMany(jobs: NewJob[], now: number): void {
    if (jobs.length === 0) return;
    this.sql.exec(
      `INSERT INTO jobs (message_id, lane, to_jid, content, accepted_at, source_key)
       SELECT value ->> 'id', value ->> 'lane', value ->> 'to', value ->> 'content', ?, value ->> 'key' FROM json_each(?) WHERE true
       ON CONFLICT(message_id) DO NOTHING`,
      now,
      JSON.stringify(jobs.map((j) => ({ id: j.id, lane: j.lane, to: j.to, content: JSON.stringify(j.content), key: j.sourceKey }))),
    );
  }

  // ── pacing (the send log; messaging/pacing.ts decides) ─────────────────────────────────────────

  pacingState(now: number): PacingState {
    const w = (span: number) => {
      const r = this.sql.exec<{ n: number; oldest: number | null }>("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM sends WHERE at > ?", now - span).one();
      return { count: r.n, oldest: r.oldest };
    };
    return {
      nextAt: this.meta.num("next_at"),
      nextTransactionalAt: this.meta.num("next_tx_at"),
      windows: { minute: w(CAP_SPANS.minute), hour: w(CAP_SPANS.hour), day: w(CAP_SPANS.day) },
    };
  }

  private recordSend(settings: DeviceSettings, lane: Lane, now: number): void {
    if (!settings.pacing_enabled) return;
    this.sql.exec("INSERT INTO sends (at) VALUES (?)", now);
    this.meta.set("next_at", now + gapAfterSend(settings));
    if (lane === "transactional") this.meta.set("next_tx_at", now + gapAfterSend(settings));
  }

  /** When each lane's oldest pending job may go (null when the lane is empty). */
  dueTimes(pace: Pace, now: number): number[] {
    const state = pace.settings.pacing_enabled ? this.pacingState(now) : null;
    const out: number[] = [];
    for (const lane of LANES) {
      const nb = this.sql.exec<{ t: number | null }>("SELECT MIN(not_before) AS t FROM jobs WHERE state = 'pending' AND lane = ?", lane).one().t;
      if (nb === null) continue;
      out.push(state ? nextSendAt(Math.max(now, nb), pace.settings, state, lane, pace.timeZone) : Math.max(now, nb));
    }
    return out;
  }

  private due(lane: Lane, now: number, limit: number): JobRow[] {
    return this.sql
      .exec<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE state = 'pending' AND lane = ? AND not_before <= ? ORDER BY rowid LIMIT ?`, lane, now, limit)
      .toArray();
  }

  /**
   * Leases up to `limit` jobs that may go now, transactional first, each lane in arrival order, and records them
   * as sends for pacing. Paced: at most one job per lane per call (each send moves the lane's next time).
   */
  take(pace: Pace, now: number, limit: number, leaseUntil: number): (JobRow & { attempt: number })[] {
    const out: JobRow[] = [];
    const state = pace.settings.pacing_enabled ? this.pacingState(now) : null;
    for (const lane of LANES) {
      if (out.length >= limit) break;
      if (state && nextSendAt(now, pace.settings, state, lane, pace.timeZone) > now) continue;
      const jobs = this.due(lane, now, state ? 1 : limit - out.length);
      for (const j of jobs) this.recordSend(pace.settings, lane, now);
      out.push(...jobs);
      // A paced send moves the broadcast lane's next time too: one job per call, the next after its gap.
      if (state && out.length > 0) break;
    }
    return out.map((j) => {
      const attempt = j.attempt + 1;
      this.sql.exec("UPDATE jobs SET state = 'leased', attempt = ?, lease_until = ? WHERE message_id = ?", attempt, leaseUntil, j.message_id);
      return { ...j, attempt };
    });
  }

  /**
   * Whether this job was ever handed out (leased at least once). An ack or fail for any other is refused; a late
   * ack of a job whose lease ran out (pending again, or finished) still counts, as the protocol promises.
   */
  /** The chat a job was addressed to (null once pruned). */
  recipientOf(messageId: string): string | null {
    return this.sql.exec<{ to_jid: string }>("SELECT to_jid FROM jobs WHERE message_id = ?", messageId).toArray()[0]?.to_jid ?? null;
  }

  wasHandedOut(messageId: string): boolean {
    return this.sql.exec("SELECT 1 FROM jobs WHERE message_id = ? AND attempt > 0", messageId).toArray().length > 0;
  }

  /** Applies one send's outcome. Unknown or finished jobs are left alone: a second ack/fail changes nothing. */
  applyOutcome(messageId: string, outcome: SendOutcome, pace: Pace, now: number): void {
    const row = this.sql.exec<{ state: JobState; attempt: number }>("SELECT state, attempt FROM jobs WHERE message_id = ?", messageId).toArray()[0];
    if (!row || (row.state !== "pending" && row.state !== "leased")) return;
    if (outcome.ok) {
      this.finish(messageId, "done", pace.finishedStatus, outcome.providerMessageId, null, now);
    } else if (outcome.retryable && row.attempt < MAX_ATTEMPTS) {
      this.sql.exec("UPDATE jobs SET state = 'pending', lease_until = NULL, not_before = ? WHERE message_id = ?", now + retryBackoffMs(row.attempt), messageId);
    } else {
      const reason = outcome.retryable ? `${outcome.reason} (gave up after ${row.attempt} attempts)` : outcome.reason;
      this.fail(messageId, reason, now);
    }
  }

  fail(messageId: string, error: string, now: number): void {
    this.finish(messageId, "failed", "failed", null, error, now);
  }

  private finish(messageId: string, state: JobState, status: Parameters<Finished>[1], providerMessageId: string | null, error: string | null, now: number): void {
    this.sql.exec("UPDATE jobs SET state = ?, lease_until = NULL, finished_at = ? WHERE message_id = ?", state, now, messageId);
    // Recorded in the same (implicit) storage transaction as the job's state.
    this.onFinish(messageId, status, providerMessageId, error);
  }

  /** Every open job fails (the device was deleted). */
  failAllOpen(error: string, now: number): void {
    for (const j of this.sql.exec<{ message_id: string }>("SELECT message_id FROM jobs WHERE state IN ('pending','leased')").toArray()) this.fail(j.message_id, error, now);
  }

  /**
   * Removes the jobs of one source (a broadcast's or campaign's id, the prefix of its messages' idempotency keys)
   * not yet handed out; their messages become `skipped`. Leased jobs stay: they may already be on WhatsApp.
   */
  withdraw(sourceId: string, now: number): number {
    const rows = this.sql
      .exec<{ message_id: string }>("SELECT message_id FROM jobs WHERE state = 'pending' AND source_key > ? AND source_key < ?", `${sourceId}:`, `${sourceId}:\uffff`)
      .toArray();
    for (const r of rows) this.finish(r.message_id, "skipped", "skipped", null, "withdrawn before sending", now);
    return rows.length;
  }

  /** The earliest lease expiry among leased jobs. */
  nextLeaseExpiry(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(lease_until) AS t FROM jobs WHERE state = 'leased'").one().t;
  }

  /**
   * Leases that ran out. Gateway jobs go back under the same id (up to MAX_ATTEMPTS). A direct send (sandbox,
   * Cloud API) whose lease ran out was cut off mid-request by a restart: its outcome is unknown and Meta has no
   * idempotency key, so it fails rather than risk a duplicate.
   */
  expireLeases(now: number, direct: boolean): void {
    const expired = this.sql.exec<{ message_id: string; attempt: number }>("SELECT message_id, attempt FROM jobs WHERE state = 'leased' AND lease_until <= ?", now).toArray();
    for (const j of expired) {
      if (direct) this.fail(j.message_id, "interrupted while sending; not retried so the customer cannot get it twice", now);
      else if (j.attempt >= MAX_ATTEMPTS) this.fail(j.message_id, `not acknowledged after ${j.attempt} deliveries`, now);
      else this.sql.exec("UPDATE jobs SET state = 'pending', lease_until = NULL WHERE message_id = ?", j.message_id);
    }
  }

  prune(now: number): void {
    this.sql.exec("DELETE FROM sends WHERE at < ?", now - CAP_SPANS.day);
    this.sql.exec("DELETE FROM jobs WHERE state IN ('done','failed','skipped') AND finished_at < ?", now - DONE_RETENTION_MS);
  }
}
