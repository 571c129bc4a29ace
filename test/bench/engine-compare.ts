// Rule engine + renderer against json-logic-js + mustache: the same 20 rules over the same payloads.
import jsonLogic from "json-logic-js";
import Mustache from "mustache";
import { SCALEV_SAMPLE } from "../../worker/webhooks/sources/scalev";
import { FieldTable } from "../../worker/webhooks/fields";
import { compileGroups } from "../../worker/webhooks/rules/engine";
import { compileRenderer, compileTemplate } from "../../worker/webhooks/templates/render";
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

// The machine is shared: a block of one engine then a block of the other would see different loads. So the
// two run in alternating slices, each timed by this thread's own CPU time (time spent descheduled does not
// count), and the ratio is the median of the per-slice-pair ratios.
const SLICE_MS = 100;

function cpuMs(): number {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
}

function slice(fn: () => number): { passesPerCpuMs: number; matches: number } {
  let passes = 0;
  let matches = 0;
  const wall = performance.now();
  const cpu = cpuMs();
  while (performance.now() - wall < SLICE_MS) {
    matches = fn();
    passes += 1;
  }
  return { passesPerCpuMs: passes / Math.max(cpuMs() - cpu, 0.001), matches };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

export function compareEngines(minMs = 6000): EngineResult {
  const rules = benchRules();
  const events = payloads(500);
  // As webhooks/process.ts compiles a business's rules: one field table for all 20 rules and their templates.
  const table = new FieldTable();
  const matches = compileGroups(rules.map((r) => r.conditions), table);
  const renders = rules.map((r) => {
    const t = compileTemplate(r.template);
    if (!t.ok) throw new Error(`template of ${r.name}`);
    return compileRenderer(t.value, table);
  });
  const baseline = rules.map((r) => ({ logic: toJsonLogic(r.conditions), template: r.template }));
  const ctx = { timeZone: "Asia/Jakarta", locale: "id" as const };
  Mustache.escape = (s: string) => s; // WhatsApp text is not HTML

  // Same decisions and the same texts, or the comparison means nothing.
  for (const p of events) {
    const fields = table.read(p);
    for (let i = 0; i < rules.length; i++) {
      const render = renders[i];
      const b = baseline[i];
      if (!render || !b) continue;
      const ma = matches(i, fields);
      const mb = Boolean(jsonLogic.apply(b.logic as jsonLogic.RulesLogic, p));
      if (ma !== mb) throw new Error(`rule ${i} disagrees on ${JSON.stringify(p)}`);
      if (ma && render(fields, ctx).text !== Mustache.render(b.template, p)) throw new Error(`rule ${i} renders differently`);
    }
  }

  // Per event, as the planner does: read the event's fields (lazily), evaluate every rule, render the matches.
  const runPing = () => {
    let n = 0;
    for (const p of events) {
      const fields = table.read(p);
      for (let i = 0; i < renders.length; i++) {
        const render = renders[i];
        if (render && matches(i, fields)) n += render(fields, ctx).text.length > 0 ? 1 : 0;
      }
    }
    return n;
  };
  const runBaseline = () => {
    let n = 0;
    for (const p of events) for (const r of baseline) if (jsonLogic.apply(r.logic as jsonLogic.RulesLogic, p)) n += Mustache.render(r.template, p).length > 0 ? 1 : 0;
    return n;
  };
  // Warm up (JIT, caches).
  for (let i = 0; i < 3; i++) {
    runPing();
    runBaseline();
  }
  const a: number[] = [];
  const b: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs) {
    const x = slice(runPing);
    const y = slice(runBaseline);
    if (x.matches !== y.matches) throw new Error("match counts differ");
    a.push(x.passesPerCpuMs);
    b.push(y.passesPerCpuMs);
  }
  const perPass = events.length * 1000;
  return {
    ping: median(a) * perPass,
    baseline: median(b) * perPass,
    ratio: median(a.map((x, i) => x / (b[i] ?? Number.NaN))),
    evaluations: events.length * rules.length,
    matches: runPing(),
  };
}
