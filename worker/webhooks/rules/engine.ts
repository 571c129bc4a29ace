// The rule engine as it runs on every event: a validated condition tree compiled (per rule version, see
// webhooks/process.ts) into closures over a FieldTable, so rules compiled together read each field of an
// event once (fields.ts). The expected value is prepared once (its number, its text, its lower case) and each
// comparison specialised for it: the common cases (a text field equals a text, a numeric text above a number)
// are a type check and one comparison. The meaning is interpret.ts's: property tests hold both to the same
// answer on random input.
import { type EventFields, FieldTable } from "../fields";
import { containsValue, equalsValue, existsValue, type Expected, prepare, startsWithValue } from "./compare";
import type { ComparisonOperator, Condition, Group, Scalar } from "./conditions";

/** A compiled condition tree, asked about one event's fields. */
export type FieldMatcher = (fields: EventFields) => boolean;
export type Matcher = (payload: unknown) => boolean;

/** equals, with the branch for the expected value's kind chosen once. Other actual types: the reference. */
function equalsTest(k: number, e: Expected): FieldMatcher {
  if (e.raw === null)
    return (f) => {
      const a = f.value(k);
      return a === null || a === undefined;
    };
  if (typeof e.raw === "boolean") return (f) => equalsValue(f.value(k), e);
  const { num, text } = e;
  if (num !== undefined) {
    // A finite number is compared as a number; a numeric text too; any other text as text.
    return (f) => {
      const a = f.value(k);
      if (typeof a === "number" && Number.isFinite(a)) return a === num;
      if (typeof a === "string") {
        const n = f.number(k);
        return n === undefined ? a === text : n === num;
      }
      return equalsValue(a, e);
    };
  }
  return (f) => {
    const a = f.value(k);
    return typeof a === "string" ? a === text : equalsValue(a, e);
  };
}

function compareTest(k: number, operator: ComparisonOperator, value: Scalar | Scalar[] | undefined): FieldMatcher {
  const one = prepare(Array.isArray(value) || value === undefined ? null : value);
  const lower = one.lower;
  switch (operator) {
    case "equals":
      return equalsTest(k, one);
    case "not_equals": {
      const eq = equalsTest(k, one);
      return (f) => !eq(f);
    }
    case "contains":
      return (f) => {
        const a = f.value(k);
        return typeof a === "string" ? f.lower(k).includes(lower) : containsValue(a, one);
      };
    case "not_contains":
      return (f) => {
        const a = f.value(k);
        return !(typeof a === "string" ? f.lower(k).includes(lower) : containsValue(a, one));
      };
    case "starts_with":
      return (f) => {
        const a = f.value(k);
        return typeof a === "string" ? f.lower(k).startsWith(lower) : startsWithValue(a, one);
      };
    case "exists":
      return (f) => existsValue(f.value(k));
    case "not_exists":
      return (f) => !existsValue(f.value(k));
    case "greater_than": {
      const num = one.num;
      if (num === undefined) return () => false;
      return (f) => {
        const n = f.number(k);
        return n !== undefined && n > num;
      };
    }
    case "less_than": {
      const num = one.num;
      if (num === undefined) return () => false;
      return (f) => {
        const n = f.number(k);
        return n !== undefined && n < num;
      };
    }
    case "in": {
      const all = (Array.isArray(value) ? value : []).map((v) => equalsTest(k, prepare(v)));
      return (f) => {
        for (const t of all) if (t(f)) return true;
        return false;
      };
    }
  }
}

function compileCondition(c: Condition, table: FieldTable): FieldMatcher {
  const k = table.slotOf(c.field);
  if (k === undefined) return () => false;
  return compareTest(k, c.operator, c.value);
}

/** Compiles a validated group over `table`'s slots. AND/OR short-circuit; an empty group never matches. */
export function compileGroup(g: Group, table: FieldTable): FieldMatcher {
  const parts = g.rules.map((r) => ("rules" in r ? compileGroup(r, table) : compileCondition(r, table)));
  const [a, b, c] = parts;
  if (!a) return () => false;
  if (parts.length === 1) return a;
  if (g.operator === "OR") {
    if (parts.length === 2 && b) return (f) => a(f) || b(f);
    if (parts.length === 3 && b && c) return (f) => a(f) || b(f) || c(f);
    return (f) => {
      for (const m of parts) if (m(f)) return true;
      return false;
    };
  }
  if (parts.length === 2 && b) return (f) => a(f) && b(f);
  if (parts.length === 3 && b && c) return (f) => a(f) && b(f) && c(f);
  return (f) => {
    for (const m of parts) if (!m(f)) return false;
    return true;
  };
}

/** One group on its own (its own field table): for a single rule, tests, the benchmark's per-rule view. */
export function compileMatcher(g: Group): Matcher {
  const table = new FieldTable();
  const m = compileGroup(g, table);
  return (payload) => m(table.read(payload));
}

/**
 * A top-level `field equals "text"` conjunct (a non-numeric text) of a rule: when the event's field is some
 * other text, the rule cannot match, and the set below says so without calling into the rule's closures.
 * Rules are mostly keyed by event or status, so most rules of an event are ruled out by one string compare.
 */
function guardOf(g: Group, table: FieldTable): { slot: number; text: string } | undefined {
  if (g.operator !== "AND" && g.rules.length !== 1) return undefined;
  for (const r of g.rules) {
    if ("rules" in r || r.operator !== "equals" || typeof r.value !== "string") continue;
    if (prepare(r.value).num !== undefined) continue;
    const slot = table.slotOf(r.field);
    if (slot !== undefined) return { slot, text: r.value };
  }
  return undefined;
}

/** Whether rule i (of the groups compiled together over `table`) matches an event's fields. */
export type SetMatcher = (i: number, fields: EventFields) => boolean;

/** Groups compiled together (one field table); an undefined group never matches. */
export function compileGroups(groups: readonly (Group | undefined)[], table: FieldTable): SetMatcher {
  const matchers = groups.map((g) => (g ? compileGroup(g, table) : undefined));
  const guards = groups.map((g) => (g ? guardOf(g, table) : undefined));
  const slots = guards.map((x) => x?.slot ?? -1);
  const texts = guards.map((x) => x?.text ?? "");
  return (i, fields) => {
    const slot = slots[i] ?? -1;
    if (slot >= 0) {
      const a = fields.value(slot);
      if (typeof a === "string" && a !== texts[i]) return false;
    }
    const m = matchers[i];
    return m ? m(fields) : false;
  };
}
