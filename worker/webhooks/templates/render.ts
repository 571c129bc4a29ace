// WhatsApp message templates: text with `{{path | filter:"arg"}}` placeholders filled from the payload.
// No code runs: a placeholder is a field path plus a fixed list of filters. Output is bounded.
// A template is parsed once (per rule version) into parts, and those parts into a renderer over a FieldTable
// (fields.ts: the fields rules and templates compiled together read once per event): literal texts and one
// closure per placeholder (its slot, its filters fixed). `interpretTemplate` walks the parts instead; it is
// the meaning the compiled renderer is held to by property tests.
import { type EventFields, FieldTable } from "../fields";
import { boundedJson, type Path, parsePath, resolvePath } from "../path";
import { toNumber } from "../rules/compare";
import { type DateLocale, formatWall, wallTime } from "../../lib/zoned-dates";

export const MAX_TEMPLATE_CHARS = 4096;
/** WhatsApp's limit for a text message. */
export const MAX_MESSAGE_CHARS = 4096;
const MAX_PLACEHOLDERS = 100;
const MAX_FILTERS = 5;
const MAX_JSON_VALUE_CHARS = 1000;

export const FILTERS = ["rupiah", "number", "default", "upper", "lower", "trim", "date"] as const;
type FilterName = (typeof FILTERS)[number];
type Filter = { name: FilterName; arg: string | undefined };
type Placeholder = { source: string; field: string; path: Path; filters: Filter[] };
export type RenderContext = { timeZone: string; locale: DateLocale };
export type Rendered = { text: string; missing: readonly string[]; notes: readonly string[]; truncated: boolean };
export type CompiledTemplate = { parts: (string | Placeholder)[]; fields: string[] };
/** A template compiled over a field table: renders one event's fields. */
export type TemplateRenderer = (fields: EventFields, ctx: RenderContext) => Rendered;
export type TemplateIssue = { message: string };

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const FILTER = /^([a-z]+)\s*(?::\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+)))?$/;

function splitFilters(expr: string): string[] {
  // `|` inside a quoted argument is text, not a separator.
  const out: string[] = [];
  let cur = "";
  let quote: string | null = null;
  for (const ch of expr) {
    if (quote) {
      if (ch === quote) quote = null;
      cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === "|") {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** Parses a template; issues describe anything that can never work (unknown filter, bad path, too long). */
export function compileTemplate(template: string): { ok: true; value: CompiledTemplate } | { ok: false; issues: TemplateIssue[] } {
  const issues: TemplateIssue[] = [];
  if (template.length > MAX_TEMPLATE_CHARS) return { ok: false, issues: [{ message: `template is longer than ${MAX_TEMPLATE_CHARS} characters` }] };
  const parts: (string | Placeholder)[] = [];
  const fields: string[] = [];
  let last = 0;
  let count = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const at = m.index;
    if (at > last) parts.push(template.slice(last, at));
    last = at + m[0].length;
    count += 1;
    if (count > MAX_PLACEHOLDERS) {
      issues.push({ message: `a template may have at most ${MAX_PLACEHOLDERS} placeholders` });
      break;
    }
    const [fieldRaw = "", ...filterRaws] = splitFilters(m[1] ?? "");
    const p = parsePath(fieldRaw);
    if (!p.ok) {
      issues.push({ message: `${m[0]}: ${p.reason}` });
      continue;
    }
    if (filterRaws.length > MAX_FILTERS) issues.push({ message: `${m[0]}: at most ${MAX_FILTERS} filters` });
    const filters: Filter[] = [];
    for (const f of filterRaws) {
      const fm = FILTER.exec(f);
      const name = fm?.[1];
      if (!fm || !name || !(FILTERS as readonly string[]).includes(name)) {
        issues.push({ message: `${m[0]}: unknown filter "${f}"; use ${FILTERS.join(", ")}` });
        continue;
      }
      const arg = fm[2] ?? fm[3] ?? fm[4];
      if (name === "default" && arg === undefined) issues.push({ message: `${m[0]}: default needs a value, e.g. default:"-"` });
      filters.push({ name: name as FilterName, arg });
    }
    fields.push(fieldRaw.trim());
    parts.push({ source: m[0], field: fieldRaw.trim(), path: p.path, filters });
  }
  if (last < template.length) parts.push(template.slice(last));
  const tail = template.slice(last);
  if (count <= MAX_PLACEHOLDERS && tail.includes("{{")) issues.push({ message: "a placeholder is opened with {{ but not closed with }}" });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { parts, fields } };
}

const rupiahFmt = new Intl.NumberFormat("id-ID", { maximumFractionDigits: 0 });
const numberFmt = new Intl.NumberFormat("id-ID", { maximumFractionDigits: 2 });

/** Rp149.724 — Indonesian grouping, rounded to whole rupiah. */
export function formatRupiah(n: number): string {
  const r = Math.round(n);
  return r < 0 ? `-Rp${rupiahFmt.format(-r)}` : `Rp${rupiahFmt.format(r)}`;
}

function asText(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const s = boundedJson(v, MAX_JSON_VALUE_CHARS);
  return s;
}

function applyFilter(v: unknown, f: Filter, ctx: RenderContext, ph: Placeholder, notes: string[]): unknown {
  switch (f.name) {
    case "default":
      return v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? (f.arg ?? "") : v;
    case "upper":
      return asText(v).toUpperCase();
    case "lower":
      return asText(v).toLowerCase();
    case "trim":
      return asText(v).trim();
    case "rupiah":
    case "number": {
      if (v === undefined || v === null || v === "") return v;
      const n = toNumber(v);
      if (n === undefined) {
        notes.push(`${ph.source}: "${asText(v).slice(0, 40)}" is not a number`);
        return v;
      }
      return f.name === "rupiah" ? formatRupiah(n) : numberFmt.format(n);
    }
    case "date": {
      if (v === undefined || v === null || v === "") return v;
      const w = wallTime(v, ctx.timeZone);
      if (!w) {
        notes.push(`${ph.source}: "${asText(v).slice(0, 40)}" is not a date`);
        return v;
      }
      return formatWall(w, f.arg ?? "DD MMM YYYY", ctx.locale);
    }
  }
}

/** The reference: fills the parts one by one. Missing paths render as empty text and are listed in `missing`. */
export function interpretTemplate(t: Pick<CompiledTemplate, "parts">, payload: unknown, ctx: RenderContext): Rendered {
  let text = "";
  const missing: string[] = [];
  const notes: string[] = [];
  for (const part of t.parts) {
    if (typeof part === "string") text += part;
    else {
      let v = resolvePath(payload, part.path);
      if ((v === undefined || v === null) && !part.filters.some((f) => f.name === "default")) missing.push(part.field);
      for (const f of part.filters) v = applyFilter(v, f, ctx, part, notes);
      text += asText(v);
    }
    if (text.length > MAX_MESSAGE_CHARS) break;
  }
  const truncated = text.length > MAX_MESSAGE_CHARS;
  return { text: truncated ? text.slice(0, MAX_MESSAGE_CHARS) : text, missing, notes, truncated };
}

const NONE: readonly string[] = Object.freeze([]);

/** A placeholder bound to its slot; `plain` when it has no filters (the common case, filled inline). */
type Fill = { slot: number; field: string; plain: boolean; reportsMissing: boolean; ph: Placeholder };

/** A filtered placeholder's text; its filters' notes are added to `notes`. */
function filtered(fill: Fill, v: unknown, ctx: RenderContext, notes: string[]): string {
  for (const f of fill.ph.filters) v = applyFilter(v, f, ctx, fill.ph, notes);
  return asText(v);
}

/** Parts → literal texts around one fill per placeholder: texts[0] fills[0] texts[1] … texts[n]. */
export function compileRenderer(t: Pick<CompiledTemplate, "parts">, table: FieldTable): TemplateRenderer {
  const texts: string[] = [""];
  const fills: Fill[] = [];
  for (const part of t.parts) {
    if (typeof part === "string") texts[texts.length - 1] += part;
    else {
      const plain = part.filters.length === 0;
      fills.push({ slot: table.slot(part.path), field: part.field, plain, reportsMissing: !part.filters.some((f) => f.name === "default"), ph: part });
      texts.push("");
    }
  }
  const head = texts[0] ?? "";
  const n = fills.length;
  return (fields, ctx) => {
    let missing: string[] | undefined;
    let notes: string[] | undefined;
    let text = head;
    for (let i = 0; i < n && text.length <= MAX_MESSAGE_CHARS; i++) {
      const fill = fills[i];
      if (!fill) break;
      const v = fields.value(fill.slot);
      if (fill.reportsMissing && (v === undefined || v === null)) (missing ??= []).push(fill.field);
      if (fill.plain) text += typeof v === "string" ? v : asText(v);
      else text += filtered(fill, v, ctx, (notes ??= []));
      if (text.length > MAX_MESSAGE_CHARS) break;
      text += texts[i + 1];
    }
    const truncated = text.length > MAX_MESSAGE_CHARS;
    return { text: truncated ? text.slice(0, MAX_MESSAGE_CHARS) : text, missing: missing ?? NONE, notes: notes && notes.length > 0 ? notes : NONE, truncated };
  };
}

const alone = new WeakMap<CompiledTemplate, { table: FieldTable; render: TemplateRenderer }>();

/** Fills a compiled webhook-rule template from one event payload, on its own (the rule test endpoint; the messaging side has renderSavedTemplate). Missing paths render empty, listed in `missing`. */
export function renderEventTemplate(t: CompiledTemplate, payload: unknown, ctx: RenderContext): Rendered {
  let r = alone.get(t);
  if (!r) {
    const table = new FieldTable();
    r = { table, render: compileRenderer(t, table) };
    alone.set(t, r);
  }
  return r.render(r.table.read(payload), ctx);
}
