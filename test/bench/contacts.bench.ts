// npm run bench:contacts — the CSV contact import at 10k and 100k generated rows (time, rows/s, and the
// workerd process's peak RSS for each size, a fresh workerd per size so each peak is its own), then search
// over the 100k contacts: p50/p99 of GET /api/v1/contacts?q= by partial phone and by name, side by side with
// the same searches done as a plain LIKE scan on the same D1 (what the trigram index saves).
// The Worker runs under plain miniflare (test/support/local-worker.ts). Figures go to docs/benchmarks.md.
import os from "node:os";
import { recordSection } from "../support/bench-record";
import { startLocalWorker } from "../support/local-worker";
import { isolateHeap } from "../support/isolate-heap";
import { rssKb, workerdPids } from "../support/proc-memory";

const SIZES = (process.env.BENCH_SIZES ?? "10000,100000").split(",").map(Number);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);


function csv(n: number): string {
  const lines = ["nama,no hp,email,kota,umur"];
  for (let i = 0; i < n; i++) {
    const forms = [`0812${String(10000000 + i)}`, `+62 812-${String(10000000 + i)}`, `62-812${String(10000000 + i)}`];
    lines.push(`Pelanggan ${i} ${["Budi", "Siti", "Agus", "Dewi", "Rina"][i % 5]},${forms[i % 3]},p${i}@contoh.id,Kota ${i % 50},${20 + (i % 40)}`);
  }
  return `${lines.join("\n")}\n`;
}

async function signup(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ business_name: "Bench CRM", name: "Bench", email: `bench.${Date.now()}.${Math.random()}@example.co.id`, password: "bench-password-123" }),
  });
  const cookie = /ping_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error(`signup failed ${res.status}`);
  return cookie;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

type ImportResult = {
  rows: number;
  seconds: number;
  rowsPerSec: number;
  peakRssMb: number;
  baseRssMb: number;
  created: number;
  /** The Worker isolate's JS heap (Worker + ContactImport object), MB: before, and the peaks while importing. */
  heapBaseMb: number;
  heapPeakUsedMb: number;
  heapPeakTotalMb: number;
  /** The live heap (after a full collection) at its highest sample, every 5 s and at the end. */
  heapPeakLiveMb: number;
};
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 9329);
type SearchResult = { label: string; p50: number; p99: number; likeP50: number; likeP99: number };

/**
 * One import of n rows in a fresh workerd. `liveHeap`: also sample the live heap every 5 s — each sample is a heap
 * snapshot that pauses the isolate and makes workerd allocate, so that pass's time and RSS are not the figures.
 */
async function runSize(n: number, withSearch: boolean, liveHeap: boolean): Promise<{ imp: ImportResult; search: SearchResult[] }> {
  const before = new Set(workerdPids());
  const worker = await startLocalWorker({ inspectorPort: INSPECTOR_PORT });
  const heap = await isolateHeap(INSPECTOR_PORT);
  try {
    const pids = workerdPids().filter((p) => !before.has(p));
    const cookie = await signup(worker.url);
    const body = csv(n);
    const baseRss = Math.max(...pids.map((p) => rssKb(p, "VmRSS")));
    let peak = baseRss;
    const heapBase = await heap.usage();
    let heapUsed = heapBase.used;
    let heapTotal = heapBase.total;
    const sampler = setInterval(() => {
      for (const p of pids) peak = Math.max(peak, rssKb(p, "VmRSS"));
      heap.usage().then(
        (h) => {
          heapUsed = Math.max(heapUsed, h.used);
          heapTotal = Math.max(heapTotal, h.total);
        },
        () => undefined,
      );
    }, 100);
    let heapLive = liveHeap ? await heap.live() : 0;
    const liveSampler = setInterval(() => {
      if (!liveHeap) return;
      heap.live().then(
        (b) => (heapLive = Math.max(heapLive, b)),
        () => undefined,
      );
    }, 5000);
    const t0 = performance.now();
    const res = await fetch(`${worker.url}/api/v1/contacts/import?create_fields=true`, {
      method: "POST",
      // The dashboard's own Origin with the cookie (the CSRF check, docs/security.md).
      headers: { "content-type": "text/csv", "content-length": String(Buffer.byteLength(body)), cookie, origin: worker.url },
      body,
    });
    const started = (await res.json()) as { id: string };
    if (res.status !== 202) throw new Error(`import refused ${res.status} ${JSON.stringify(started)}`);
    let status: { status: string; created: number; failed: number; rows_done: number; error: string | null };
    for (;;) {
      const r = await fetch(`${worker.url}/api/v1/contacts/imports/${started.id}`, { headers: { cookie } });
      status = (await r.json()) as typeof status;
      if (status.status === "done" || status.status === "failed") break;
      if (performance.now() - t0 > 600_000) throw new Error(`stalled at ${status.rows_done}`);
      await new Promise((ok) => setTimeout(ok, 200));
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    clearInterval(liveSampler);
    for (const p of pids) peak = Math.max(peak, rssKb(p, "VmRSS"));
    if (status.status !== "done" || status.created !== n) throw new Error(`import ended ${JSON.stringify(status)}`);
    if (liveHeap) heapLive = Math.max(heapLive, await heap.live());
    const mb = (b: number) => b / 1024 / 1024;
    const imp = {
      rows: n,
      seconds,
      rowsPerSec: n / seconds,
      peakRssMb: peak / 1024,
      baseRssMb: baseRss / 1024,
      created: status.created,
      heapBaseMb: mb(heapBase.used),
      heapPeakUsedMb: mb(heapUsed),
      heapPeakTotalMb: mb(heapTotal),
      heapPeakLiveMb: mb(heapLive),
    };
    if (liveHeap) console.log(`import ${n} (live-heap pass): peak live heap ${imp.heapPeakLiveMb.toFixed(1)} MB`);
    else console.log(
      `import ${n}: ${seconds.toFixed(1)} s, ${Math.round(n / seconds)} rows/s, workerd RSS ${(baseRss / 1024).toFixed(0)} → peak ${(peak / 1024).toFixed(0)} MB, ` +
        `isolate heap ${imp.heapBaseMb.toFixed(1)} → peak used ${imp.heapPeakUsedMb.toFixed(1)} MB (committed ${imp.heapPeakTotalMb.toFixed(1)} MB)`,
    );
    const search: SearchResult[] = [];
    if (withSearch) {
      const kinds: [string, (i: number) => string, (q: string) => [string, string]][] = [
        ["partial phone (5 digits, anywhere)", (i) => String(10000000 + ((i * 7919) % n)).slice(2, 7), (q) => ["phone LIKE ?", `%${q}%`]],
        ["national form (0812…, 8 digits)", (i) => `0812${String(10000000 + ((i * 104729) % n)).slice(0, 4)}`, (q) => ["phone LIKE ?", `%62${q.slice(1)}%`]],
        ["name (substring)", (i) => ["budi", "siti", "agus", "dewi", "rina"][i % 5] ?? "budi", (q) => ["lower(name) LIKE ?", `%${q}%`]],
      ];
      const businessId = (await worker.db.prepare("SELECT business_id FROM contacts LIMIT 1").first<{ business_id: string }>())?.business_id ?? "";
      for (const [label, make, like] of kinds) {
        const api: number[] = [];
        const scan: number[] = [];
        for (let i = 0; i < QUERIES; i++) {
          const q = make(i);
          const a = performance.now();
          const r = await fetch(`${worker.url}/api/v1/contacts?limit=50&q=${encodeURIComponent(q)}`, { headers: { cookie } });
          await r.json();
          api.push(performance.now() - a);
          const [cond, arg] = like(q);
          const b = performance.now();
          await worker.db.prepare(`SELECT * FROM contacts WHERE business_id = ? AND archived = 0 AND ${cond} ORDER BY updated_at DESC LIMIT 51`).bind(businessId, arg).all();
          scan.push(performance.now() - b);
        }
        const s = { label, p50: pct(api, 50), p99: pct(api, 99), likeP50: pct(scan, 50), likeP99: pct(scan, 99) };
        search.push(s);
        console.log(`search ${label}: API p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms | LIKE scan on D1 p50 ${s.likeP50.toFixed(1)} ms, p99 ${s.likeP99.toFixed(1)} ms`);
      }
    }
    return { imp, search };
  } finally {
    heap.close();
    await worker.close();
  }
}

// The machine is shared: the load average before and after goes into the record with the figures.
const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(", ");
const results: ImportResult[] = [];
let search: SearchResult[] = [];
for (const n of SIZES) {
  const r = await runSize(n, n === Math.max(...SIZES), false);
  // The live heap in a second import of the same size (its snapshots would skew the first one's time and RSS).
  const live = await runSize(n, false, true);
  results.push({ ...r.imp, heapPeakLiveMb: live.imp.heapPeakLiveMb });
  if (r.search.length) search = r.search;
}

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const md = [
  "## Contacts (bench:contacts)",
  "",
  `\`npm run bench:contacts\` — ${new Date().toISOString().slice(0, 10)}, ${cpu} (${os.cpus().length} cores shared with other work), Node ${process.version}, plain miniflare.`,
  `Load average (1, 5, 15 min) before: ${loadBefore}; after: ${os.loadavg().map((x) => x.toFixed(2)).join(", ")}.`,
  "CSV import through `POST /api/v1/contacts/import` (generated rows: name, a phone in one of three forms, email, two custom columns",
  "made into fields), driven by the ContactImport Durable Object until `GET /api/v1/contacts/imports/{id}` says done. A fresh workerd",
  "per size; RSS sampled every 100 ms from /proc (the workerd process: Worker, D1, R2 and the Durable Object together), and the",
  "Worker's own V8 isolate heap (the Worker and the ContactImport object, not the storage engines) over workerd's inspector",
  "(`Runtime.getHeapUsage`, test/support/isolate-heap.ts), sampled at the same times: used (garbage included) and committed; and",
  "its live heap (used after the full collection a heap snapshot runs) every 5 s, in a second import of the same size in a",
  "fresh workerd (the snapshots pause the isolate and make workerd allocate, so that pass gives only this column).",
  "",
  "| rows | time | rows/s | workerd RSS before | workerd peak RSS | isolate heap before | peak used | peak committed | peak live |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...results.map(
    (r) =>
      `| ${r.rows.toLocaleString("en")} | ${r.seconds.toFixed(1)} s | ${Math.round(r.rowsPerSec)} | ${r.baseRssMb.toFixed(0)} MB | ${r.peakRssMb.toFixed(0)} MB | ${r.heapBaseMb.toFixed(1)} MB | ${r.heapPeakUsedMb.toFixed(1)} MB | ${r.heapPeakTotalMb.toFixed(1)} MB | ${r.heapPeakLiveMb.toFixed(1)} MB |`,
  ),
  "",
  `Search over ${Math.max(...SIZES).toLocaleString("en")} contacts of one business, ${QUERIES} queries each, \`GET /api/v1/contacts?q=…&limit=50\` end to end (HTTP, auth, the`,
  "trigram index `contacts_fts`, labels of the page), side by side with the same search as a plain `LIKE '%…%'` scan straight on D1:",
  "",
  "| query | API p50 | API p99 | LIKE scan p50 | LIKE scan p99 |",
  "|---|---:|---:|---:|---:|",
  ...search.map((s) => `| ${s.label} | ${s.p50.toFixed(1)} ms | ${s.p99.toFixed(1)} ms | ${s.likeP50.toFixed(1)} ms | ${s.likeP99.toFixed(1)} ms |`),
  "",
].join("\n");
recordSection(md);
console.log(md);
