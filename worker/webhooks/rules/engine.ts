// The rule engine: a validated condition tree compiled once into closures (paths split, expected values
// prepared), evaluated per event. A traced evaluation explains every condition for the test endpoint.
import { boundedJson, type Path, parsePath, resolvePath } from "../path";
import { containsValue, equalsValue, existsValue, type Expected, prepare, startsWithValue, toNumber } from "./compare";
import type { ComparisonOperator, Condition, Group, Scalar } from "./conditions";

export type Matcher = (payload: unknown) => boolean;

export type TraceEntry = {
  depth: number;
  group: "AND" | "OR" | null;
  field: string;
  actual: unknown;
  operator: string;
  expected: unknown;
  result: boolean;
};

type Test = (actual: unknown) => boolean;

function testFor(operator: ComparisonOperator, value: Scalar | Scalar[] | undefined): Test {
  const one: Expected = prepare(Array.isArray(value) || value === undefined ? null : value);
  switch (operator) {
    case "equals":
      return (a) => equalsValue(a, one);
    case "not_equals":
      return (a) => !equalsValue(a, one);
    case "contains":
      return (a) => containsValue(a, one);
    case "not_contains":
      return (a) => !containsValue(a, one);
    case "starts_with":
      return (a) => startsWithValue(a, one);
    case "exists":
      return existsValue;
    case "not_exists":
      return (a) => !existsValue(a);
    case "greater_than":
      return (a) => {
        const n = toNumber(a);
        return n !== undefined && one.num !== undefined && n > one.num;
      };
    case "less_than":
      return (a) => {
        const n = toNumber(a);
        return n !== undefined && one.num !== undefined && n < one.num;
      };
    case "in": {
      const all = (Array.isArray(value) ? value : []).map(prepare);
      return (a) => all.some((e) => equalsValue(a, e));
    }
  }
}

function pathOf(field: string): Path | undefined {
  const p = parsePath(field);
  return p.ok ? p.path : undefined;
}

function compileCondition(c: Condition): Matcher {
  const path = pathOf(c.field);
  if (!path) return () => false;
  const test = testFor(c.operator, c.value);
  return (payload) => test(resolvePath(payload, path));
}

/** Compiles a validated group. AND/OR short-circuit; an empty group never matches. */
export function compileGroup(g: Group): Matcher {
  const parts = g.rules.map((r) => ("rules" in r ? compileGroup(r) : compileCondition(r)));
  if (parts.length === 0) return () => false;
  if (g.operator === "OR") {
    return (p) => {
      for (const m of parts) if (m(p)) return true;
      return false;
    };
  }
  return (p) => {
    for (const m of parts) if (!m(p)) return false;
    return true;
  };
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
    const path = pathOf(r.field);
    const actual = path ? resolvePath(payload, path) : undefined;
    const result = path ? testFor(r.operator, r.value)(actual) : false;
    trace.push({ depth, group: g.operator, field: r.field, actual: actual === undefined ? null : traceValue(actual), operator: r.operator, expected: r.value ?? null, result });
    return result;
  });
  const result = results.length > 0 && (g.operator === "OR" ? results.some(Boolean) : results.every(Boolean));
  return { result, trace };
}
