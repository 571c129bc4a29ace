// ContactImport: one per CSV import. It drives the import in slices from its alarm, so a long import never
// holds a request open, survives a restart (the checkpoint is in D1: a byte offset at a row boundary), and
// paces D1 writes one batch at a time. Its own SQLite remembers the first row of every phone and email in
// the file, so "duplicate in the file" needs no memory that grows with the rows.
import { DurableObject } from "cloudflare:workers";
import { runImportSlice } from "../crm/import-run";
import { database } from "../db/client";

/** Work per alarm before yielding (an alarm handler should stay well under its wall-time limit). */
const SLICE_MS = 20_000;

export class ContactImport extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, row INTEGER NOT NULL)");
  }

  /** Called once by the upload request; the work happens in the alarm. */
  async start(importId: string): Promise<void> {
    await this.ctx.storage.put("import_id", importId);
    await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const importId = await this.ctx.storage.get<string>("import_id");
    if (!importId) return;
    const sql = this.ctx.storage.sql;
    const seen = {
      firstRowOf(key: string, row: number): number {
        sql.exec("INSERT OR IGNORE INTO seen (key, row) VALUES (?, ?)", key, row);
        const first = sql.exec<{ row: number }>("SELECT row FROM seen WHERE key = ?", key).one().row;
        return first;
      },
    };
    const r = await runImportSlice(this.env, database(this.env.DB), importId, seen, Date.now() + SLICE_MS);
    if (r === "more") await this.ctx.storage.setAlarm(Date.now());
    else await this.ctx.storage.deleteAll();
  }
}
