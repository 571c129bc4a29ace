// Property-based tests (fast-check) of the rule engine and the template renderer on arbitrary input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FieldTable } from "../../worker/webhooks/fields";
import { jsonDepth, parsePath, resolvePath } from "../../worker/webhooks/path";
import { toNumber } from "../../worker/webhooks/rules/compare";
import { COMPARISON_OPERATORS, type Condition, type Group, validateConditions } from "../../worker/webhooks/rules/conditions";
import { compileGroups, compileMatcher as compileGroup } from "../../worker/webhooks/rules/engine";
import { evaluateGroup, traceGroup } from "../../worker/webhooks/rules/interpret";
import { compileRenderer, compileTemplate, formatRupiah, interpretTemplate, MAX_MESSAGE_CHARS, renderEventTemplate } from "../../worker/webhooks/templates/render";
import { call } from "./helpers";
import { createRule, postWebhook, tenantWithDevice } from "./webhook-fixtures";

const ctx = { timeZone: "Asia/Jakarta", locale: "id" as const };
const segment = fc.oneof(fc.constantFrom("event", "data", "items", "0", "1", "name", "total", "__proto__", "constructor"), fc.string({ maxLength: 6 }));
const fieldPath = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join("."));
const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.double({ noNaN: true }), fc.integer(), fc.boolean(), fc.constant(null));

// Values near what payloads hold: numeric texts, numbers, texts in other cases, so that equals/contains/greater_than
// take their number, text and lower-case branches (and their mixes) often, not only by chance.
const nearScalar = fc.oneof(
  scalar,
  fc.constantFrom("149724.00", "149724", " 12 ", "0x10", "1e3", "-0", "", "Bandung", "bandung", "KOTA BANDUNG", "true", "Infinity", "İstanbul"),
  fc.integer({ min: -3, max: 200000 }).map(String),
);
// Payloads with the keys rules look for, plus hostile keys, at any depth.
const payload = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, nearScalar, fc.array(tie("value"), { maxLength: 4 }), tie("object")),
  object: fc.dictionary(fc.oneof(segment, fc.constant("__proto__")), tie("value"), { maxKeys: 5 }),
})).object;

const condition: fc.Arbitrary<Condition> = fc
  .record({ field: fieldPath, operator: fc.constantFrom(...COMPARISON_OPERATORS), value: nearScalar, list: fc.array(nearScalar, { minLength: 1, maxLength: 4 }) })
  .map(({ field, operator, value, list }) => ({ field, operator, value: operator === "in" ? list : value }));
const group: fc.Arbitrary<Group> = fc.letrec((tie) => ({
  group: fc.record({
    operator: fc.constantFrom("AND" as const, "OR" as const),
    rules: fc.array(fc.oneof({ depthSize: "small" }, condition, tie("group") as fc.Arbitrary<Group>), { minLength: 1, maxLength: 4 }),
  }),
})).group as fc.Arbitrary<Group>;

// Rules and payloads on the same known fields, so that nearly every condition reads a present value and each
// comparison branch (numeric text, other case, array element, missing) is taken many times per run.
const KNOWN_FIELDS = ["event", "data.status", "data.total", "data.name", "data.items", "data.items.0", "data.items.1", "data.missing"];
const knownPayload = fc.record({
  event: nearScalar,
  data: fc.record({ status: nearScalar, total: nearScalar, name: nearScalar, items: fc.array(nearScalar, { maxLength: 3 }) }, { requiredKeys: [] }),
});
const knownCondition: fc.Arbitrary<Condition> = fc
  .record({ field: fc.constantFrom(...KNOWN_FIELDS), operator: fc.constantFrom(...COMPARISON_OPERATORS), value: nearScalar, list: fc.array(nearScalar, { minLength: 1, maxLength: 4 }) })
  .map(({ field, operator, value, list }) => ({ field, operator, value: operator === "in" ? list : value }));
const knownGroup: fc.Arbitrary<Group> = fc.letrec((tie) => ({
  group: fc.record({
    operator: fc.constantFrom("AND" as const, "OR" as const),
    rules: fc.array(fc.oneof({ depthSize: "small" }, knownCondition, knownCondition, tie("group") as fc.Arbitrary<Group>), { minLength: 1, maxLength: 3 }),
  }),
})).group as fc.Arbitrary<Group>;

function clean(): boolean {
  const probe: Record<string, unknown> = {};
  return Object.keys(Object.prototype).length === 0 && probe.polluted === undefined && probe.x === undefined;
}

describe("rule engine properties", () => {
  it("validation never throws on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = validateConditions(v);
        expect(typeof r.ok).toBe("boolean");
        if (!r.ok) expect(r.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it("compiled and traced evaluation never throw, agree with each other and are deterministic", () => {
    fc.assert(
      fc.property(group, payload, (g, p) => {
        const m = compileGroup(g);
        const a = m(p);
        expect(m(p)).toBe(a);
        expect(traceGroup(g, p).result).toBe(a);
      }),
      { numRuns: 500 },
    );
  });

  it("the compiled form decides as the interpreted reference, many rules compiled together over one field table", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(group, knownGroup, knownGroup), { minLength: 1, maxLength: 6 }), fc.array(fc.oneof(payload, knownPayload, knownPayload), { minLength: 1, maxLength: 3 }), (groups, payloads) => {
        const table = new FieldTable();
        const matches = compileGroups(groups, table);
        for (const p of payloads) {
          const fields = table.read(p);
          // Ask in a random-ish order too: a field read first by a later rule must give the same answers.
          for (let i = groups.length - 1; i >= 0; i--) {
            const g = groups[i];
            if (g) expect(matches(i, fields)).toBe(evaluateGroup(g, p));
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("an event's fields are resolvePath's values, read once, whatever the order", () => {
    fc.assert(
      fc.property(fc.array(fieldPath, { minLength: 1, maxLength: 8 }), payload, (fields, p) => {
        const table = new FieldTable();
        const slots = fields.map((f) => table.slotOf(f));
        const read = table.read(p);
        for (const [i, f] of fields.entries()) {
          const k = slots[i];
          const parsed = parsePath(f);
          if (!parsed.ok || k === undefined) {
            expect(parsed.ok).toBe(false);
            expect(k).toBeUndefined();
            continue;
          }
          expect(read.value(k)).toBe(resolvePath(p, parsed.path));
          expect(read.number(k)).toBe(toNumber(resolvePath(p, parsed.path)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("toNumber reads exactly the documented plain decimals", () => {
    const DECIMAL = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
    const spec = (v: string) => (v.length <= 64 && DECIMAL.test(v) && Number.isFinite(Number(v)) ? Number(v) : undefined);
    const numeric = fc
      .tuple(fc.constantFrom("", " ", "\t", "\u00a0", "\ufeff"), fc.constantFrom("", "+", "-"), fc.stringMatching(/^\d{0,4}(\.\d{0,3})?([eE][+-]?\d{1,3})?$/), fc.constantFrom("", " ", "x", "\n"))
      .map((p) => p.join(""));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), numeric, fc.constantFrom("0x1f", "0X1F", "0b1", "0o7", "0B1", "00", "0.", "0e1", "Infinity", "-Infinity", "1e999", "1_000", "0", " 0x1 ")), (v) => {
        expect(toNumber(v)).toBe(spec(v));
      }),
      { numRuns: 1000 },
    );
  });

  it("valid trees survive validation unchanged in meaning", () => {
    fc.assert(
      fc.property(group, payload, (g, p) => {
        const v = validateConditions(JSON.parse(JSON.stringify(g)));
        if (v.ok) expect(compileGroup(v.value)(p)).toBe(compileGroup(g)(p));
      }),
      { numRuns: 300 },
    );
  });

  it("no prototype pollution or prototype reads, whatever the payload and paths", () => {
    fc.assert(
      fc.property(group, fc.string({ maxLength: 200 }), (g, text) => {
        const hostile = JSON.parse(`{"__proto__":{"polluted":1,"x":1},"constructor":{"prototype":{"polluted":1}},"t":${JSON.stringify(text)}}`);
        compileGroup(g)(hostile);
        traceGroup(g, hostile);
        expect(resolvePath({}, ["constructor"])).toBeUndefined();
        expect(resolvePath({}, ["toString"])).toBeUndefined();
        expect(resolvePath([], ["length"])).toBeUndefined();
        expect(clean()).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("numeric strings compare as numbers", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), (a, b) => {
        const g: Group = { operator: "AND", rules: [{ field: "v", operator: "greater_than", value: String(b) }] };
        const actual = a.toFixed(2);
        expect(compileGroup(g)({ v: actual })).toBe(Number(actual) > b);
        expect(toNumber(actual)).toBe(Number(actual));
      }),
      { numRuns: 300 },
    );
  });

  it("deep nesting is measured without recursion and paths are bounded", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(jsonDepth(deep, 32)).toBe(33);
    const path = Array.from({ length: 40 }, () => "a").join(".");
    expect(validateConditions({ operator: "AND", rules: [{ field: path, operator: "exists" }] }).ok).toBe(false);
  });
});

describe("template renderer properties", () => {
  it("compiling any text never throws; rendering never throws, is deterministic and bounded", () => {
    const tpl = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .array(fc.oneof(fc.string({ maxLength: 10 }), fieldPath.map((f) => `{{${f}}}`), fieldPath.map((f) => `{{${f} | rupiah}}`), fieldPath.map((f) => `{{${f} | date:"DD MMM YYYY" | upper}}`), fieldPath.map((f) => `{{${f} | default:"-"}}`)), { maxLength: 20 })
        .map((p) => p.join("")),
    );
    fc.assert(
      fc.property(tpl, payload, (t, p) => {
        const c = compileTemplate(t);
        if (!c.ok) return;
        const r1 = renderEventTemplate(c.value, p, ctx);
        const r2 = renderEventTemplate(c.value, p, ctx);
        expect(r1).toEqual(r2);
        expect(r1.text.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
        expect(clean()).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("the compiled renderer writes what the interpreted reference writes, sharing a field table with others", () => {
    const anyField = fc.oneof(fieldPath, fc.constantFrom(...KNOWN_FIELDS));
    const piece = fc.oneof(
      fc.string({ maxLength: 10 }),
      anyField.map((f) => `{{${f}}}`),
      anyField.map((f) => `{{ ${f} | rupiah}}`),
      anyField.map((f) => `{{${f} | number | default:"0"}}`),
      anyField.map((f) => `{{${f} | date:"DD MMM YYYY" | upper}}`),
      anyField.map((f) => `{{${f} | default:"-" | trim | lower}}`),
    );
    const tpl = fc.array(piece, { maxLength: 12 }).map((p) => p.join(""));
    fc.assert(
      fc.property(fc.array(tpl, { minLength: 1, maxLength: 4 }), fc.oneof(payload, knownPayload), (templates, p) => {
        const table = new FieldTable();
        const compiled = templates.map((t) => compileTemplate(t)).flatMap((c) => (c.ok ? [c.value] : []));
        const renders = compiled.map((c) => compileRenderer(c, table));
        const fields = table.read(p);
        for (const [i, c] of compiled.entries()) {
          const r = renders[i];
          if (r) expect(r(fields, ctx)).toEqual(interpretTemplate(c, p, ctx));
        }
      }),
      { numRuns: 500 },
    );
    const big = compileTemplate(`{{a}}${"x".repeat(4000)}{{b}}{{c}}`);
    if (!big.ok) throw new Error("template");
    const huge = { a: "y".repeat(90), c: null };
    expect(renderEventTemplate(big.value, huge, ctx)).toEqual(interpretTemplate(big.value, huge, ctx));
  });

  it("huge values are bounded to a WhatsApp message", () => {
    const c = compileTemplate("{{a}}{{a}}{{a}}{{b}}");
    if (!c.ok) throw new Error("template");
    const r = renderEventTemplate(c.value, { a: "x".repeat(1_000_000), b: Array.from({ length: 10_000 }, (_, i) => ({ i })) }, ctx);
    expect(r.text.length).toBe(MAX_MESSAGE_CHARS);
    expect(r.truncated).toBe(true);
  });

  it("rupiah formats any amount with Indonesian grouping", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        const s = formatRupiah(n);
        expect(s).toMatch(/^-?Rp\d{1,3}(\.\d{3})*$/);
        expect(Number(s.replace(/[^\d]/g, "")) * (n < 0 ? -1 : 1)).toBe(n === 0 ? 0 : n);
      }),
    );
    expect(formatRupiah(Number("149724.00"))).toBe("Rp149.724");
  });
});

describe("the endpoint on arbitrary bodies", () => {
  it("never answers 500, whatever JSON or bytes arrive", async () => {
    const t = await tenantWithDevice();
    await createRule(t, { source: "any", conditions: { operator: "OR", rules: [{ field: "event", operator: "exists" }, { field: "data.0.x", operator: "contains", value: "a" }] }, template: "{{event | upper}} {{data.net_revenue | rupiah}} {{timestamp | date}}", phone_field: "data.destination_address.phone" });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 200 }), payload.map((p) => JSON.stringify(p))), async (body) => {
        const res = await postWebhook(t.businessId, body ?? "null");
        expect([200, 400]).toContain(res.status);
        expect(res.body.status).toBe(res.status === 200 ? "success" : "error");
      }),
      { numRuns: 60 },
    );
    expect((await call("/api/v1/webhook-logs?limit=1", { cookie: t.cookie })).status).toBe(200);
  });
});
