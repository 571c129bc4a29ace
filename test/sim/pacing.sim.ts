// npm run sim:pacing — the broadcast pacer (worker/broadcasts/pacer.ts) on a simulated clock: a 10,000-recipient
// broadcast on one number (new, so the warm-up applies) with a transactional message every 5 minutes. Prints the
// gap histogram, rests, daily totals, the longest wait of a transactional message, checks that no two consecutive
// recipients got byte-identical bodies, and appends the figures to docs/benchmarks.md.
import { appendFileSync } from "node:fs";
import os from "node:os";
import { checkMessage, varsOf } from "../../worker/broadcasts/message";
import { DEFAULT_PACING } from "../../worker/broadcasts/pacer";
import { simulate } from "../../worker/broadcasts/pacing-sim";
import { pickText } from "../../worker/broadcasts/variations";

const N = 10_000;
const r = simulate({ recipients: N, ageDays: 0, seed: 20261204, transactionalEveryMs: 300_000 });
const buckets = new Map<string, number>();
for (const g of r.gaps) {
  const s = g / 1000;
  const key = s < 10 ? "< 10 s" : s <= 40 ? `${Math.floor(s / 5) * 5}–${Math.floor(s / 5) * 5 + 5} s` : s < 120 ? "40–120 s (cap wait)" : s <= 300 ? "2–5 min (rest, or an hour cap)" : "> 5 min (cap wait)";
  buckets.set(key, (buckets.get(key) ?? 0) + 1);
}
const checked = checkMessage({ texts: ["{Halo|Hai|Selamat pagi} {name}, {ada promo|diskon spesial} {hari ini|minggu ini}!"], variable_defaults: { name: "Kak" } }, new Set());
if (!checked.ok) throw new Error(checked.message);
const names = ["Budi", "Sari", "", "Andi", ""];
let prev: string | null = null;
let identical = 0;
for (let i = 0; i < N; i++) {
  const t = pickText(checked.alternatives, "sim", `r${i}`, varsOf({ name: names[i % names.length] || null, customFields: {} }, { name: "Kak" }), prev);
  if (t === prev) identical++;
  prev = t;
}
const days = r.perDay.map((n, i) => `day ${i + 1}: ${n}`).join(", ");
const lines = [
  `broadcast of ${N} on a new number, pacing defaults ${JSON.stringify(DEFAULT_PACING)}`,
  `broadcast sends: ${r.sent}; transactional sends mixed in: ${r.transactional}; rests: ${r.rests}; max broadcast sends in any hour: ${r.maxPerHour}`,
  `gap histogram: ${[...buckets.entries()].sort().map(([k, v]) => `${k}: ${v}`).join("; ")}`,
  `daily broadcast totals (warm-up, then the day cap): ${days}`,
  `finished after ${((r.endedAt - Date.UTC(2026, 11, 7, 1, 0)) / 86_400_000).toFixed(1)} simulated days`,
  `longest wait of a transactional message: ${r.longestTransactionalWaitMs} ms`,
  `consecutive identical bodies: ${identical}`,
];
for (const l of lines) console.log(l);
if (identical > 0) process.exitCode = 1;
appendFileSync(
  new URL("../../docs/benchmarks.md", import.meta.url),
  `\n## sim:pacing (${new Date().toISOString().slice(0, 10)})\n\nCommand: \`npm run sim:pacing\` on ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, Node ${process.version}. Simulated clock, seeded.\n\n${lines.map((l) => `- ${l}`).join("\n")}\n`,
);
