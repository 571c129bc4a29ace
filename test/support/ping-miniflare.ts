// Runs Workers under plain miniflare (the `miniflare` package API) for benchmarks and browser tests:
// Ping bundled by wrangler (dry run) or a plain module script, with in-memory D1 (migrated), Queues and DOs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from "miniflare";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const COMPAT_DATE = "2026-11-01";

export type D1Like = {
  prepare(q: string): {
    bind(...v: unknown[]): { run(): Promise<unknown>; first<T>(): Promise<T | null> };
    run(): Promise<unknown>;
    first<T>(): Promise<T | null>;
  };
};
export type Running = { mf: Miniflare; url: URL; db: D1Like | undefined };

/** Bundles the Worker exactly as a deploy would (wrangler --dry-run) and returns the entry module's path. */
export function bundlePing(): string {
  const out = mkdtempSync(path.join(os.tmpdir(), "ping-bundle-"));
  execFileSync(path.join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", out], { cwd: ROOT, stdio: "ignore" });
  return path.join(out, "index.js");
}

async function migrate(db: D1Like): Promise<void> {
  const dir = path.join(ROOT, "migrations");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".sql")).sort()) {
    for (const stmt of readFileSync(path.join(dir, f), "utf8").split("--> statement-breakpoint")) {
      if (stmt.trim()) await db.prepare(stmt).run();
    }
  }
}

export async function startWorker(opts: {
  name: string;
  scriptPath: string;
  withDb: boolean;
  durableObjects?: boolean;
  queueConsumer?: boolean;
  bindings?: Record<string, string>;
}): Promise<Running> {
  const options = {
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath: opts.scriptPath,
    modulesRoot: path.dirname(opts.scriptPath),
    compatibilityDate: COMPAT_DATE,
    compatibilityFlags: ["nodejs_compat"],
    ...(opts.withDb ? { d1Databases: { DB: `${opts.name}-db` }, queueProducers: { OUTBOUND: { queueName: "outbound" } } } : {}),
    ...(opts.queueConsumer ? { queueConsumers: { outbound: { maxBatchSize: 50, maxBatchTimeout: 1 } } } : {}),
    ...(opts.durableObjects ? { durableObjects: { DEVICE_SESSION: "DeviceSession" } } : {}),
    ratelimits: {
      API_KEY_LIMITER: { namespace_id: "1001", simple: { limit: 600, period: 60 as const } },
      SIGNUP_LIMITER: { namespace_id: "1002", simple: { limit: 10, period: 60 as const } },
      LOGIN_IP_LIMITER: { namespace_id: "1003", simple: { limit: 120, period: 60 as const } },
    },
    bindings: {
      SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"),
      PUBLIC_BASE_URL: "http://127.0.0.1",
      MAX_BODY_BYTES: "262144",
      TRIAL_DAYS: "14",
      GATEWAY_SECRETS: "{}",
      PLATFORM_ADMIN_TOKEN: "local-operator",
      LOGIN_MAX_FAILURES: "10",
      LOGIN_LOCK_MINUTES: "15",
      ALLOW_LOOPBACK_WEBHOOKS: "false",
      ...opts.bindings,
    },
  } satisfies V4MiniflareOptions;
  const mf = new Miniflare(convertV4MiniflareOptions(options));
  const url = await mf.ready;
  let db: D1Like | undefined;
  if (opts.withDb) {
    db = (await mf.getD1Database("DB")) as unknown as D1Like;
    await migrate(db);
  }
  return { mf, url, db };
}
