// The gateway's durable state: one embedded SQLite file (node:sqlite, no native build) in DATA_DIR.
// Every value is encrypted with STORE_KEY (store/cipher.ts); keys and ids stay plain so rows can be found.
// Writes are synchronous: when a call returns, the row is on disk (WAL), which is what lets Baileys'
// key updates and `creds.update` be "written before they are used".
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { StoreCipher } from "./cipher";

/** What one row holds. `key:<type>` namespaces hold Baileys' Signal keys. */
export type Namespace = "creds" | `key:${string}` | "message" | "sent_job" | "written_job" | "number" | "inbound";

export type ExportedRow = { ns: string; id: string; value: string; updated_at: number };

export class SessionStore {
  readonly #db: DatabaseSync;
  readonly #cipher: StoreCipher;
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #del: StatementSync;
  readonly #list: StatementSync;

  constructor(dataDir: string, storeKey: string, fileName = "gateway.sqlite") {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.#cipher = new StoreCipher(storeKey);
    this.#db = new DatabaseSync(join(dataDir, fileName));
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS entries (
        device_key TEXT NOT NULL,
        ns TEXT NOT NULL,
        id TEXT NOT NULL,
        value BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (device_key, ns, id)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS entries_by_age ON entries (device_key, ns, updated_at);
    `);
    this.#get = this.#db.prepare("SELECT value FROM entries WHERE device_key = ? AND ns = ? AND id = ?");
    this.#put = this.#db.prepare(
      "INSERT INTO entries (device_key, ns, id, value, updated_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (device_key, ns, id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    );
    this.#del = this.#db.prepare("DELETE FROM entries WHERE device_key = ? AND ns = ? AND id = ?");
    this.#list = this.#db.prepare("SELECT id, value, updated_at FROM entries WHERE device_key = ? AND ns = ? ORDER BY updated_at, id");
  }

  #aad(device: string, ns: string, id: string): string {
    return `${device}\u0000${ns}\u0000${id}`;
  }

  get(device: string, ns: Namespace, id: string): string | null {
    const row = this.#get.get(device, ns, id) as { value: Uint8Array } | undefined;
    return row ? this.#cipher.open(row.value, this.#aad(device, ns, id)) : null;
  }

  put(device: string, ns: Namespace, id: string, value: string, at = Date.now()): void {
    this.#put.run(device, ns, id, this.#cipher.seal(value, this.#aad(device, ns, id)), at);
  }

  delete(device: string, ns: Namespace, id: string): void {
    this.#del.run(device, ns, id);
  }

  list(device: string, ns: Namespace): { id: string; value: string; updated_at: number }[] {
    return (this.#list.all(device, ns) as { id: string; value: Uint8Array; updated_at: number }[]).map((r) => ({
      id: r.id,
      value: this.#cipher.open(r.value, this.#aad(device, ns, r.id)),
      updated_at: r.updated_at,
    }));
  }

  /** Applies many writes (null = delete) in one transaction: all or nothing. */
  batch(device: string, writes: { ns: Namespace; id: string; value: string | null }[]): void {
    const at = Date.now();
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const w of writes) {
        if (w.value === null) this.#del.run(device, w.ns, w.id);
        else this.#put.run(device, w.ns, w.id, this.#cipher.seal(w.value, this.#aad(device, w.ns, w.id)), at);
      }
      this.#db.exec("COMMIT");
    } catch (err) {
      this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  /** Drops rows of a namespace older than `olderThan` (epoch ms). */
  prune(device: string, ns: Namespace, olderThan: number): number {
    return Number(this.#db.prepare("DELETE FROM entries WHERE device_key = ? AND ns = ? AND updated_at < ?").run(device, ns, olderThan).changes);
  }

  /** Forgets a device's credentials and Signal keys (after logout); keeps nothing that could log back in. */
  wipeDevice(device: string): void {
    this.#db.prepare("DELETE FROM entries WHERE device_key = ?").run(device);
  }

  /** Forgets the credentials and Signal keys only (logged out): the job and inbound records stay. */
  wipeAuth(device: string): void {
    this.#db.prepare("DELETE FROM entries WHERE device_key = ? AND (ns = 'creds' OR ns LIKE 'key:%')").run(device);
  }

  hasCreds(device: string): boolean {
    return this.#get.get(device, "creds", "creds") !== undefined;
  }

  /** Every row of a device, decrypted: the movable form of a session (see store/transfer.ts). */
  exportDevice(device: string): ExportedRow[] {
    const rows = this.#db.prepare("SELECT ns, id, value, updated_at FROM entries WHERE device_key = ? ORDER BY ns, id").all(device) as {
      ns: string;
      id: string;
      value: Uint8Array;
      updated_at: number;
    }[];
    return rows.map((r) => ({ ns: r.ns, id: r.id, value: this.#cipher.open(r.value, this.#aad(device, r.ns, r.id)), updated_at: r.updated_at }));
  }

  /** Replaces a device's rows with an export (re-encrypted under this store's key). */
  importDevice(device: string, rows: ExportedRow[]): void {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#db.prepare("DELETE FROM entries WHERE device_key = ?").run(device);
      for (const r of rows) this.#put.run(device, r.ns, r.id, this.#cipher.seal(r.value, this.#aad(device, r.ns, r.id)), r.updated_at);
      this.#db.exec("COMMIT");
    } catch (err) {
      this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  close(): void {
    this.#db.close();
  }
}
