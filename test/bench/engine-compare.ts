// Rule engine + renderer against json-logic-js + mustache: the same 20 rules over the same payloads.
import jsonLogic from "json-logic-js";
import Mustache from "mustache";
import { SCALEV_SAMPLE } from "../../worker/webhooks/sources/scalev";
import { compileGroup } from "../../worker/webhooks/rules/engine";
import { compileTemplate, renderTemplate } from "../../worker/webhooks/templates/render";
import { benchRules, toJsonLogic } from "./rules-fixture";

export type EngineResult = { ping: number; baseline: number; ratio: number; evaluations: number; matches: number };

function payloads(n: number): unknown[] {
  const statuses = ["unpaid", "paid"];
  const events = ["order.created", "order.updated", "order.shipped"];
  return Array.from({ length: n }, (_, i) => ({
    ...SCALEV_SAMPLE,
    event: events[i % events.length],
    unique_id: `evt_${i}`,
    data: {
      ...SCALEV_SAMPLE.data,
      order_id: `ORD${100000 + i}`,
      payment_status: statuses[i % 2],
      net_revenue: `${50000 + ((i * 7919) % 200000)}.00`,
      gross_revenue: `${60000 + ((i * 104729) % 900000)}.00`,
      total_quantity: 1 + (i % 12),
    },
  }));
}

function timeIt(fn: () => number, minMs: number): { perSec: number; matches: number } {
  // Warm up (JIT, caches), then run whole passes until minMs has elapsed.
  fn();
  fn();
  let passes = 0;
  let matches = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    matches = fn();
    passes += 1;
  }
  const elapsed = performance.now() - start;
  return { perSec: (passes * 1000) / elapsed, matches };
}

export function compareEngines(minMs = 3000): EngineResult {
  const rules = benchRules();
  const events = payloads(500);
  const ping = rules.map((r) => {
    const t = compileTemplate(r.template);
    if (!t.ok) throw new Error(`template of ${r.name}`);
    return { match: compileGroup(r.conditions), template: t.value };
  });
  const baseline = rules.map((r) => ({ logic: toJsonLogic(r.conditions), template: r.template }));
  const ctx = { timeZone: "Asia/Jakarta", locale: "id" as const };
  Mustache.escape = (s: string) => s; // WhatsApp text is not HTML

  // Same decisions and the same texts, or the comparison means nothing.
  for (const p of events) {
    for (let i = 0; i < rules.length; i++) {
      const a = ping[i];
      const b = baseline[i];
      if (!a || !b) continue;
      const ma = a.match(p);
      const mb = Boolean(jsonLogic.apply(b.logic as jsonLogic.RulesLogic, p));
      if (ma !== mb) throw new Error(`rule ${i} disagrees on ${JSON.stringify(p)}`);
      if (ma && renderTemplate(a.template, p, ctx).text !== Mustache.render(b.template, p)) throw new Error(`rule ${i} renders differently`);
    }
  }

  const runPing = () => {
    let n = 0;
    for (const p of events) for (const r of ping) if (r.match(p)) n += renderTemplate(r.template, p, ctx).text.length > 0 ? 1 : 0;
    return n;
  };
  const runBaseline = () => {
    let n = 0;
    for (const p of events) for (const r of baseline) if (jsonLogic.apply(r.logic as jsonLogic.RulesLogic, p)) n += Mustache.render(r.template, p).length > 0 ? 1 : 0;
    return n;
  };
  const a = timeIt(runPing, minMs);
  const b = timeIt(runBaseline, minMs);
  if (a.matches !== b.matches) throw new Error("match counts differ");
  const perPass = events.length;
  return { ping: a.perSec * perPass, baseline: b.perSec * perPass, ratio: a.perSec / b.perSec, evaluations: events.length * rules.length, matches: a.matches };
}
