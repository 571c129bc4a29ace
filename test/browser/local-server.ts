// Starts the real Worker with `wrangler dev` on a free port and a throwaway state directory, as `npm start` does.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export type LocalWorker = { url: string; stop: () => Promise<void> };

export async function startLocalWorker(vars: Record<string, string> = {}): Promise<LocalWorker> {
  const state = mkdtempSync(join(tmpdir(), "ping-browser-"));
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd: root, env, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}`);
  const port = await freePort();
  const allVars = {
    SECRETS_KEY: "dGVzdC1zZWNyZXRzLWtleS0zMi1ieXRlcy1sb25nISE=",
    GATEWAY_SECRETS: JSON.stringify({ local: "browser-test-gateway-secret" }),
    PLATFORM_ADMIN_TOKEN: "browser-test-operator",
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...vars,
  };
  const args = ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--inspector-port", String(await freePort())];
  for (const [k, v] of Object.entries(allVars)) args.push("--var", `${k}:${v}`);
  const child: ChildProcess = spawn(wrangler, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (c) => (log += String(c)));
  child.stderr?.on("data", (c) => (log += String(c)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) {
        return {
          url,
          stop: async () => {
            child.kill("SIGTERM");
            await new Promise((r) => setTimeout(r, 500));
            rmSync(state, { recursive: true, force: true });
          },
        };
      }
    } catch {
      /* still starting */
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill("SIGKILL");
  throw new Error(`wrangler dev did not start:\n${log}`);
}
