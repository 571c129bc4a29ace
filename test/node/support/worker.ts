// The real Worker (wrangler.toml's bindings: D1, Queues, Durable Objects, R2) in workerd, started from the
// test through wrangler's API (unstable_dev) on a free loopback port, with its D1 migrations applied first.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_dev } from "wrangler";

const root = new URL("../../../", import.meta.url).pathname;

export type RunningWorker = { url: string; close: () => Promise<void> };

export async function startWorker(vars: Record<string, string>): Promise<RunningWorker> {
  const persistTo = mkdtempSync(join(tmpdir(), "ping-state-"));
  const migrate = spawnSync(join(root, "node_modules/.bin/wrangler"), ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}${migrate.stdout}`);
  const worker = await unstable_dev(join(root, "worker/index.ts"), {
    config: join(root, "wrangler.toml"),
    ip: "127.0.0.1",
    persistTo,
    vars,
    logLevel: "warn",
    experimental: { disableExperimentalWarning: true, disableDevRegistry: true },
  });
  return { url: `http://127.0.0.1:${worker.port}`, close: () => worker.stop() };
}
