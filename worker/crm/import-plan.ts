// CSV import planning, pure: which column is what (given, or guessed from headers such as `nama`, `no hp`,
// `whatsapp`, `email`), and what one row says — or why it cannot be imported.
import { z } from "zod";
import { normalizePhone } from "../lib/phone";
import { coerceField, type FieldDef, type FieldValue, fieldKeyOf } from "./custom-fields";

/** A column's target: a contact field, a custom field (`custom:<key>`), or nothing. */
export const Target = z.union([z.enum(["name", "phone", "email", "notes", "ignore"]), z.string().regex(/^custom:[a-z0-9_]{1,40}$/)]);
export type Target = z.infer<typeof Target>;

export const ImportOptions = z.strictObject({
  /** Header → target; headers not named are guessed. */
  mapping: z.record(z.string().max(200), Target).default({}),
  /** Columns that match no field become text custom fields (so broadcasts can use them as variables). */
  create_fields: z.boolean().default(false),
  label_ids: z.array(z.uuid()).max(20).default([]),
});
export type ImportOptions = z.infer<typeof ImportOptions>;

const GUESS: [RegExp, Target][] = [
  [/^(nama( lengkap| pelanggan| customer)?|name|full ?name|customer ?name|pelanggan)$/, "name"],
  [/^(no\.? ?(hp|wa|telp|telepon|handphone)|nomor( hp| wa| telepon| whatsapp)?|hp|wa|whatsapp|phone( number)?|telepon|telp|handphone|mobile|no)$/, "phone"],
  [/^(e-?mail|surel|alamat email)$/, "email"],
  [/^(catatan|notes?|keterangan)$/, "notes"],
];

export function guessTarget(header: string, fields: FieldDef[]): Target | null {
  const h = header.trim().toLowerCase().replace(/[_\s]+/g, " ");
  for (const [re, t] of GUESS) if (re.test(h)) return t;
  const key = fieldKeyOf(header);
  if (fields.some((f) => f.key === key)) return `custom:${key}`;
  return null;
}

export type ColumnPlan = { header: string; target: Target; newField: boolean };

/** Every column's target. Unmatched columns become new custom fields when asked, else are ignored. */
export function planColumns(headers: string[], opts: Pick<ImportOptions, "mapping" | "create_fields">, fields: FieldDef[]): ColumnPlan[] {
  const used = new Set<string>();
  return headers.map((header) => {
    let target: Target = opts.mapping[header] ?? guessTarget(header, fields) ?? "ignore";
    let newField = false;
    if (target === "ignore" && opts.create_fields && opts.mapping[header] === undefined && header.trim() !== "") {
      target = `custom:${fieldKeyOf(header)}`;
      newField = !fields.some((f) => `custom:${f.key}` === target);
    } else if (target.startsWith("custom:") && !fields.some((f) => `custom:${f.key}` === target)) {
      newField = true;
    }
    // One column per target: a second "phone" column is ignored rather than overwriting the first.
    if (target !== "ignore" && used.has(target)) target = "ignore";
    used.add(target);
    return { header, target, newField: newField && target !== "ignore" };
  });
}

/** Why a row cannot be imported, as a kind (counted over the whole file by the preview) and a reason for people. */
export const ROW_PROBLEMS = ["bad_phone", "bad_email", "no_phone_or_email", "bad_custom_field", "duplicate_in_file"] as const;
export type RowProblem = (typeof ROW_PROBLEMS)[number];

export type RowResult =
  | { ok: true; name: string | null; phone: string | null; email: string | null; notes: string | null; custom: Record<string, FieldValue> }
  | { ok: false; problem: RowProblem; reason: string };

/** Where a phone or email first appeared in the file (the header is row 1); remembers `row` if it is the first. */
export type SeenStore = { firstRowOf(key: string, row: number): number };

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,200}\.[^\s@]{2,}$/;

export function planRow(cols: ColumnPlan[], cells: string[], fields: FieldDef[], country: string): RowResult {
  let name: string | null = null;
  let phone: string | null = null;
  let email: string | null = null;
  let notes: string | null = null;
  const custom: Record<string, FieldValue> = {};
  for (let i = 0; i < cols.length; i++) {
    const col = cols[i];
    const v = (cells[i] ?? "").trim();
    if (!col || v === "" || col.target === "ignore") continue;
    if (col.target === "name") name = v.slice(0, 200);
    else if (col.target === "notes") notes = v.slice(0, 10_000);
    else if (col.target === "phone") {
      const p = normalizePhone(v, country);
      if (!p.ok) return { ok: false, problem: "bad_phone", reason: `bad phone: ${p.reason}` };
      phone = p.digits;
    } else if (col.target === "email") {
      if (!EMAIL.test(v)) return { ok: false, problem: "bad_email", reason: `bad email: "${v.slice(0, 60)}"` };
      email = v.toLowerCase();
    } else {
      const key = col.target.slice("custom:".length);
      const def = fields.find((f) => f.key === key) ?? { key, type: "text" as const, options: [] };
      const r = coerceField(def, v);
      if (!r.ok) return { ok: false, problem: "bad_custom_field", reason: `wrong custom field value: ${r.reason}` };
      if (r.value !== null) custom[key] = r.value;
    }
  }
  if (!phone && !email) return { ok: false, problem: "no_phone_or_email", reason: "no phone or email" };
  return { ok: true, name, phone, email, notes, custom };
}

/** One row of the file: planRow, then "duplicate in the file" against the rows before it. The import and
 *  the preview both use it, so the preview's counts are the import's. */
export function planFileRow(cols: ColumnPlan[], cells: string[], fields: FieldDef[], country: string, rowNo: number, seen: SeenStore): RowResult {
  const r = planRow(cols, cells, fields, country);
  if (!r.ok) return r;
  for (const k of [r.phone, r.email]) {
    if (!k) continue;
    const first = seen.firstRowOf(k, rowNo);
    if (first !== rowNo) return { ok: false, problem: "duplicate_in_file", reason: `duplicate in the file (same as row ${first})` };
  }
  return r;
}

/** A row of empty cells (",,,,") is a blank line: counted for the row numbers, not imported, not an error. */
export const isBlankRow = (cells: string[]) => cells.every((f) => f.trim() === "");
