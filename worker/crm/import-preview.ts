// The import wizard's dry run: the whole file is read and every row goes through the same planner as the
// import (planFileRow, duplicates in the file included), so the counts it shows are the ones the import
// will report. Only the first rows come back in full, and the first row errors with their numbers; every
// problem is counted over all rows. Nothing is written.
//
// "Duplicate in the file" needs the keys seen so far: here a Map in the request (the import keeps them in
// its Durable Object's SQLite instead). It is bounded by the file limits (20 MB, 100,000 rows → at most
// 200,000 short keys, a few tens of MB), which is why the preview may hold it and the import need not.
import { CsvParser, type CsvRow, detectDelimiter, RowTooLong } from "./csv";
import type { FieldDef, FieldValue } from "./custom-fields";
import { type ColumnPlan, type ImportOptions, isBlankRow, planColumns, planFileRow, ROW_PROBLEMS, type RowProblem } from "./import-plan";

/** Rows answered in full (the wizard's table). */
export const PREVIEW_ROWS = 20;
/** Row errors listed with their number (all are counted). */
export const PREVIEW_ERRORS = 1000;

export type PreviewRow = {
  row: number;
  ok: boolean;
  reason: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  custom_fields: Record<string, FieldValue>;
};

export type ImportPreview = {
  columns: ColumnPlan[];
  samples: string[][];
  rows: PreviewRow[];
  totalRows: number;
  okRows: number;
  blankRows: number;
  problems: Record<RowProblem, number>;
  errors: { row: number; reason: string }[];
  /** Set when the file cannot be imported at all (no header, more rows than allowed, a runaway row). */
  fileError: string | null;
};

export async function previewImport(
  body: ReadableStream<Uint8Array>,
  opts: Pick<ImportOptions, "mapping" | "create_fields">,
  fields: FieldDef[],
  country: string,
  maxRows: number,
): Promise<ImportPreview> {
  const firstSeen = new Map<string, number>();
  const seen = {
    firstRowOf(key: string, row: number): number {
      const first = firstSeen.get(key);
      if (first !== undefined) return first;
      firstSeen.set(key, row);
      return row;
    },
  };
  const out: ImportPreview = {
    columns: [],
    samples: [],
    rows: [],
    totalRows: 0,
    okRows: 0,
    blankRows: 0,
    problems: Object.fromEntries(ROW_PROBLEMS.map((p) => [p, 0])) as Record<RowProblem, number>,
    errors: [],
    fileError: null,
  };
  let cols: ColumnPlan[] | null = null;
  let planFields = fields;
  const onRow = (r: CsvRow) => {
    if (!cols) {
      cols = planColumns(
        r.fields.map((h) => h.trim()),
        opts,
        fields,
      );
      // Columns the import would create count as text fields here.
      planFields = [...fields, ...cols.filter((c) => c.newField).map((c) => ({ key: c.target.slice(7), type: "text" as const, options: [] }))];
      return;
    }
    out.totalRows++;
    const rowNo = out.totalRows + 1;
    if (isBlankRow(r.fields)) {
      out.blankRows++;
      return;
    }
    if (out.samples.length < 3) out.samples.push(r.fields);
    const p = planFileRow(cols, r.fields, planFields, country, rowNo, seen);
    if (p.ok) out.okRows++;
    else {
      out.problems[p.problem]++;
      if (out.errors.length < PREVIEW_ERRORS) out.errors.push({ row: rowNo, reason: p.reason });
    }
    if (out.rows.length < PREVIEW_ROWS) {
      out.rows.push(
        p.ok
          ? { row: rowNo, ok: true, reason: null, name: p.name, phone: p.phone, email: p.email, custom_fields: p.custom }
          : { row: rowNo, ok: false, reason: p.reason, name: null, phone: null, email: null, custom_fields: {} },
      );
    }
  };

  const reader = body.getReader();
  let parser: CsvParser | null = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (!parser) {
        if (done) break;
        parser = new CsvParser(detectDelimiter(value));
      }
      for (const r of done ? parser.finish() : parser.push(value)) onRow(r);
      if (done) break;
      if (out.totalRows > maxRows) {
        await reader.cancel();
        out.fileError = `the file has more than ${maxRows} rows`;
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof RowTooLong)) throw e;
    await reader.cancel();
    out.fileError = `row ${out.totalRows + 2}: ${e.message}`;
  }
  if (cols === null) out.fileError ??= "the file has no header row";
  out.columns = cols ?? [];
  return out;
}
