// Dotted field paths into untrusted JSON (`data.items.0.title`): own properties only, so a path can never
// reach `__proto__`, `constructor` or anything else on a prototype.
export const MAX_PATH_LENGTH = 200;
export const MAX_PATH_SEGMENTS = 32;

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export type Path = readonly string[];

/** Splits and checks a path; returns a reason when it can never be resolved. */
export function parsePath(path: string): { ok: true; path: Path } | { ok: false; reason: string } {
  const trimmed = path.trim();
  if (trimmed === "") return { ok: false, reason: "field path is empty" };
  if (trimmed.length > MAX_PATH_LENGTH) return { ok: false, reason: `field path is longer than ${MAX_PATH_LENGTH} characters` };
  const segments = trimmed.split(".");
  if (segments.length > MAX_PATH_SEGMENTS) return { ok: false, reason: `field path has more than ${MAX_PATH_SEGMENTS} parts` };
  for (const s of segments) {
    if (s === "") return { ok: false, reason: `"${trimmed}" has an empty part` };
    if (FORBIDDEN.has(s)) return { ok: false, reason: `"${s}" is not allowed in a field path` };
  }
  return { ok: true, path: segments };
}

const ARRAY_INDEX = /^(0|[1-9]\d{0,8})$/;

/** The value at a parsed path, or undefined. Arrays take numeric indexes; nothing inherited is visible. */
export function resolvePath(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    if (Array.isArray(cur)) {
      if (!ARRAY_INDEX.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else {
      if (!Object.hasOwn(cur, seg)) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}

/** The array index a path segment names, worked out once; -1 when it can never index an array. */
export function arrayIndex(seg: string): number {
  return ARRAY_INDEX.test(seg) ? Number(seg) : -1;
}

/** One step of resolvePath with the segment's index known: an array's element or an object's own property. */
export function child(cur: unknown, seg: string, index: number): unknown {
  if (cur === null || typeof cur !== "object") return undefined;
  if (Array.isArray(cur)) return index < 0 ? undefined : cur[index];
  return Object.hasOwn(cur, seg) ? (cur as Record<string, unknown>)[seg] : undefined;
}

/** JSON text of a value cut to `max` characters (with …); never throws, even on cycles or absurd nesting. */
export function boundedJson(v: unknown, max: number): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    return "[unprintable]";
  }
  if (s === undefined) return "";
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Nesting depth of parsed JSON, walked without recursion; stops counting past `limit`. */
export function jsonDepth(root: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    const [v, d] = top;
    if (v === null || typeof v !== "object") continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, d + 1]);
  }
  return max;
}
