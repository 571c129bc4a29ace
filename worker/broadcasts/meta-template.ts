// A Meta template in a broadcast: which placeholders its synced components hold, whether Ping can fill them
// (text header and body only), and each recipient's parameters from the broadcast's mapping. Meta refuses an
// empty parameter and one with newlines, tabs or long runs of spaces (error 132018), so every field mapping
// carries a default and values are flattened. Pure: no I/O.
import { z } from "zod";

const FieldName = z.string().regex(/^[A-Za-z0-9_]{1,64}$/);
/** `{field}`: `name`, `phone` or a custom field key, with a default for contacts that lack it; `{text}`: a literal. */
export const TemplateParam = z.union([z.strictObject({ field: FieldName, default: z.string().trim().min(1).max(200) }), z.strictObject({ text: z.string().trim().min(1).max(1024) })]);
export type TemplateParam = z.infer<typeof TemplateParam>;
/** Placeholder (`1`, `2`, … or a named one) → where its value comes from. */
export const ParamMap = z.record(FieldName, TemplateParam);
export type ParamMap = z.infer<typeof ParamMap>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]{1,64})\s*\}\}/g;
/** Button types whose send needs parameters Ping does not map. */
const PARAM_BUTTONS = new Set(["COPY_CODE", "OTP", "CATALOG", "MPM", "SPM"]);

type Component = Record<string, unknown>;
export type Placeholders = { header: string[]; body: string[]; headerText: string; bodyText: string };

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** Placeholders in send order: numbered ones by number, named ones as written. */
function placeholdersIn(text: string): string[] {
  const names = [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ""))];
  return names.every((n) => /^\d+$/.test(n)) ? names.sort((a, b) => Number(a) - Number(b)) : names;
}

/** The template's text placeholders, or why a broadcast cannot fill it. */
export function placeholdersOf(components: readonly unknown[]): { ok: true; value: Placeholders } | { ok: false; message: string } {
  const comps = components.filter((c): c is Component => typeof c === "object" && c !== null);
  const type = (c: Component) => str(c.type).toUpperCase();
  const header = comps.find((c) => type(c) === "HEADER");
  if (header && str(header.format).toUpperCase() !== "TEXT") return { ok: false, message: `its ${str(header.format).toLowerCase() || "media"} header needs media, which broadcasts do not map` };
  for (const c of comps) {
    const t = type(c);
    if (!["HEADER", "BODY", "FOOTER", "BUTTONS"].includes(t)) return { ok: false, message: `its ${t.toLowerCase()} component is not supported in broadcasts` };
    if (t !== "BUTTONS") continue;
    const buttons = Array.isArray(c.buttons) ? c.buttons.filter((b): b is Component => typeof b === "object" && b !== null) : [];
    for (const b of buttons) {
      const bt = str(b.type).toUpperCase();
      if (PARAM_BUTTONS.has(bt) || (bt === "URL" && str(b.url).includes("{{"))) return { ok: false, message: `its ${bt.toLowerCase()} button needs a parameter, which broadcasts do not map` };
    }
  }
  const headerText = header ? str(header.text) : "";
  const bodyText = str(comps.find((c) => type(c) === "BODY")?.text);
  return { ok: true, value: { header: placeholdersIn(headerText), body: placeholdersIn(bodyText), headerText, bodyText } };
}

/** Whether a broadcast may pick a synced template (APPROVED and fillable), and its placeholders. */
export function selectability(status: string, components: readonly unknown[]): { selectable: boolean; reason: string | null; body: string[]; header: string[] } {
  const p = placeholdersOf(components);
  const reason = status !== "APPROVED" ? `status ${status}` : p.ok ? null : p.message;
  return { selectable: reason === null, reason, body: p.ok ? p.value.body : [], header: p.ok ? p.value.header : [] };
}

/** Every placeholder mapped, nothing mapped that the template lacks, fields known: else the first problem. */
export function checkMapping(p: Placeholders, body: ParamMap, header: ParamMap, fieldKeys: ReadonlySet<string>): string | null {
  for (const [where, names, map] of [["body", p.body, body], ["header", p.header, header]] as const) {
    const missing = names.filter((n) => !Object.hasOwn(map, n));
    if (missing.length) return `the template's ${where} needs ${missing.map((n) => `{{${n}}}`).join(", ")}`;
    const extra = Object.keys(map).filter((n) => !names.includes(n));
    if (extra.length) return `the template's ${where} has no ${extra.map((n) => `{{${n}}}`).join(", ")}`;
    for (const v of Object.values(map)) {
      if ("field" in v && v.field !== "name" && v.field !== "phone" && !fieldKeys.has(v.field)) return `unknown contact field: ${v.field}`;
    }
  }
  return null;
}

export type TemplateContact = { name: string | null; phone: string | null; customFields: Record<string, string | number> };

/** Meta refuses newlines, tabs and more than four spaces in a row in a parameter. */
const flat = (s: string, max: number) => s.replace(/[\n\r\t]+/g, " ").replace(/ {2,}/g, " ").trim().slice(0, max);

function valueOf(p: TemplateParam, c: TemplateContact): string {
  if ("text" in p) return p.text;
  const own = p.field === "name" ? c.name : p.field === "phone" ? c.phone : Object.hasOwn(c.customFields, p.field) ? c.customFields[p.field] : undefined;
  return own === undefined || own === null || String(own).trim() === "" ? p.default : String(own);
}

export type TemplateRender = { components: { type: "header" | "body"; parameters: { type: "text"; text: string; parameter_name?: string }[] }[]; text: string };

/**
 * One recipient's parameters in Meta's `components` shape, and the text they read (header and body filled in).
 * `kept` (from keptValues) replaces the contact's values: a resumed recipient gets what it was first given.
 */
export function renderTemplate(p: Placeholders, body: ParamMap, header: ParamMap, c: TemplateContact, kept?: ReadonlyMap<string, string>): TemplateRender {
  const components: TemplateRender["components"] = [];
  const fill = (text: string, names: string[], map: ParamMap, type: "header" | "body", max: number) => {
    const own = (n: string) => kept?.get(`${type}:${n}`) ?? flat(valueOf(map[n] ?? { text: "-" }, c), max);
    const values = new Map(names.map((n) => [n, own(n) || "-"]));
    const named = names.some((n) => !/^\d+$/.test(n));
    if (names.length) components.push({ type, parameters: names.map((n) => ({ type: "text" as const, text: values.get(n) ?? "-", ...(named ? { parameter_name: n } : {}) })) });
    return text.replace(PLACEHOLDER, (_, n: string) => values.get(n) ?? "");
  };
  const h = fill(p.headerText, p.header, header, "header", 60);
  const b = fill(p.bodyText, p.body, body, "body", 1024);
  // Meta expects the header's parameters before the body's.
  components.sort((x, y) => (x.type === y.type ? 0 : x.type === "header" ? -1 : 1));
  return { components, text: h ? `${h}\n${b}` : b };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The parameter values a recipient's stored text was rendered from (keys `header:1`, `body:first_name`), or null
 * when the text is not this template's. A value holding the template's own words can split ambiguously; the
 * caller re-renders and keeps the values only when the words come out identical, which is what the customer sees.
 */
export function keptValues(p: Placeholders, text: string): Map<string, string> | null {
  const order: string[] = [];
  const pattern = (tpl: string, type: string) => {
    let out = "";
    let last = 0;
    for (const m of tpl.matchAll(PLACEHOLDER)) {
      out += escapeRe(tpl.slice(last, m.index));
      const key = `${type}:${m[1] ?? ""}`;
      const seen = order.indexOf(key);
      if (seen >= 0) out += `\\${seen + 1}`;
      else {
        order.push(key);
        out += "(.+?)";
      }
      last = m.index + m[0].length;
    }
    return out + escapeRe(tpl.slice(last));
  };
  const h = pattern(p.headerText, "header");
  const b = pattern(p.bodyText, "body");
  const m = new RegExp(`^${p.headerText ? `${h}\\n` : ""}${b}$`).exec(text);
  return m ? new Map(order.map((k, i) => [k, m[i + 1] ?? ""])) : null;
}
