// gateway-node entry point: holds the Baileys sessions of the devices assigned to this gateway.
// Foundation skeleton: configuration, logging, health endpoint and the Worker reachability check;
// the sessions and the channel arrive with the gateway issue.
import { pino } from "pino";
import { loadConfig } from "./config";
import { startHealthServer } from "./health";

const config = loadConfig();
const log = pino({ level: config.LOG_LEVEL, base: { gateway_id: config.GATEWAY_ID } });

let workerReachable = false;

async function checkWorker(): Promise<void> {
  try {
    const res = await fetch(new URL("/healthz", config.PING_URL), { signal: AbortSignal.timeout(5000) });
    workerReachable = res.ok;
  } catch {
    workerReachable = false;
  }
}

const server = await startHealthServer(config.HEALTH_HOST, config.HEALTH_PORT, () => ({
  status: workerReachable ? "ok" : "degraded",
  worker_reachable: workerReachable,
  sessions: [],
}));
await checkWorker();
const timer = setInterval(() => void checkWorker(), 10_000);
log.info({ health: `http://${config.HEALTH_HOST}:${config.HEALTH_PORT}/health`, worker: config.PING_URL, reachable: workerReachable }, "gateway-node started");

function shutdown(signal: string): void {
  log.info({ signal }, "shutting down");
  clearInterval(timer);
  server.close(() => process.exit(0));
}
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
