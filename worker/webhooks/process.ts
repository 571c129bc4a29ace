// From an event to the messages it should produce: the business's active rules in firing order, each
// matching rule rendered and addressed. Pure (no I/O), so the endpoint, the test endpoint and the
// benchmark run exactly the same code.
import type { Business } from "../db/businesses";
import type { NewTextMessage } from "../db/messages";
import type { ActiveRule } from "../db/webhook-rules";
import type { WebhookSource } from "../db/schema";
import { normalizePhone, toJid } from "../lib/phone";
import { compileGroup, type Matcher } from "./rules/engine";
import { checkRule } from "./rules/definition";
import { parsePath, type Path, resolvePath } from "./path";
import { type CompiledTemplate, renderTemplate } from "./templates/render";

type CompiledRule = { matcher: Matcher; template: CompiledTemplate; phonePath: Path } | { error: string };

// Compiled once per rule version (id + updated_at), per isolate.
const compiled = new Map<string, CompiledRule>();
const MAX_COMPILED = 2000;

export function compileRule(rule: Pick<ActiveRule, "id" | "updatedAt" | "source" | "conditions" | "template" | "phoneField">): CompiledRule {
  const key = `${rule.id}:${rule.updatedAt}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const checked = checkRule({ source: rule.source, conditions: rule.conditions, template: rule.template, phone_field: rule.phoneField });
  const phone = parsePath(rule.phoneField);
  const value: CompiledRule =
    checked.ok && phone.ok
      ? { matcher: compileGroup(checked.value.conditions), template: checked.value.template, phonePath: phone.path }
      : { error: checked.ok ? "phone_field is not valid" : (checked.issues[0]?.message ?? "rule is not valid") };
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(key, value);
  return value;
}

/** Every message an event produces has this key prefix, then the rule id. */
export function messageKeyPrefix(eventKey: string): string {
  return `webhook:${eventKey}:`;
}

export type RuleOutcome = { rule: string; ok: boolean; detail: string };
export type Plan = { matched: string[]; messages: NewTextMessage[]; outcomes: RuleOutcome[] };

export function planMessages(args: {
  business: Pick<Business, "id" | "timezone" | "locale" | "country">;
  rules: ActiveRule[];
  source: WebhookSource;
  eventKey: string;
  payload: unknown;
}): Plan {
  const { business, source, eventKey, payload } = args;
  const plan: Plan = { matched: [], messages: [], outcomes: [] };
  const ctx = { timeZone: business.timezone, locale: business.locale };
  // Rules of one event usually read the same phone field: normalise each value once.
  const phones = new Map<unknown, ReturnType<typeof normalizePhone>>();
  for (const rule of args.rules) {
    if (rule.source !== "any" && rule.source !== source) continue;
    const c = compileRule(rule);
    if ("error" in c) {
      plan.outcomes.push({ rule: rule.name, ok: false, detail: `rule cannot run: ${c.error}` });
      continue;
    }
    if (!c.matcher(payload)) continue;
    plan.matched.push(rule.name);
    if (!rule.deviceExists) {
      plan.outcomes.push({ rule: rule.name, ok: false, detail: `device ${rule.deviceKey} no longer exists` });
      continue;
    }
    const rawPhone = resolvePath(payload, c.phonePath);
    const phone = phones.get(rawPhone) ?? normalizePhone(rawPhone, business.country);
    phones.set(rawPhone, phone);
    if (!phone.ok) {
      plan.outcomes.push({ rule: rule.name, ok: false, detail: `${rule.phoneField}: ${phone.reason}` });
      continue;
    }
    const r = renderTemplate(c.template, payload, ctx);
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
