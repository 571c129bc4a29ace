// gateway-node entry point: holds the Baileys sessions of the devices the Worker assigns to this gateway.
import { pino } from "pino";
import { loadConfig } from "./config";
import { Gateway } from "./gateway";
import { startHealthServer } from "./health";

const config = loadConfig();
const log = pino({ level: config.LOG_LEVEL, base: { gateway_id: config.GATEWAY_ID } });

// A stray rejection inside Baileys must not take every other session down with the process.
process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));

const gateway = new Gateway(config, log);
const server = await startHealthServer(config.HEALTH_HOST, config.HEALTH_PORT, () => gateway.snapshot());
await gateway.start();
const address = server.address();
const healthPort = address && typeof address === "object" ? address.port : config.HEALTH_PORT;
log.info({ health: `http://${config.HEALTH_HOST}:${healthPort}/health`, worker: config.PING_URL }, "gateway-node started");

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down: finishing in-flight sends");
  try {
    await gateway.stop();
  } catch (err) {
    log.error({ err }, "shutdown did not finish cleanly");
  }
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
