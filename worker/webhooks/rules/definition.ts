// A whole rule checked together: conditions, template and phone field are errors when they can never
// work, and warnings when they will not resolve against the chosen source's sample payload.
import type { RuleSource } from "../../db/schema";
import { parsePath, resolvePath } from "../path";
import { sourceById } from "../sources";
import { compileTemplate, type CompiledTemplate } from "../templates/render";
import { conditionFields, type Group, validateConditions } from "./conditions";

export type RuleIssue = { path: string; message: string };
export type RuleDefinition = { source: RuleSource; conditions: unknown; template: string; phone_field: string };
export type CheckedRule = { conditions: Group; template: CompiledTemplate; warnings: string[] };

export function checkRule(def: RuleDefinition): { ok: true; value: CheckedRule } | { ok: false; issues: RuleIssue[] } {
  const issues: RuleIssue[] = [];
  const cond = validateConditions(def.conditions);
  if (!cond.ok) issues.push(...cond.issues.map((i) => ({ path: i.path === "conditions" ? i.path : `conditions.${i.path}`, message: i.message })));
  const tpl = compileTemplate(def.template);
  if (!tpl.ok) issues.push(...tpl.issues.map((i) => ({ path: "template", message: i.message })));
  const phone = parsePath(def.phone_field);
  if (!phone.ok) issues.push({ path: "phone_field", message: phone.reason });
  if (!cond.ok || !tpl.ok || !phone.ok) return { ok: false, issues };

  const warnings: string[] = [];
  const adapter = def.source === "any" ? null : sourceById(def.source);
  const sample = adapter?.sample;
  if (adapter && sample) {
    const label = adapter.label;
    const absent = (field: string) => {
      const p = parsePath(field);
      return p.ok && resolvePath(sample, p.path) === undefined;
    };
    for (const f of new Set(tpl.value.fields)) if (absent(f)) warnings.push(`template: {{${f}}} is not in ${label}'s payload and will render empty`);
    for (const f of new Set(conditionFields(cond.value))) if (absent(f)) warnings.push(`conditions: ${f} is not in ${label}'s payload`);
    if (absent(def.phone_field)) warnings.push(`phone_field: ${def.phone_field} is not in ${label}'s payload`);
  }
  return { ok: true, value: { conditions: cond.value, template: tpl.value, warnings } };
}
