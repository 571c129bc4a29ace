// gateway-node as its own process (node --import tsx gateway-node/src/main.ts: one process, no tsx wrapper,
// so a test's SIGKILL really kills the gateway).
import { spawn, type ChildProcess } from "node:child_process";

const root = new URL("../../../", import.meta.url).pathname;

export class GatewayProcess {
  readonly logs: Record<string, unknown>[] = [];
  private constructor(readonly child: ChildProcess) {}

  static start(env: Record<string, string>): GatewayProcess {
    const child = spawn(process.execPath, ["--import", "tsx", "gateway-node/src/main.ts"], {
      cwd: root,
      env: { ...process.env, HEALTH_PORT: "0", LOG_LEVEL: "debug", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const gw = new GatewayProcess(child);
    let buf = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      for (const line of lines) {
        try {
          gw.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* libsignal writes plain console lines */
        }
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      if (process.env.GATEWAY_TEST_STDERR) process.stderr.write(chunk);
    });
    return gw;
  }

  /** A gateway pointed at a Worker and the crabline simulator; typing and the number check off. */
  static forSimulator(o: { workerUrl: string; gatewayId: string; gatewaySecret: string; storeKey: string; dataDir: string; waWebSocketUrl: string }, extra: Record<string, string> = {}): GatewayProcess {
    return GatewayProcess.start({
      PING_URL: o.workerUrl,
      GATEWAY_ID: o.gatewayId,
      GATEWAY_SECRET: o.gatewaySecret,
      STORE_KEY: o.storeKey,
      DATA_DIR: o.dataDir,
      WA_WEBSOCKET_URL: o.waWebSocketUrl,
      // crabline does not answer the phone-number usync query (it requires a jid attribute and drops the
      // socket); the number check is covered by test/node/session-events.test.ts instead.
      CHECK_NUMBERS: "false",
      TYPING_MS_PER_CHAR: "0",
      DEVICE_POLL_MS: "1000",
      ...extra,
    });
  }

  get healthUrl(): string | undefined {
    return this.logs.find((l) => typeof l.health === "string")?.health as string | undefined;
  }

  /** The gateway's health endpoint, once it is up (null before). */
  async health(): Promise<{ httpStatus: number; sessions: { device_key: string; status: string; channel: string }[] } | null> {
    const url = this.healthUrl;
    if (!url) return null;
    const res = await fetch(url);
    const body = (await res.json()) as { sessions: { device_key: string; status: string; channel: string }[] };
    return { httpStatus: res.status, sessions: body.sessions };
  }

  /** This gateway's session of a device, as its health endpoint reports it. */
  async session(deviceKey: string): Promise<{ device_key: string; status: string; channel: string } | undefined> {
    return (await this.health())?.sessions.find((s) => s.device_key === deviceKey);
  }

  /** Resolves with the exit code/signal. */
  stop(signal: NodeJS.Signals): Promise<number | string | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode ?? this.child.signalCode);
    return new Promise((resolve) => {
      this.child.once("exit", (code, sig) => resolve(code ?? sig));
      this.child.kill(signal);
    });
  }
}
