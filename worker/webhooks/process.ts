// From an event to the messages it should produce: the business's active rules in firing order, each
// matching rule rendered and addressed. Pure (no I/O), so the endpoint, the test endpoint and the
// benchmark run exactly the same code.
import type { Business } from "../db/businesses";
import type { NewTextMessage } from "../db/messages";
import type { ActiveRule } from "../db/webhook-rules";
import type { WebhookSource } from "../db/schema";
import { normalizePhone, toJid } from "../lib/phone";
import { FieldTable } from "./fields";
import { compileGroups, type SetMatcher } from "./rules/engine";
import { checkRule } from "./rules/definition";
import type { Group } from "./rules/conditions";
import { parsePath, type Path } from "./path";
import { type CompiledTemplate, compileRenderer, type TemplateRenderer } from "./templates/render";

type CheckedRule = { conditions: Group; template: CompiledTemplate; phonePath: Path } | { error: string };

// Checked and parsed once per rule version (id + updated_at), per isolate.
const checkedRules = new Map<string, CheckedRule>();
const MAX_CHECKED = 2000;

function compileRule(rule: Pick<ActiveRule, "id" | "updatedAt" | "source" | "conditions" | "template" | "phoneField">): CheckedRule {
  const key = `${rule.id}:${rule.updatedAt}`;
  const hit = checkedRules.get(key);
  if (hit) return hit;
  const checked = checkRule({ source: rule.source, conditions: rule.conditions, template: rule.template, phone_field: rule.phoneField });
  const phone = parsePath(rule.phoneField);
  const value: CheckedRule =
    checked.ok && phone.ok
      ? { conditions: checked.value.conditions, template: checked.value.template, phonePath: phone.path }
      : { error: checked.ok ? "phone_field is not valid" : (checked.issues[0]?.message ?? "rule is not valid") };
  if (checkedRules.size >= MAX_CHECKED) checkedRules.clear();
  checkedRules.set(key, value);
  return value;
}

type RunnableRule = { render: TemplateRenderer; phoneSlot: number } | { error: string };
export type CompiledRules = { table: FieldTable; matches: SetMatcher; rules: RunnableRule[] };

// A business's active rules compiled together, so that every field they and their templates read is read
// once per event (fields.ts). Keyed by the rule list the context cache holds: a reload (new versions, new
// rules) is a new list and compiles again from the per-version checks above; the old one is collected with it.
const compiledSets = new WeakMap<readonly ActiveRule[], CompiledRules>();

export function compileRules(rules: readonly ActiveRule[]): CompiledRules {
  const hit = compiledSets.get(rules);
  if (hit) return hit;
  const table = new FieldTable();
  const checked = rules.map(compileRule);
  const set: CompiledRules = {
    table,
    matches: compileGroups(checked.map((c) => ("error" in c ? undefined : c.conditions)), table),
    rules: checked.map((c) => ("error" in c ? c : { render: compileRenderer(c.template, table), phoneSlot: table.slot(c.phonePath) })),
  };
  compiledSets.set(rules, set);
  return set;
}

/** Every message an event produces has this key prefix, then the rule id. */
export function messageKeyPrefix(eventKey: string): string {
  return `webhook:${eventKey}:`;
}

export type RuleOutcome = { rule: string; ok: boolean; detail: string };
/** `matchedIds`: the ids of the matched rules (campaigns triggered by a rule enrol the event's customer). */
export type Plan = { matched: string[]; matchedIds: string[]; messages: NewTextMessage[]; outcomes: RuleOutcome[] };

export function planMessages(args: {
  business: Pick<Business, "id" | "timezone" | "locale" | "country">;
  rules: readonly ActiveRule[];
  source: WebhookSource;
  eventKey: string;
  payload: unknown;
}): Plan {
  const { business, source, eventKey, payload } = args;
  const plan: Plan = { matched: [], matchedIds: [], messages: [], outcomes: [] };
  const ctx = { timeZone: business.timezone, locale: business.locale };
  const compiled = compileRules(args.rules);
  const fields = compiled.table.read(payload);
  // Rules of one event usually read the same phone field: normalise each value once.
  const phones = new Map<unknown, ReturnType<typeof normalizePhone>>();
  for (const [i, rule] of args.rules.entries()) {
    if (rule.source !== "any" && rule.source !== source) continue;
    const c = compiled.rules[i];
    if (!c) continue;
    if ("error" in c) {
      plan.outcomes.push({ rule: rule.name, ok: false, detail: `rule cannot run: ${c.error}` });
      continue;
    }
    if (!compiled.matches(i, fields)) continue;
    plan.matched.push(rule.name);
    plan.matchedIds.push(rule.id);
    if (!rule.deviceExists) {
      plan.outcomes.push({ rule: rule.name, ok: false, detail: `device ${rule.deviceKey} no longer exists` });
      continue;
    }
    const rawPhone = fields.value(c.phoneSlot);
    const phone = phones.get(rawPhone) ?? normalizePhone(rawPhone, business.country);
    phones.set(rawPhone, phone);
    if (!phone.ok) {
      plan.outcomes.push({ rule: rule.name, ok: false, detail: `${rule.phoneField}: ${phone.reason}` });
      continue;
    }
    const r = c.render(fields, ctx);
    if (r.text.trim() === "") {
      plan.outcomes.push({ rule: rule.name, ok: false, detail: "the message rendered empty" });
      continue;
    }
    const notes = [
      ...(r.missing.length > 0 ? [`missing ${r.missing.map((m) => `{{${m}}}`).join(", ")}`] : []),
      ...r.notes,
      ...(r.truncated ? ["message cut to 4096 characters"] : []),
    ];
    plan.outcomes.push({ rule: rule.name, ok: true, detail: `→ ${phone.digits}${notes.length ? ` (${notes.join("; ")})` : ""}` });
    plan.messages.push({
      id: crypto.randomUUID(),
      businessId: business.id,
      deviceKey: rule.deviceKey,
      // One message per (event, rule): a replay of the event can never create a second row.
      idempotencyKey: `${messageKeyPrefix(eventKey)}${rule.id}`,
      to: toJid(phone.digits),
      text: r.text,
      source: "rule",
      lane: "transactional",
    });
  }
  return plan;
}

/** The log line of a processed event. */
export function planSummary(plan: Plan): string {
  if (plan.matched.length === 0) return "No rule matched";
  return plan.outcomes.map((o) => `${o.rule}: ${o.ok ? "queued" : "failed"} ${o.detail}`).join("\n");
}
