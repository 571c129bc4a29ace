// The rule condition language (the seed's JSON) and its validation with precise, path-addressed errors.
import { z } from "zod";
import { parsePath } from "../path";
import { toNumber } from "./compare";

export const COMPARISON_OPERATORS = [
  "equals",
  "not_equals",
  "contains",
  "not_contains",
  "starts_with",
  "exists",
  "not_exists",
  "greater_than",
  "less_than",
  "in",
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export const MAX_CONDITION_DEPTH = 5;
export const MAX_CONDITIONS = 50;
export const MAX_VALUE_LENGTH = 500;
export const MAX_IN_VALUES = 100;

export type Scalar = string | number | boolean | null;
export type Condition = { field: string; operator: ComparisonOperator; value?: Scalar | Scalar[] };
export type Group = { operator: "AND" | "OR"; rules: (Condition | Group)[] };

export type ConditionIssue = { path: string; message: string };

const ScalarSchema = z.union([z.string().max(MAX_VALUE_LENGTH), z.number(), z.boolean(), z.null()]);

const isGroup = (v: unknown): v is { operator?: unknown; rules?: unknown } =>
  typeof v === "object" && v !== null && !Array.isArray(v) && "rules" in v;

/**
 * Validates untrusted condition JSON. Walks the tree by hand (not a recursive zod schema) so each error names
 * exactly where it is (`rules.1.rules.0.operator`) and what is wrong, and depth/size limits apply before anything else.
 */
export function validateConditions(input: unknown): { ok: true; value: Group } | { ok: false; issues: ConditionIssue[] } {
  const issues: ConditionIssue[] = [];
  let count = 0;

  const walkGroup = (node: unknown, at: string, depth: number): Group | undefined => {
    const here = at || "conditions";
    if (!isGroup(node)) {
      issues.push({ path: here, message: 'a group must be an object {"operator":"AND"|"OR","rules":[…]}' });
      return undefined;
    }
    if (depth > MAX_CONDITION_DEPTH) {
      issues.push({ path: here, message: `groups may be nested at most ${MAX_CONDITION_DEPTH} deep` });
      return undefined;
    }
    const extra = Object.keys(node).filter((k) => k !== "operator" && k !== "rules");
    if (extra.length > 0) issues.push({ path: here, message: `unknown key "${extra[0]}" in group` });
    const op = node.operator ?? "AND";
    if (op !== "AND" && op !== "OR") issues.push({ path: join(at, "operator"), message: `group operator must be "AND" or "OR", got ${show(op)}` });
    if (!Array.isArray(node.rules)) {
      issues.push({ path: join(at, "rules"), message: "rules must be an array" });
      return undefined;
    }
    if (node.rules.length === 0) issues.push({ path: join(at, "rules"), message: "a group needs at least one condition" });
    const rules: (Condition | Group)[] = [];
    node.rules.forEach((r: unknown, i: number) => {
      const p = join(at, `rules.${i}`);
      const parsed = isGroup(r) ? walkGroup(r, p, depth + 1) : walkCondition(r, p);
      if (parsed) rules.push(parsed);
    });
    return { operator: op === "OR" ? "OR" : "AND", rules };
  };

  const walkCondition = (node: unknown, at: string): Condition | undefined => {
    count += 1;
    if (count > MAX_CONDITIONS) {
      if (count === MAX_CONDITIONS + 1) issues.push({ path: at, message: `a rule may have at most ${MAX_CONDITIONS} conditions` });
      return undefined;
    }
    if (typeof node !== "object" || node === null || Array.isArray(node)) {
      issues.push({ path: at, message: 'a condition must be an object {"field","operator","value"}' });
      return undefined;
    }
    const o = node as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== "field" && k !== "operator" && k !== "value");
    if (extra.length > 0) issues.push({ path: at, message: `unknown key "${extra[0]}" in condition` });
    let ok = true;
    if (typeof o.field !== "string") {
      issues.push({ path: join(at, "field"), message: "field must be a dotted path such as data.payment_status" });
      ok = false;
    } else {
      const p = parsePath(o.field);
      if (!p.ok) {
        issues.push({ path: join(at, "field"), message: p.reason });
        ok = false;
      }
    }
    const op = o.operator;
    if (typeof op !== "string" || !(COMPARISON_OPERATORS as readonly string[]).includes(op)) {
      issues.push({ path: join(at, "operator"), message: `unknown operator ${show(op)}; use one of ${COMPARISON_OPERATORS.join(", ")}` });
      return undefined;
    }
    const operator = op as ComparisonOperator;
    const value = o.value;
    if (operator === "exists" || operator === "not_exists") {
      if (value !== undefined && value !== null && value !== true) {
        issues.push({ path: join(at, "value"), message: `${operator} takes no value` });
        ok = false;
      }
      return ok ? { field: String(o.field), operator } : undefined;
    }
    if (value === undefined) {
      issues.push({ path: join(at, "value"), message: `${operator} needs a value` });
      return undefined;
    }
    if (operator === "in") {
      const arr = z.array(ScalarSchema).min(1).max(MAX_IN_VALUES).safeParse(value);
      if (!arr.success) {
        issues.push({ path: join(at, "value"), message: `in needs a list of 1 to ${MAX_IN_VALUES} texts or numbers` });
        return undefined;
      }
      return ok ? { field: String(o.field), operator, value: arr.data } : undefined;
    }
    const scalar = ScalarSchema.safeParse(value);
    if (!scalar.success) {
      issues.push({ path: join(at, "value"), message: `value must be a text (at most ${MAX_VALUE_LENGTH} characters), number, true/false or null` });
      return undefined;
    }
    if ((operator === "greater_than" || operator === "less_than") && toNumber(scalar.data) === undefined) {
      issues.push({ path: join(at, "value"), message: `${operator} needs a number, got ${show(scalar.data)}` });
      return undefined;
    }
    if ((operator === "contains" || operator === "not_contains" || operator === "starts_with") && (scalar.data === null || scalar.data === "")) {
      issues.push({ path: join(at, "value"), message: `${operator} needs a non-empty text` });
      return undefined;
    }
    return ok ? { field: String(o.field), operator, value: scalar.data } : undefined;
  };

  const value = walkGroup(input, "", 1);
  if (issues.length > 0 || !value) return { ok: false, issues: issues.length ? issues : [{ path: "conditions", message: "invalid conditions" }] };
  return { ok: true, value };
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? "nothing" : s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** Every field path a condition tree reads (for "can this ever resolve?" warnings). */
export function conditionFields(g: Group): string[] {
  return g.rules.flatMap((r) => ("rules" in r ? conditionFields(r) : [r.field]));
}
