// npm run bench:webhook — the webhook path under load, side by side with (a) a bare Worker and (b) a Worker
// doing only the same I/O, all in plain miniflare (the `miniflare` package API) on this machine; then the
// rule engine + renderer against json-logic-js + mustache. Prints the figures and records them in
// docs/benchmarks.md under "## Webhook path (bench:webhook)".
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { SCALEV_SAMPLE } from "../../worker/webhooks/sources/scalev";
import { compareEngines } from "./engine-compare";
import { type LocalD1, type PlainWorker, ROOT, startLocalWorker, startPlainWorker } from "../support/local-worker";
import { benchRules } from "./rules-fixture";
import { beforeBuild } from "../support/before-build";
import { cpuMs, listenerPid } from "../support/proc-cpu";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
// Short slices, interleaved a → b → ping, repeated: the machine is shared, so load drifts; adjacent slices see
// the same conditions and the per-round ratios are compared, not blocks measured minutes apart.
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
// BENCH_BEFORE=<git revision> (e.g. main): that revision's Worker runs as a fourth target in the same rounds,
// so a change is shown before/after side by side under the same load.
const BEFORE = process.env.BENCH_BEFORE;
const BUSINESS_ID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const DEVICE_KEY = "03359ec3-2052-43ff-9495-6155b8cab4cc";

type Target = { name: string; pid: number | null } & PlainWorker;
type Figures = { rps: number; p50: number; p99: number; errors: number; non2xx: number; requests: number; cpuMs: number };

// CPU time per request of the target's workerd process (the Worker, its D1 and its queue broker; not the load
// generator): the figure that compares builds on a busy machine (../support/proc-cpu.ts).

async function seed(db: LocalD1): Promise<void> {
  // A package with a messages-per-day limit far above the run, so every request pays the limit check (a
  // package lookup and one counter read) without ever reaching it.
  await db
    .prepare("INSERT INTO packages (id, name, price_monthly, price_yearly, messages_per_day, purchasable) VALUES ('bench', 'Bench', 0, 0, 100000000, 0)")
    .run();
  await db
    .prepare("INSERT INTO businesses (id, name, active_until, package) VALUES (?, 'Toko Bench', ?, 'bench')")
    .bind(BUSINESS_ID, Date.now() + 365 * 86_400_000)
    .run();
  await db
    .prepare("INSERT INTO devices (device_key, business_id, name, provider, status, webhook_secret_enc) VALUES (?, ?, 'CS', 'sandbox', 'connected', 'x')")
    .bind(DEVICE_KEY, BUSINESS_ID)
    .run();
  const now = Date.now();
  for (const [i, r] of benchRules().entries()) {
    await db
      .prepare("INSERT INTO webhook_rules (id, business_id, name, source, conditions, template, phone_field, device_key, active, priority, updated_at) VALUES (?, ?, ?, 'scalev', ?, ?, 'data.destination_address.phone', ?, 1, ?, ?)")
      .bind(crypto.randomUUID(), BUSINESS_ID, r.name, JSON.stringify(r.conditions), r.template, DEVICE_KEY, i, now)
      .run();
  }
}

// The comparison Workers read the seeded business and device from their vars.
const plain = (file: string, withDb: boolean) => startPlainWorker({ scriptPath: path.join(import.meta.dirname, "workers", file), withDb, vars: { BUSINESS_ID, DEVICE_KEY } });

let counter = 0;
function body(): string {
  counter += 1;
  return JSON.stringify({ ...SCALEV_SAMPLE, unique_id: `bench_${process.pid}_${counter}`, data: { ...SCALEV_SAMPLE.data, order_id: `B${counter}` } });
}

async function load(t: Target, seconds: number): Promise<Figures> {
  const cpuBefore = cpuMs(t.pid);
  const r = await autocannon({
    url: new URL(`/webhook/${BUSINESS_ID}`, t.url).toString(),
    connections: CONNECTIONS,
    duration: seconds,
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "Scalev-Webhook/1.0" },
    requests: [{ setupRequest: (req) => Object.assign(req, { body: body() }) }],
  });
  const cpu = (cpuMs(t.pid) - cpuBefore) / Math.max(1, r.requests.total);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, requests: r.requests.total, cpuMs: cpu };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

const fmt = (n: number, d = 0) => n.toFixed(d);

const loadAvg = () => os.loadavg().map((x) => x.toFixed(1)).join(" / ");

async function main() {
  const loadBefore = loadAvg();
  console.log(`bench:webhook — ${CONNECTIONS} connections, ${ROUNDS} rounds × ${DURATION_S}s per target, ${os.cpus().length} cores`);
  const before = BEFORE ? beforeBuild(BEFORE) : undefined;
  const started = [
    { name: "bare", ...(await plain("bare.js", false)) },
    { name: "io-only", ...(await plain("io-only.js", true)) },
    ...(before ? [{ name: "before", ...(await startLocalWorker({ queueConsumers: false, scriptPath: before.scriptPath })) }] : []),
    { name: "ping", ...(await startLocalWorker({ queueConsumers: false })) },
  ];
  const targets: Target[] = started.map((t) => ({ ...t, pid: listenerPid(t.url) }));
  for (const t of targets) if (t.db) await seed(t.db);
  const results = new Map<string, Figures[]>(targets.map((t) => [t.name, []]));
  try {
    for (const t of targets) await load(t, 2); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const f = await load(t, DURATION_S);
        results.get(t.name)?.push(f);
        console.log(`  round ${round + 1} ${t.name.padEnd(8)} ${fmt(f.rps)} req/s  p50 ${f.p50} ms  p99 ${f.p99} ms  cpu ${fmt(f.cpuMs, 2)} ms/req  non-2xx ${f.non2xx}  errors ${f.errors}`);
      }
    }
    // The webhook path really did its work: two queued messages and one success log per accepted event.
    const ping = targets.find((t) => t.name === "ping");
    if (ping?.db) {
      const m = await ping.db.prepare("SELECT count(*) AS n FROM messages").first<{ n: number }>();
      const l = await ping.db.prepare("SELECT count(*) AS n FROM webhook_logs WHERE status = 'success'").first<{ n: number }>();
      console.log(`  ping wrote ${m?.n} messages and ${l?.n} success logs`);
      if (!m || !l || m.n !== 2 * l.n) throw new Error("the webhook path did not write two messages per event");
    }
  } finally {
    await Promise.all(targets.map((t) => t.close()));
  }
  const agg = (name: string) => {
    const rs = results.get(name) ?? [];
    return {
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      cpu: median(rs.map((r) => r.cpuMs)),
      bad: rs.reduce((a, r) => a + r.non2xx + r.errors, 0),
    };
  };
  const bare = agg("bare");
  const io = agg("io-only");
  const ping = agg("ping");
  const pingRounds = results.get("ping") ?? [];
  const ioRounds = results.get("io-only") ?? [];
  const throughputRatio = median(pingRounds.map((r, i) => r.rps / (ioRounds[i]?.rps ?? Number.NaN)));
  const p99Ratio = median(pingRounds.map((r, i) => r.p99 / (ioRounds[i]?.p99 ?? Number.NaN)));
  const p99Ratios = pingRounds.map((r, i) => r.p99 / (ioRounds[i]?.p99 ?? Number.NaN));
  const worstP99 = Math.max(...p99Ratios);
  const beforeRounds = results.get("before") ?? [];
  const old = agg("before");

  console.log("engine: Ping rule engine + renderer vs json-logic-js + mustache (20 rules × 500 payloads)…");
  const engine = compareEngines();

  const loadAfter = loadAvg();
  const lines = [
    `Command: \`npm run bench:webhook\` · ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "cpu"}) · Node ${process.version} · miniflare (plain package API), autocannon on loopback, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION_S} s per target (a, b,${BEFORE ? " Ping before," : ""} Ping, repeated); figures are medians over rounds, ratios are medians of the per-round ratios. Load average (1/5/15 min) before → after: ${loadBefore} → ${loadAfter}.`,
    "",
    "The webhook request: the seed's Scalev payload (unique `unique_id` per request) against a business with 20 active rules, 2 of which match — so each request writes 2 message rows + event claim + log in one D1 batch and sends 2 queue jobs. Queue consumers are not attached in any target (the request path is measured, not delivery).",
    "",
    "| Target | req/s | p50 ms | p99 ms | workerd CPU ms/request | non-2xx/errors |",
    "|---|---:|---:|---:|---:|---:|",
    `| (a) bare Worker (answers 200) | ${fmt(bare.rps)} | ${bare.p50} | ${bare.p99} | ${fmt(bare.cpu, 2)} | ${bare.bad} |`,
    `| (b) same I/O only (1 D1 batch + 1 queue send) | ${fmt(io.rps)} | ${io.p50} | ${io.p99} | ${fmt(io.cpu, 2)} | ${io.bad} |`,
    ...(before ? [`| Ping before (${before.commit}), same rounds | ${fmt(old.rps)} | ${old.p50} | ${old.p99} | ${fmt(old.cpu, 2)} | ${old.bad} |`] : []),
    `| Ping webhook path (20 rules) | ${fmt(ping.rps)} | ${ping.p50} | ${ping.p99} | ${fmt(ping.cpu, 2)} | ${ping.bad} |`,
    "",
    `CPU per request (the Worker's workerd process: Worker, D1, queue broker; medians of rounds) — Ping ${fmt(ping.cpu / io.cpu, 2)}× the I/O floor's${before ? `, before ${fmt(old.cpu / io.cpu, 2)}×` : ""}; this ratio hardly moves with the machine's other load, req/s and p99 do.`,
    "",
    ...(before
      ? [
          `- Before (${before.commit}) per round, throughput / p99 vs (b): ${beforeRounds.map((r, i) => `${fmt((r.rps / (ioRounds[i]?.rps ?? 1)) * 100)}% / ${fmt(r.p99 / (ioRounds[i]?.p99 ?? 1), 2)}×`).join(", ")}; medians **${fmt(median(beforeRounds.map((r, i) => r.rps / (ioRounds[i]?.rps ?? Number.NaN))) * 100)}%** / **${fmt(median(beforeRounds.map((r, i) => r.p99 / (ioRounds[i]?.p99 ?? Number.NaN))), 2)}×** (worst round ${fmt(Math.max(...beforeRounds.map((r, i) => r.p99 / (ioRounds[i]?.p99 ?? Number.NaN))), 2)}×)`,
        ]
      : []),
    `- Per-round Ping/(b) throughput (the spread is the shared machine: other engineers' test runs share its 2 cores): ${pingRounds.map((r, i) => fmt((r.rps / (ioRounds[i]?.rps ?? 1)) * 100)).join("%, ")}%`,
    `- Per-round Ping/(b) p99: ${pingRounds.map((r, i) => fmt(r.p99 / (ioRounds[i]?.p99 ?? 1), 2)).join("×, ")}×`,
    `- Throughput Ping / (b): **${fmt(throughputRatio * 100)}%** (target ≥ 90%) — ${throughputRatio >= 0.9 ? "met" : "NOT met"}`,
    `- p99 latency Ping / (b): **${fmt(p99Ratio, 2)}×** median of rounds (target ≤ 1.25×), worst round **${fmt(worstP99, 2)}×** (target ≤ 1.6×) — ${p99Ratio <= 1.25 && worstP99 <= 1.6 ? "met" : "NOT met"}`,
    `- Rule engine + renderer: **${fmt(engine.ping)} payloads/s** vs json-logic-js + mustache **${fmt(engine.baseline)} payloads/s** (each payload: 20 rules evaluated, matching ones rendered; identical decisions and texts checked first; the two alternate in 100 ms slices timed by this thread's CPU time, ratio = median of the slice pairs' ratios) → **${fmt(engine.ratio, 1)}×** (target ≥ 10×) — ${engine.ratio >= 10 ? "met" : "NOT met"}`,
  ];
  const section = `## Webhook path (bench:webhook)\n\n${lines.join("\n")}\n`;
  console.log(`\n${section}`);
  const file = path.join(ROOT, "docs/benchmarks.md");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\nFigures recorded by the `npm run bench:*` scripts on the project's machine.\n";
  const re = /## Webhook path \(bench:webhook\)\n[\s\S]*?(?=\n## |$)/;
  const next = re.test(current) ? current.replace(re, section) : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  console.log(`recorded in ${path.relative(ROOT, file)}`);
}

await main();
