// The one way tests and benchmarks run the real Worker locally: workerd under plain miniflare (the `miniflare`
// package API, no `wrangler dev` proxy), bundled by wrangler as a deploy would, with wrangler.toml's bindings
// (D1, Queues, Durable Objects, R2, rate limits, vars) as wrangler itself converts them, on an OS-chosen
// loopback port, its D1 migrations applied. Callers pass only the vars they care about.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { convertV4MiniflareOptions, Miniflare, type V4WorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

export const ROOT = new URL("../../", import.meta.url).pathname;

export type LocalD1 = Awaited<ReturnType<Miniflare["getD1Database"]>>;

/** Test values for wrangler.toml's required secrets; callers override the ones their assertions use. */
const TEST_SECRETS = {
  SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"),
  GATEWAY_SECRETS: JSON.stringify({ local: "local-test-gateway-secret" }),
  PLATFORM_ADMIN_TOKEN: "local-test-operator",
} as const;

const bundles = new Map<string, string>();

/**
 * Bundles an entry (default: wrangler.toml's `main`) with `wrangler deploy --dry-run`, once per process.
 * `root`: another checkout of the project (a benchmark's "before" build), bundled with its own wrangler.toml.
 */
export function bundle(entry?: string, root = ROOT): string {
  const key = `${root}:${entry ?? ""}`;
  const cached = bundles.get(key);
  if (cached) return cached;
  // Inside the project: workerd resolves module paths relative to where it starts.
  const cache = join(ROOT, "node_modules/.cache/ping-local-worker");
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, "worker-"));
  const args = ["deploy", "--dry-run", "--outdir", out, ...(entry ? [relative(root, entry)] : [])];
  const r = spawnSync(join(ROOT, "node_modules/.bin/wrangler"), args, { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrangler bundle failed: ${r.stderr}`);
  // wrangler names the module after the entry (index.js, send-worker.js).
  const module = readdirSync(out).find((f) => f.endsWith(".js"));
  if (!module) throw new Error(`wrangler wrote no module to ${out}`);
  const path = join(out, module);
  bundles.set(key, path);
  return path;
}

/** Applies every migration in migrations/, in order, as `wrangler d1 migrations apply` would. */
async function migrate(db: LocalD1): Promise<void> {
  const dir = join(ROOT, "migrations");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    for (const stmt of readFileSync(join(dir, file), "utf8").split("--> statement-breakpoint")) {
      if (stmt.trim()) await db.prepare(stmt).run();
    }
  }
}

let toml: V4WorkerOptions | undefined;

// Read once per process (wrangler warns each time that the secrets are not in .dev.vars: they come from callers).
// wrangler converts its own config for the miniflare it bundles; the shapes agree with ours.
function tomlWorker(): V4WorkerOptions {
  toml ??= unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml")).workerOptions as V4WorkerOptions;
  return toml;
}

export type LocalWorker = {
  /** The Worker's origin, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  mf: Miniflare;
  db: LocalD1;
  /** Restarts workerd with the same options and storage, as a deploy does: every WebSocket drops. */
  restart: () => Promise<void>;
  close: () => Promise<void>;
};

export type LocalWorkerOptions = {
  /** Vars and secrets over wrangler.toml's vars and TEST_SECRETS. PUBLIC_BASE_URL defaults to the Worker's own origin. */
  vars?: Record<string, string>;
  /** Another entry module wrapping the Worker (a benchmark harness route); default wrangler.toml's `main`. */
  entry?: string;
  /** A module already bundled (bundle() of another checkout: a benchmark's "before" build); overrides entry. */
  scriptPath?: string;
  /** false: no queue consumers, so a benchmark measures the request path, not delivery. */
  queueConsumers?: boolean;
  /** The test network for the Worker's outbound fetches (outbound-routes.ts); default: fetches go out as they are. */
  outboundService?: (request: Request) => Promise<Response>;
  /** Settings over wrangler.toml's for some consumers, by queue name (a benchmark comparing batch settings). */
  queueConsumerSettings?: Record<string, { maxBatchSize?: number; maxBatchTimeout?: number }>;
  /** A loopback port for workerd's V8 inspector (isolate-heap.ts reads the Worker's JS heap through it). */
  inspectorPort?: number;
};

type ConsumerOptions = Record<string, Record<string, unknown>>;

function consumers(w: V4WorkerOptions, opts: LocalWorkerOptions): V4WorkerOptions["queueConsumers"] {
  if (opts.queueConsumers === false) return undefined;
  if (!opts.queueConsumerSettings) return w.queueConsumers;
  const base = (w.queueConsumers ?? {}) as ConsumerOptions;
  const merged: ConsumerOptions = { ...base };
  for (const [queue, settings] of Object.entries(opts.queueConsumerSettings)) merged[queue] = { ...base[queue], ...settings };
  return merged as V4WorkerOptions["queueConsumers"];
}

/** Ping's Worker as wrangler.toml declares it, migrated, on a free loopback port. */
export async function startLocalWorker(opts: LocalWorkerOptions = {}): Promise<LocalWorker> {
  const w = tomlWorker();
  const vars = w.bindings as Record<string, string>;
  const options = (port: number, self: string) =>
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port,
      ...(opts.inspectorPort ? { inspectorPort: opts.inspectorPort } : {}),
      workers: [
        {
          name: "ping",
          modules: true,
          scriptPath: opts.scriptPath ?? bundle(opts.entry),
          compatibilityDate: w.compatibilityDate,
          compatibilityFlags: w.compatibilityFlags,
          bindings: { ...vars, ...TEST_SECRETS, PUBLIC_BASE_URL: self, ...opts.vars },
          d1Databases: w.d1Databases,
          r2Buckets: w.r2Buckets,
          durableObjects: w.durableObjects,
          queueProducers: w.queueProducers,
          queueConsumers: consumers(w, opts),
          ratelimits: w.ratelimits,
          // Miniflare hands the handler its own (undici) Request and takes any fetch-API Response back.
          ...(opts.outboundService ? { outboundService: opts.outboundService as unknown as V4WorkerOptions["outboundService"] } : {}),
        },
      ],
    });
  const mf = new Miniflare(options(0, vars.PUBLIC_BASE_URL ?? ""));
  const url = (await mf.ready).origin;
  const final = options(Number(new URL(url).port), url);
  // The port is known only once workerd listens; then the links the Worker shows point at itself.
  if (!opts.vars?.PUBLIC_BASE_URL) await setOptionsOnSamePort(mf, final, url);
  const db = await mf.getD1Database("DB");
  await migrate(db);
  return {
    url,
    mf,
    db,
    // Same port, so clients (the gateway's PING_URL) reconnect to the same address.
    restart: () => setOptionsOnSamePort(mf, final, url),
    close: () => mf.dispose(),
  };
}

async function setOptionsOnSamePort(mf: Miniflare, options: ReturnType<typeof convertV4MiniflareOptions>, url: string): Promise<void> {
  await mf.setOptions(options);
  const again = (await mf.ready).origin;
  if (again !== url) throw new Error(`the Worker came back on ${again}, not ${url}`);
}

export type PlainWorker = { url: string; mf: Miniflare; db: LocalD1 | undefined; close: () => Promise<void> };

/**
 * A plain module Worker for comparison benchmarks, on Ping's runtime settings: no bindings but `vars`, or
 * (withDb) also D1 with Ping's migrations and Ping's queue producers, without consumers.
 */
export async function startPlainWorker(opts: { scriptPath: string; withDb: boolean; vars?: Record<string, string> }): Promise<PlainWorker> {
  const w = tomlWorker();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      workers: [
        {
          name: "plain",
          modules: true,
          scriptPath: opts.scriptPath,
          compatibilityDate: w.compatibilityDate,
          compatibilityFlags: w.compatibilityFlags,
          bindings: opts.vars ?? {},
          ...(opts.withDb ? { d1Databases: w.d1Databases, queueProducers: w.queueProducers } : {}),
        },
      ],
    }),
  );
  const url = (await mf.ready).origin;
  const db = opts.withDb ? await mf.getD1Database("DB") : undefined;
  if (db) await migrate(db);
  return { url, mf, db, close: () => mf.dispose() };
}
