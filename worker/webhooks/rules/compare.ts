// How a payload value compares with a rule's value. Written down in docs/webhooks.md ("Comparisons").
import type { Scalar } from "./conditions";

// Plain decimal numbers only: "149724.00", "-5", "1e3". No thousands separators ("149.724" is the number 149.724).
const DECIMAL = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A finite number from a number or a numeric string; anything else is not a number. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string" || v.length > 64) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) return undefined;
  // Number() also reads "", "  ", "0x1f", "0b1", "0o7". A text starting with 1-9, a sign or a dot that Number()
  // reads is a plain decimal; "0" followed by anything but a letter is one too. The rest (leading spaces, rare)
  // is decided by the grammar itself. Saves the regex on every "149724.00" a rule compares.
  const first = v.charCodeAt(0);
  if ((first >= 49 && first <= 57) || first === 43 || first === 45 || first === 46) return n;
  if (first === 48) {
    const second = v.charCodeAt(1) | 0x20; // lower-cased when a letter
    if (second !== 0x78 && second !== 0x6f && second !== 0x62) return n; // x, o, b
    return undefined;
  }
  return DECIMAL.test(v) ? n : undefined;
}

/** Prepared expected value: its number (when numeric) and its text forms, computed once per rule. */
export type Expected = { raw: Scalar; num: number | undefined; text: string; lower: string };

export function prepare(v: Scalar): Expected {
  const text = v === null ? "" : String(v);
  return { raw: v, num: toNumber(v), text, lower: text.toLowerCase() };
}

/** equals: numbers numerically when both sides are numeric, else exact (case-sensitive) text; null matches missing. */
export function equalsValue(actual: unknown, e: Expected): boolean {
  if (e.raw === null) return actual === null || actual === undefined;
  if (actual === null || actual === undefined || typeof actual === "object") return false;
  if (typeof e.raw === "boolean") return actual === e.raw || (typeof actual === "string" && actual === e.text);
  if (e.num !== undefined) {
    const a = toNumber(actual);
    if (a !== undefined) return a === e.num;
  }
  return String(actual) === e.text;
}

/** contains: case-insensitive substring of a text or number, or an array with an equal element. */
export function containsValue(actual: unknown, e: Expected): boolean {
  if (typeof actual === "string") return actual.toLowerCase().includes(e.lower);
  if (typeof actual === "number") return String(actual).includes(e.lower);
  if (Array.isArray(actual)) return actual.some((x) => equalsValue(x, e));
  return false;
}

export function startsWithValue(actual: unknown, e: Expected): boolean {
  if (typeof actual === "string") return actual.toLowerCase().startsWith(e.lower);
  if (typeof actual === "number") return String(actual).startsWith(e.lower);
  return false;
}

/** exists: present and not null and not blank text (the seed: "field ada / tidak kosong"). */
export function existsValue(actual: unknown): boolean {
  if (actual === undefined || actual === null) return false;
  if (typeof actual === "string") return actual.trim() !== "";
  return true;
}
