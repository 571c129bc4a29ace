// One slice of a CSV import: read the file from R2 from the checkpoint (a byte offset at a row boundary),
// parse rows as they stream, write good rows in batches, record bad ones with their row number, and move
// the checkpoint after every batch. The ContactImport Durable Object calls this from its alarm until done;
// a crash or restart resumes at the last checkpoint (rows redone merge, never duplicate).
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { createField, listFields } from "../db/contact-fields";
import { IMPORT_BATCH, type ImportRow, recordImportContacts, writeImportBatch } from "../db/contact-import-batch";
import { relabelContacts } from "../db/labels";
import { contactImportErrors, contactImports } from "../db/schema";
import { getBusiness } from "../db/businesses";
import { CsvParser, type CsvRow, detectDelimiter, RowTooLong } from "./csv";
import type { FieldDef } from "./custom-fields";
import { type ColumnPlan, ImportOptions, isBlankRow, planColumns, planFileRow, type SeenStore } from "./import-plan";

export const MAX_IMPORT_ROWS = 100_000;
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
/** Row errors kept for the report (all are counted). */
const MAX_STORED_ERRORS = 1000;

export const importFileKey = (businessId: string, importId: string) => `imports/${businessId}/${importId}.csv`;

type Stored = ImportOptions & { headers?: string[]; delimiter?: number };

export async function runImportSlice(env: Env, db: Db, importId: string, seen: SeenStore, deadline: number): Promise<"done" | "more"> {
  const imp = await db.select().from(contactImports).where(eq(contactImports.id, importId)).get();
  if (!imp || imp.status === "done" || imp.status === "failed") return "done";
  const business = await getBusiness(db, imp.businessId);
  if (!business) return "done";
  const key = importFileKey(imp.businessId, imp.id);
  const fail = async (error: string) => {
    await db.update(contactImports).set({ status: "failed", error, updatedAt: Date.now() }).where(eq(contactImports.id, importId)).run();
    await env.MEDIA.delete(key);
    return "done" as const;
  };
  const opts = imp.options as Stored;
  const obj = await env.MEDIA.get(key, imp.bytesDone > 0 ? { range: { offset: imp.bytesDone } } : undefined);
  if (!obj) return fail("the uploaded file is gone");
  if (imp.status !== "running") await db.update(contactImports).set({ status: "running", updatedAt: Date.now() }).where(eq(contactImports.id, importId)).run();

  let fields: FieldDef[] = await listFields(db, imp.businessId);
  let cols: ColumnPlan[] | null = opts.headers ? planColumns(opts.headers, opts, fields) : null;
  let parser: CsvParser | null = opts.delimiter !== undefined ? new CsvParser(opts.delimiter, imp.bytesDone) : null;
  const state = { bytesDone: imp.bytesDone, rowsDone: imp.rowsDone, created: imp.created, merged: imp.merged, failed: imp.failed };
  let good: ImportRow[] = [];
  let errors: { row: number; reason: string }[] = [];
  let pendingEnd = state.bytesDone;

  const flush = async () => {
    if (good.length > 0) {
      const r = await writeImportBatch(db, imp.businessId, good, Date.now());
      state.created += r.created;
      state.merged += r.merged;
      if (opts.label_ids.length > 0) await relabelContacts(db, imp.businessId, r.ids, opts.label_ids, []);
      // Issue 11: a broadcast's audience can be this file's rows (worker/broadcasts/audience.ts import_ids).
      await recordImportContacts(db, importId, r.ids);
    }
    if (errors.length > 0 && state.failed - errors.length < MAX_STORED_ERRORS) {
      const keep = errors.slice(0, Math.max(0, MAX_STORED_ERRORS - (state.failed - errors.length)));
      for (let i = 0; i < keep.length; i += 30) {
        await db
          .insert(contactImportErrors)
          .values(keep.slice(i, i + 30).map((e) => ({ importId, ...e })))
          .onConflictDoNothing()
          .run();
      }
    }
    good = [];
    errors = [];
    state.bytesDone = pendingEnd;
    await db
      .update(contactImports)
      .set({ ...state, options: { ...opts }, updatedAt: Date.now() })
      .where(and(eq(contactImports.id, importId), eq(contactImports.status, "running")))
      .run();
  };

  const onRow = async (row: CsvRow) => {
    if (!cols) {
      // The header row: columns planned once, new custom fields created, both kept with the checkpoint.
      opts.headers = row.fields.map((h) => h.trim());
      cols = planColumns(opts.headers, opts, fields);
      for (const c of cols.filter((c) => c.newField)) await createField(db, imp.businessId, { key: c.target.slice(7), label: c.header.slice(0, 100), type: "text", options: [] });
      fields = await listFields(db, imp.businessId);
      pendingEnd = row.end;
      return;
    }
    state.rowsDone++;
    const rowNo = state.rowsDone + 1;
    pendingEnd = row.end;
    if (isBlankRow(row.fields)) return;
    const r = planFileRow(cols, row.fields, fields, business.country, rowNo, seen);
    if (!r.ok) {
      state.failed++;
      errors.push({ row: rowNo, reason: r.reason });
    } else good.push({ name: r.name, phone: r.phone, email: r.email, notes: r.notes, custom: r.custom });
    if (good.length >= IMPORT_BATCH || errors.length >= 200) await flush();
  };

  const reader = obj.body.getReader();
  try {
    for (;;) {
      if (state.rowsDone > MAX_IMPORT_ROWS) {
        await reader.cancel();
        return fail(`the file has more than ${MAX_IMPORT_ROWS} rows`);
      }
      const { done, value } = await reader.read();
      if (!parser) {
        if (done) return fail("the file is empty");
        opts.delimiter = detectDelimiter(value);
        parser = new CsvParser(opts.delimiter, 0);
      }
      const rows = done ? parser.finish() : parser.push(value);
      for (const row of rows) await onRow(row);
      if (done) break;
      // Yield after a whole chunk (at least one per slice, so every slice moves the checkpoint).
      if (Date.now() > deadline) {
        await reader.cancel();
        await flush();
        return "more";
      }
    }
  } catch (e) {
    if (e instanceof RowTooLong) return fail(`row ${state.rowsDone + 2}: ${e.message}`);
    throw e;
  }
  await flush();
  if (!cols) return fail("the file has no header row");
  await db.update(contactImports).set({ status: "done", bytesDone: imp.totalBytes, updatedAt: Date.now() }).where(eq(contactImports.id, importId)).run();
  await env.MEDIA.delete(key);
  return "done";
}
