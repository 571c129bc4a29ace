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

/** Compiles a regex rule, or says why it cannot be used. */
export function compileRegex(pattern: string): { ok: true; re: RE2JS } | { ok: false; message: string } {
  if (pattern.length > MAX_PATTERN_CHARS) return { ok: false, message: `pattern is longer than ${MAX_PATTERN_CHARS} characters` };
  try {
    return { ok: true, re: RE2JS.compile(fold(pattern), RE2JS.CASE_INSENSITIVE) };
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
