// The real Worker in workerd under plain miniflare (the `miniflare` package API, no wrangler dev proxy), with
// wrangler.toml's bindings (D1, Queues, Durable Objects, R2, rate limits) as wrangler itself converts them,
// on an OS-chosen loopback port, its D1 migrations applied. Bundled once per process by wrangler.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const root = new URL("../../../", import.meta.url).pathname;
let bundled: string | null = null;

function bundle(): string {
  if (bundled) return bundled;
  // Inside the project: workerd resolves module paths relative to where it starts.
  const cache = join(root, "node_modules/.cache/ping-gateway-tests");
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, "worker-"));
  const r = spawnSync(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", out], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrangler bundle failed: ${r.stderr}`);
  bundled = join(out, "index.js");
  return bundled;
}

export type RunningWorker = {
  url: string;
  /** Restarts workerd with the same options and storage, as a deploy does: every WebSocket drops. */
  restart: () => Promise<void>;
  close: () => Promise<void>;
};

export async function startWorker(vars: Record<string, string>): Promise<RunningWorker> {
  const w = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml")).workerOptions;
  const options = convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      workers: [
        {
          name: "ping",
          modules: true,
          scriptPath: bundle(),
          compatibilityDate: w.compatibilityDate,
          compatibilityFlags: w.compatibilityFlags,
          bindings: { ...(w.bindings as Record<string, string>), ...vars },
          d1Databases: w.d1Databases,
          r2Buckets: w.r2Buckets,
          durableObjects: w.durableObjects,
          queueProducers: w.queueProducers,
          queueConsumers: w.queueConsumers,
          ratelimits: w.ratelimits,
        },
      ],
    } as Parameters<typeof convertV4MiniflareOptions>[0]);
  const mf = new Miniflare(options);
  const url = (await mf.ready).origin;
  const db = await mf.getD1Database("DB");
  const dir = join(root, "migrations");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    for (const stmt of readFileSync(join(dir, file), "utf8").split("--> statement-breakpoint")) {
      if (stmt.trim()) await db.prepare(stmt).run();
    }
  }
  return {
    url,
    restart: async () => {
      // Same port, so clients (the gateway's PING_URL) reconnect to the same address.
      await mf.setOptions({ ...options, port: Number(new URL(url).port) });
      const again = (await mf.ready).origin;
      if (again !== url) throw new Error(`the Worker came back on ${again}, not ${url}`);
    },
    close: () => mf.dispose(),
  };
}
