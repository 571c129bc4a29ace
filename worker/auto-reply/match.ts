// Keyword matching, pure: which rule answers a message. Case- and accent-insensitive (both sides folded the same
// way). Regex rules run on re2js, a linear-time engine: a JavaScript RegExp cannot be interrupted in a Worker, so
// one catastrophic pattern would hang the isolate. Patterns are length-capped and compiled when saved, so a bad one
// is a 400 then and never reaches the inbound path.
import { RE2JS } from "re2js";
import type { AutoReplyMatch } from "../db/schema";

export const MAX_PATTERN_CHARS = 200;
/** Longer messages are matched on their first characters only (bounds the work per message). */
const MAX_TEXT_CHARS = 4096;

/** Lower case, accents removed, whitespace collapsed: "  Harga  KOPÍ " → "harga kopi". */
export function fold(text: string): string {
  return text.slice(0, MAX_TEXT_CHARS).normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

export type MatchRule = { matchType: AutoReplyMatch; pattern: string };

const compiled = new Map<string, RE2JS>();
const CACHE_MAX = 500;

/**
 * Compiles a regex rule, or says why it cannot be used. The pattern loses its accents like the text does, but
 * keeps its case (`\D` is not `\d`): case is the engine's CASE_INSENSITIVE flag. Compiled patterns are cached
 * per isolate.
 */
export function compileRegex(pattern: string): { ok: true; re: RE2JS } | { ok: false; message: string } {
  if (pattern.length > MAX_PATTERN_CHARS) return { ok: false, message: `pattern is longer than ${MAX_PATTERN_CHARS} characters` };
  const hit = compiled.get(pattern);
  if (hit) return { ok: true, re: hit };
  try {
    const re = RE2JS.compile(pattern.normalize("NFD").replace(/\p{M}/gu, ""), RE2JS.CASE_INSENSITIVE);
    if (compiled.size >= CACHE_MAX) compiled.clear();
    compiled.set(pattern, re);
    return { ok: true, re };
  } catch (e) {
    return { ok: false, message: `pattern is not a valid regular expression (RE2 syntax): ${e instanceof Error ? e.message : String(e)}` };
  }
}

export function matches(rule: MatchRule, text: string): boolean {
  const t = fold(text);
  if (rule.matchType === "regex") {
    const c = compileRegex(rule.pattern);
    return c.ok && c.re.matcher(t).find();
  }
  const p = fold(rule.pattern);
  if (!p) return false;
  if (rule.matchType === "exact") return t === p;
  if (rule.matchType === "starts_with") return t.startsWith(p);
  return t.includes(p);
}

/** The first rule (in the given order) that matches, or null. */
export function firstMatch<R extends MatchRule>(rules: R[], text: string): R | null {
  for (const r of rules) if (matches(r, text)) return r;
  return null;
}
