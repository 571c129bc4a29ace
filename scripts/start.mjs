#!/usr/bin/env node
// `npm start`: the whole product on this machine, on embedded defaults and no Cloudflare account.
// 1. writes local secrets once (.dev.vars for the Worker, .ping-local/gateway.env for gateway-node)
// 2. applies D1 migrations to the local database (.wrangler/state)
// 3. starts the Worker (wrangler dev: local D1, Queues, Durable Objects, R2) and gateway-node
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? "127.0.0.1";
const baseUrl = `http://${host === "0.0.0.0" ? "localhost" : host}:${port}`;
const bin = (name) => join(root, "node_modules", ".bin", name);

function parseEnvFile(path) {
  if (!existsSync(path)) return {};
  return Object.fromEntries(
    readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l.includes("=") && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

function ensureLocalSecrets() {
  const devVars = join(root, ".dev.vars");
  const gwDir = join(root, ".ping-local");
  const gwEnv = join(gwDir, "gateway.env");
  const existing = parseEnvFile(devVars);
  const gw = parseEnvFile(gwEnv);
  if (existing.SECRETS_KEY && gw.GATEWAY_SECRET) return gw;
  const gatewaySecret = randomBytes(24).toString("base64url");
  const vars = {
    SECRETS_KEY: randomBytes(32).toString("base64"),
    GATEWAY_SECRETS: JSON.stringify({ local: gatewaySecret }),
    PLATFORM_ADMIN_TOKEN: randomBytes(24).toString("base64url"),
    PUBLIC_BASE_URL: baseUrl,
    ALLOW_LOOPBACK_WEBHOOKS: "true",
  };
  writeFileSync(devVars, Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n") + "\n", { mode: 0o600 });
  mkdirSync(gwDir, { recursive: true });
  const gateway = { GATEWAY_ID: "local", GATEWAY_SECRET: gatewaySecret, STORE_KEY: randomBytes(32).toString("base64") };
  writeFileSync(gwEnv, Object.entries(gateway).map(([k, v]) => `${k}=${v}`).join("\n") + "\n", { mode: 0o600 });
  console.log("[ping] wrote local secrets to .dev.vars and .ping-local/gateway.env");
  return gateway;
}

const gatewayEnv = ensureLocalSecrets();

// The browser bundles (widget/) the Worker serves, rebuilt from source on every start.
const { buildClient } = await import("./build-client.mjs");
await buildClient();

console.log("[ping] applying D1 migrations to the local database…");
const migrate = spawnSync(bin("wrangler"), ["d1", "migrations", "apply", "DB", "--local"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, CI: "true" },
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const children = [];
function run(name, cmd, args, env) {
  const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  const prefix = (chunk) =>
    chunk
      .toString()
      .split("\n")
      .filter(Boolean)
      .map((l) => `[${name}] ${l}`)
      .join("\n") + "\n";
  child.stdout.on("data", (c) => process.stdout.write(prefix(c)));
  child.stderr.on("data", (c) => process.stderr.write(prefix(c)));
  child.on("exit", (code) => {
    console.log(`[ping] ${name} exited (${code}); stopping`);
    stop(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 1500).unref();
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

run("worker", bin("wrangler"), ["dev", "--port", String(port), "--ip", host, "--var", `PUBLIC_BASE_URL:${baseUrl}`], {});

async function waitForWorker() {
  for (let i = 0; i < 120; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

if (!(await waitForWorker())) {
  console.error("[ping] the Worker did not start within 60 s");
  stop(1);
} else {
  run("gateway", bin("tsx"), ["gateway-node/src/main.ts"], {
    ...gatewayEnv,
    PING_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: join(root, ".data", "gateway"),
  });
  console.log(`\n[ping] ready — dashboard: ${baseUrl}/app   API reference: ${baseUrl}/api/docs\n`);
}
