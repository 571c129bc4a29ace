// The rule engine's reference: a condition tree evaluated by walking it, every comparison straight from
// compare.ts. It is the meaning of a rule; the compiled form (engine.ts) must agree with it on every input
// (property tests), and the test endpoint's trace is built from it, so what a user reads is what it means.
import { boundedJson, parsePath, resolvePath } from "../path";
import { containsValue, equalsValue, existsValue, prepare, startsWithValue, toNumber } from "./compare";
import type { Condition, Group } from "./conditions";

export type TraceEntry = {
  depth: number;
  group: "AND" | "OR" | null;
  field: string;
  actual: unknown;
  operator: string;
  expected: unknown;
  result: boolean;
};

/** One condition's comparison of the value found at its field. */
export function compareCondition(c: Condition, actual: unknown): boolean {
  const one = prepare(Array.isArray(c.value) || c.value === undefined ? null : c.value);
  switch (c.operator) {
    case "equals":
      return equalsValue(actual, one);
    case "not_equals":
      return !equalsValue(actual, one);
    case "contains":
      return containsValue(actual, one);
    case "not_contains":
      return !containsValue(actual, one);
    case "starts_with":
      return startsWithValue(actual, one);
    case "exists":
      return existsValue(actual);
    case "not_exists":
      return !existsValue(actual);
    case "greater_than": {
      const n = toNumber(actual);
      return n !== undefined && one.num !== undefined && n > one.num;
    }
    case "less_than": {
      const n = toNumber(actual);
      return n !== undefined && one.num !== undefined && n < one.num;
    }
    case "in":
      return (Array.isArray(c.value) ? c.value : []).some((v) => equalsValue(actual, prepare(v)));
  }
}

function evaluateCondition(c: Condition, payload: unknown): { actual: unknown; result: boolean } {
  const p = parsePath(c.field);
  if (!p.ok) return { actual: undefined, result: false };
  const actual = resolvePath(payload, p.path);
  return { actual, result: compareCondition(c, actual) };
}

/** The reference evaluation: AND needs every part, OR some part; an empty group never matches. */
export function evaluateGroup(g: Group, payload: unknown): boolean {
  const results = g.rules.map((r) => ("rules" in r ? evaluateGroup(r, payload) : evaluateCondition(r, payload).result));
  return results.length > 0 && (g.operator === "OR" ? results.some(Boolean) : results.every(Boolean));
}

const TRACE_VALUE_CHARS = 200;

function traceValue(v: unknown): unknown {
  if (v === null || v === undefined || typeof v !== "object") return typeof v === "string" && v.length > TRACE_VALUE_CHARS ? `${v.slice(0, TRACE_VALUE_CHARS)}…` : v ?? null;
  const s = boundedJson(v, TRACE_VALUE_CHARS);
  return s.endsWith("…") ? s : v;
}

/** Evaluates every condition (no short-circuit) and records each one, for humans. */
export function traceGroup(g: Group, payload: unknown, trace: TraceEntry[] = [], depth = 0): { result: boolean; trace: TraceEntry[] } {
  const results = g.rules.map((r) => {
    if ("rules" in r) return traceGroup(r, payload, trace, depth + 1).result;
    const { actual, result } = evaluateCondition(r, payload);
    trace.push({ depth, group: g.operator, field: r.field, actual: actual === undefined ? null : traceValue(actual), operator: r.operator, expected: r.value ?? null, result });
    return result;
  });
  const result = results.length > 0 && (g.operator === "OR" ? results.some(Boolean) : results.every(Boolean));
  return { result, trace };
}
