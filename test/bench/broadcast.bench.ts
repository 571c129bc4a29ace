// npm run bench:broadcast — a broadcast to every contact of one label (contacts seeded first, untimed), pacing off
// (sandbox device): time from `start` until every recipient's job is accepted by the device outbox
// (messages.accepted_at), and until every sandbox message is `sent` (or delivered); D1 rows written per recipient;
// the workerd process's peak RSS for each size (a fresh workerd per size). Plain miniflare
// (test/support/local-worker.ts). Figures go to docs/benchmarks.md. Target: ≤ 60 s to the outbox at 100k.
// The machine is shared, so besides seconds it reports workerd CPU per recipient (test/support/proc-cpu.ts), which
// load hardly moves. BENCH_SIZES=2000 for a quick loop. BENCH_BEFORE=<git revision> (e.g. main) runs that
// revision's Worker too, at the sizes in BENCH_BEFORE_SIZES (default 10000: the old runner is superlinear), each
// right before this checkout's run of the same size, so the two are compared under the same load.
import os from "node:os";
import { beforeBuild } from "../support/before-build";
import { recordSection } from "../support/bench-record";
import { startLocalWorker } from "../support/local-worker";
import { cpuMs } from "../support/proc-cpu";
import { rssKb, workerdPids } from "../support/proc-memory";

const SIZES = (process.env.BENCH_SIZES ?? "10000,100000").split(",").map(Number);
const BEFORE = process.env.BENCH_BEFORE;
const BEFORE_SIZES = new Set((process.env.BENCH_BEFORE_SIZES ?? "10000").split(",").map(Number));

type Result = {
  build: string;
  n: number;
  toOutbox: number;
  toSent: number;
  cpuOutbox: number;
  cpuSent: number;
  rowsPerRecipient: number;
  changesPerRecipient: number;
  baseMb: number;
  peakMb: number;
  d1GrowthMb: number;
};

async function runSize(n: number, build: string, scriptPath?: string): Promise<Result> {
  const before = new Set(workerdPids());
  const w = await startLocalWorker(scriptPath ? { scriptPath } : {});
  try {
    const pids = workerdPids().filter((p) => !before.has(p));
    const signup = await fetch(`${w.url}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ business_name: "Bench Broadcast", name: "Bench", email: `bench.${Date.now()}@example.co.id`, password: "bench-password-123" }),
    });
    const cookie = /ping_session=[^;]+/.exec(signup.headers.get("set-cookie") ?? "")?.[0] ?? "";
    const businessId = ((await signup.json()) as { business_id: string }).business_id;
    const h = { cookie, "content-type": "application/json", origin: w.url };
    // The package with the most broadcast recipients (untimed setup; limits are not what is measured).
    await w.db.prepare("UPDATE businesses SET package = (SELECT id FROM packages ORDER BY broadcast_recipients_per_month IS NULL DESC, broadcast_recipients_per_month DESC LIMIT 1) WHERE id = ?").bind(businessId).run();
    const dev = (await (await fetch(`${w.url}/api/v1/devices`, { method: "POST", headers: h, body: JSON.stringify({ name: "Bench", provider: "sandbox" }) })).json()) as { device_key: string };
    const label = (await (await fetch(`${w.url}/api/v1/labels`, { method: "POST", headers: h, body: JSON.stringify({ name: "Semua" }) })).json()) as { id: string };
    const now = Date.now();
    for (let i = 0; i < n; i += 1000) {
      const m = Math.min(1000, n - i);
      const rows = Array.from({ length: m }, (_, k) => ({ id: crypto.randomUUID(), name: `Pelanggan ${i + k}`, phone: `62812${String(10000000 + i + k)}` }));
      await w.db.batch([
        w.db.prepare("INSERT INTO contacts (id, business_id, name, phone, updated_at) SELECT value ->> 'id', ?1, value ->> 'name', value ->> 'phone', ?2 FROM json_each(?3)").bind(businessId, now, JSON.stringify(rows)),
        w.db.prepare("INSERT INTO contact_labels (contact_id, label_id) SELECT value ->> 'id', ?1 FROM json_each(?2)").bind(label.id, JSON.stringify(rows)),
      ]);
    }
    const b = (await (
      await fetch(`${w.url}/api/v1/broadcasts`, {
        method: "POST",
        headers: h,
        body: JSON.stringify({ name: "Bench", device_key: dev.device_key, message: { texts: ["{Halo|Hai} {name}, {promo|diskon} hari ini!"] }, audience: { labels_any: [label.id] }, schedule: { window_start: "00:00", window_end: "00:00" } }),
      })
    ).json()) as { id: string };
    const baseRss = Math.max(...pids.map((p) => rssKb(p)));
    const cpu = () => pids.reduce((sum, p) => sum + cpuMs(p), 0);
    // SQLite's row changes (inserts, updates, deletes, triggers' included; index entries not). Local D1 adds one
    // per statement of its own bookkeeping, the bench's polling included: a few hundred in all.
    const changes = async () => (await w.db.prepare("SELECT total_changes() AS n").first<{ n: number }>())?.n ?? 0;
    const changes0 = await changes();
    // Local D1 lives in the workerd process: its growth is part of the RSS growth, reported beside it.
    const d1Size = async () => (await w.db.prepare("SELECT 1").run()).meta.size_after ?? 0;
    const d1Before = await d1Size();
    const cpu0 = cpu();
    let peak = baseRss;
    const sampler = setInterval(() => {
      for (const p of pids) peak = Math.max(peak, rssKb(p));
    }, 100);
    const t0 = performance.now();
    const started = await fetch(`${w.url}/api/v1/broadcasts/${b.id}/start`, { method: "POST", headers: h });
    if (started.status !== 200) throw new Error(`start refused ${started.status} ${await started.text()}`);
    // Polled on indexes whose scanned range shrinks as the broadcast goes (a count over all the business's messages
    // every 250 ms was most of the workerd CPU at 100k): done when no recipient is pending and no message of the
    // business is still queued without an outbox (recipients and their messages are written in one batch).
    const left = async (unaccepted: boolean) =>
      (
        await w.db
          .prepare(
            `SELECT (SELECT count(*) FROM broadcast_recipients WHERE broadcast_id = ?1 AND status = 'pending')
              + (SELECT count(*) FROM messages WHERE status = 'queued' AND business_id = ?2 ${unaccepted ? "AND accepted_at IS NULL" : ""}) AS n`,
          )
          .bind(b.id, businessId)
          .first<{ n: number }>()
      )?.n ?? 0;
    const until = async (unaccepted: boolean): Promise<{ s: number; cpu: number }> => {
      for (;;) {
        const n = await left(unaccepted);
        if (n === 0) return { s: (performance.now() - t0) / 1000, cpu: cpu() - cpu0 };
        if (performance.now() - t0 > 900_000) throw new Error(`stalled with ${n} left (${unaccepted ? "to the outbox" : "to send"})`);
        await new Promise((ok) => setTimeout(ok, 250));
      }
    };
    const { s: toOutbox, cpu: cpuOutbox } = await until(true);
    const { s: toSent, cpu: cpuSent } = await until(false);
    const accepted = await w.db.prepare("SELECT count(*) AS n FROM messages WHERE business_id = ? AND accepted_at IS NOT NULL AND status IN ('sent','delivered','read')").bind(businessId).first<{ n: number }>();
    if (accepted?.n !== n) throw new Error(`${accepted?.n} of ${n} messages accepted and sent`);
    clearInterval(sampler);
    const changed = (await changes()) - changes0;
    const d1Growth = ((await d1Size()) - d1Before) / 1048576;
    // Rows created for the broadcast: one recipient row and one message row each (updates not counted).
    const rows = await w.db
      .prepare("SELECT (SELECT count(*) FROM broadcast_recipients WHERE broadcast_id = ?1) + (SELECT count(*) FROM messages WHERE business_id = ?2) AS n")
      .bind(b.id, businessId)
      .first<{ n: number }>();
    const res = {
      build,
      n,
      toOutbox,
      toSent,
      cpuOutbox: cpuOutbox / n,
      cpuSent: cpuSent / n,
      rowsPerRecipient: (rows?.n ?? 0) / n,
      changesPerRecipient: changed / n,
      baseMb: baseRss / 1024,
      peakMb: peak / 1024,
      d1GrowthMb: d1Growth,
    };
    console.log(JSON.stringify(res));
    return res;
  } finally {
    await w.close();
  }
}

const before = BEFORE ? beforeBuild(BEFORE) : undefined;
const results: Result[] = [];
/** Failed runs (workerd died, a stall) are recorded as such rather than ending the benchmark. */
const failures: string[] = [];
async function attempt(n: number, build: string, scriptPath?: string): Promise<void> {
  try {
    results.push(await runSize(n, build, scriptPath));
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : "";
    failures.push(`${build}, ${n.toLocaleString("en")} recipients: ${String(e).slice(0, 200)}${cause}`);
    console.error(failures[failures.length - 1]);
  }
}
for (const n of SIZES) {
  if (before && BEFORE_SIZES.has(n)) await attempt(n, `before (${before.commit})`, before.scriptPath);
  await attempt(n, "this checkout");
}
const load = os.loadavg().map((x) => x.toFixed(1)).join(" / ");
const md = [
  "## Broadcast (bench:broadcast)",
  "",
  `\`${BEFORE ? `BENCH_BEFORE=${BEFORE} ` : ""}npm run bench:broadcast\` — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${os.cpus()[0]?.model.trim() ?? "?"} (${os.cpus().length} cores shared with other work; load average 1/5/15 min at the end ${load}), Node ${process.version}, plain miniflare.`,
  "A broadcast to every contact of one label on a sandbox device (pacing off); contacts seeded untimed. Timed from `POST …/start`:",
  "until every recipient's job is in the device outbox (`messages.accepted_at`), and until every message is sent. CPU: the workerd",
  "process's user + system time per recipient over the same spans (the Worker, its Durable Objects and local D1; the figure to compare",
  "on a shared machine). Rows created per recipient: its `broadcast_recipients` row and its `messages` row. Row changes per recipient:",
  "every D1 row inserted, updated or deleted from `start` to all sent (SQLite's total_changes(), triggers included, index entries not;",
  "local D1 adds one per statement). RSS: the workerd process, sampled every 100 ms; local D1 keeps its database in that process, so",
  "the D1 database's growth over the run is shown beside the RSS growth (what is left is the Worker's own memory).",
  "",
  "| build | recipients | to outbox | all sent | CPU to outbox / recipient | CPU to sent / recipient | rows created / recipient | row changes / recipient | workerd RSS before | peak | RSS growth | D1 growth |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...results.map(
    (r) =>
      `| ${r.build} | ${r.n.toLocaleString("en")} | ${r.toOutbox.toFixed(1)} s | ${r.toSent.toFixed(1)} s | ${r.cpuOutbox.toFixed(2)} ms | ${r.cpuSent.toFixed(2)} ms | ${r.rowsPerRecipient.toFixed(2)} | ${r.changesPerRecipient.toFixed(2)} | ${r.baseMb.toFixed(0)} MB | ${r.peakMb.toFixed(0)} MB | ${(r.peakMb - r.baseMb).toFixed(0)} MB | ${r.d1GrowthMb.toFixed(0)} MB |`,
  ),
  ...(failures.length ? ["", "Runs that did not finish:", ...failures.map((f) => `- ${f}`)] : []),
  "",
].join("\n");
recordSection(md);
console.log(md);
