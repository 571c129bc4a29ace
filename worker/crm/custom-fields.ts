// Typed custom contact fields (text, number, date, choice): a value as typed (API, CSV cell) → the stored
// value, or why it is wrong. Pure; used by the contacts API and the import.
import type { ContactFieldType } from "../db/schema";

export type FieldDef = { key: string; type: ContactFieldType; options: string[] };
export type FieldValue = string | number;

const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;

/** `2026-12-03`, or Indonesian `3/12/2026` → `2026-12-03`. */
function isoDate(s: string): string | null {
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const dmy = DMY.exec(s);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dmy) [d, m, y] = [Number(dmy[1]), Number(dmy[2]), Number(dmy[3])];
  else return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return t.toISOString().slice(0, 10);
}

export function coerceField(def: FieldDef, raw: unknown): { ok: true; value: FieldValue | null } | { ok: false; reason: string } {
  if (raw === null || raw === undefined || (typeof raw === "string" && raw.trim() === "")) return { ok: true, value: null };
  const s = typeof raw === "string" ? raw.trim() : typeof raw === "number" ? String(raw) : null;
  if (s === null) return { ok: false, reason: `${def.key}: must be text or a number` };
  switch (def.type) {
    case "text":
      return s.length <= 1000 ? { ok: true, value: s } : { ok: false, reason: `${def.key}: longer than 1000 characters` };
    case "number": {
      // Indonesian thousands separators (1.500.000) and decimal commas (2,5) are accepted.
      const norm = /^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(s) ? s.replaceAll(".", "").replace(",", ".") : s.replace(",", ".");
      const n = Number(norm);
      return norm !== "" && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, reason: `${def.key}: "${s.slice(0, 40)}" is not a number` };
    }
    case "date": {
      const d = isoDate(s);
      return d ? { ok: true, value: d } : { ok: false, reason: `${def.key}: "${s.slice(0, 40)}" is not a date (YYYY-MM-DD or DD/MM/YYYY)` };
    }
    case "choice": {
      const hit = def.options.find((o) => o.toLowerCase() === s.toLowerCase());
      return hit !== undefined ? { ok: true, value: hit } : { ok: false, reason: `${def.key}: "${s.slice(0, 40)}" is not one of ${def.options.join(", ")}` };
    }
  }
}

/** Applies a patch of values to the stored ones; unknown keys and wrong values are reported, not stored. */
export function applyFieldPatch(
  defs: FieldDef[],
  current: Record<string, FieldValue>,
  patch: Record<string, unknown>,
): { ok: true; values: Record<string, FieldValue> } | { ok: false; reasons: string[] } {
  const out = { ...current };
  const reasons: string[] = [];
  for (const [key, raw] of Object.entries(patch)) {
    const def = defs.find((d) => d.key === key);
    if (!def) {
      reasons.push(`${key}: no such custom field (define it under /api/v1/contact-fields)`);
      continue;
    }
    const r = coerceField(def, raw);
    if (!r.ok) reasons.push(r.reason);
    else if (r.value === null) delete out[key];
    else out[key] = r.value;
  }
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, values: out };
}

/** A header like "Kota Asal" → a field key `kota_asal`. */
export function fieldKeyOf(header: string): string {
  return (
    header
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 40) || "field"
  );
}
