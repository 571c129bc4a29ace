// The DeviceSession's write-back buffer to D1. Status changes and receipts are hot per-message writes: they are
// recorded durably in the object's storage first (in the same transaction as the job's state) and reach D1 in
// batches, one round trip per flush whatever the number of rows; a failed flush is retried by the alarm, so none
// is lost. After each flush the statuses are handed to `publish` (the live inbox), passed in by the owner.
import { database } from "../db/client";
import { applyReceiptBatch, applyStatusBatch, type ReceiptUpdate, type StatusUpdate } from "../db/messages";
import type { MessageStatus } from "../db/schema";

export type StatusPublished = { id: string; status: MessageStatus; error: string | null };

const FLUSH_ROWS = 500;
/** Acks and receipts arrive one frame at a time: a flush waits this long so one D1 round trip carries many. */
export const FLUSH_DELAY_MS = 25;

export class WriteBack {
  private running: Promise<void> | null = null;
  private flushAgain = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    private readonly publish: (rows: StatusPublished[]) => void,
    /** Called when D1 refused a flush: the owner makes sure its alarm will retry. */
    private readonly onFailure: () => Promise<void>,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS d1_writes (
      message_id TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      provider_message_id TEXT,
      error TEXT
    );
    CREATE TABLE IF NOT EXISTS d1_receipts (
      wa_message_id TEXT PRIMARY KEY,
      status TEXT NOT NULL
    );`);
  }

  record(messageId: string, status: StatusUpdate["status"], providerMessageId: string | null, error: string | null): void {
    this.sql.exec(
      "INSERT INTO d1_writes (message_id, status, provider_message_id, error) VALUES (?, ?, ?, ?) ON CONFLICT(message_id) DO UPDATE SET status = excluded.status, provider_message_id = coalesce(excluded.provider_message_id, d1_writes.provider_message_id), error = excluded.error",
      messageId,
      status,
      providerMessageId,
      error,
    );
  }

  /** A delivery/read receipt by the provider's message id; `read` supersedes `delivered`, never the reverse. */
  recordReceipt(waMessageId: string, status: ReceiptUpdate["status"]): void {
    this.sql.exec(
      "INSERT INTO d1_receipts (wa_message_id, status) VALUES (?, ?) ON CONFLICT(wa_message_id) DO UPDATE SET status = CASE WHEN d1_receipts.status = 'read' THEN 'read' ELSE excluded.status END",
      waMessageId,
      status,
    );
  }

  pending(): boolean {
    return this.sql.exec("SELECT 1 FROM d1_writes UNION ALL SELECT 1 FROM d1_receipts LIMIT 1").toArray().length > 0;
  }

  /** Flushes after FLUSH_DELAY_MS. The writes are already in storage; if the object goes away first, the alarm flushes. */
  soon(deviceKey: string): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushSafely(deviceKey);
    }, FLUSH_DELAY_MS);
  }

  async flushSafely(deviceKey: string): Promise<void> {
    try {
      await this.flush(deviceKey);
    } catch (e) {
      // D1 unavailable: the writes stay in storage and the alarm retries them.
      console.warn(JSON.stringify({ level: "warn", msg: "status write-back failed", error: String(e) }));
      await this.onFailure();
    }
  }

  /**
   * Writes what is recorded to D1. A caller arriving while a flush runs waits for it to have written its rows too
   * (the running flush goes round once more), so "flushed" means in D1: a paused broadcast re-pends its withdrawn
   * recipients only after their `skipped` status is there.
   */
  async flush(deviceKey: string): Promise<void> {
    if (this.running) {
      this.flushAgain = true;
      await this.running;
      // The running flush had finished its last round before this caller's rows were recorded: one more.
      if (this.flushAgain) await this.flush(deviceKey);
      return;
    }
    this.running = this.drain(deviceKey).finally(() => {
      this.running = null;
    });
    await this.running;
  }

  private async drain(deviceKey: string): Promise<void> {
    do {
      this.flushAgain = false;
      const rows = this.sql
        .exec<{ message_id: string; status: StatusUpdate["status"]; provider_message_id: string | null; error: string | null }>(
          `SELECT * FROM d1_writes LIMIT ${FLUSH_ROWS}`,
        )
        .toArray();
      // Status writes first: a receipt may name a message whose `sent` (with its provider id) is in this flush.
      if (rows.length > 0) {
        await applyStatusBatch(
          database(this.env.DB),
          rows.map((r) => ({ id: r.message_id, status: r.status, providerMessageId: r.provider_message_id, error: r.error })),
          Date.now(),
        );
        this.publish(rows.map((r) => ({ id: r.message_id, status: r.status, error: r.error })));
        // Only what was written: a newer status recorded during the flush stays for the next one.
        for (const r of rows) this.sql.exec("DELETE FROM d1_writes WHERE message_id = ? AND status = ?", r.message_id, r.status);
      }
      const receipts = this.sql
        .exec<{ wa_message_id: string; status: ReceiptUpdate["status"] }>(`SELECT * FROM d1_receipts LIMIT ${FLUSH_ROWS}`)
        .toArray();
      if (receipts.length > 0) {
        const moved = await applyReceiptBatch(
          database(this.env.DB),
          deviceKey,
          receipts.map((r) => ({ providerMessageId: r.wa_message_id, status: r.status })),
          Date.now(),
        );
        this.publish(moved.map((m) => ({ id: m.id, status: m.status, error: null })));
        for (const r of receipts)
          this.sql.exec("DELETE FROM d1_receipts WHERE wa_message_id = ? AND status = ?", r.wa_message_id, r.status);
      }
      if (rows.length === FLUSH_ROWS || receipts.length === FLUSH_ROWS) this.flushAgain = true;
    } while (this.flushAgain);
  }
}
