// The gateway: the devices the Worker assigns to it, each a WhatsApp session plus its channel.
import type { Logger } from "pino";
import { DeviceChannel, type ChannelState } from "./channel/device-channel";
import { WorkerApi } from "./channel/worker-api";
import type { Config } from "./config";
import { WhatsAppSession, type SessionOptions } from "./session/whatsapp-session";
import { isRegistered } from "./store/auth-state";
import { SessionStore } from "./store/session-store";

type Hosted = { session: WhatsAppSession; channel: DeviceChannel };

export type GatewaySnapshot = {
  status: "ok" | "degraded";
  worker_reachable: boolean;
  sessions: { device_key: string; status: string; channel: ChannelState; phone?: string; reason?: string }[];
};

export class Gateway {
  readonly store: SessionStore;
  readonly api: WorkerApi;
  readonly #hosted = new Map<string, Hosted>();
  readonly #config: Config;
  readonly #log: Logger;
  readonly #makeSocket: SessionOptions["makeSocket"];
  #pollTimer: NodeJS.Timeout | null = null;
  #pruneTimer: NodeJS.Timeout | null = null;
  #workerReachable = false;
  #stopping = false;
  #refreshing = false;

  constructor(config: Config, logger: Logger, makeSocket?: SessionOptions["makeSocket"]) {
    this.#config = config;
    this.#log = logger;
    this.#makeSocket = makeSocket;
    this.store = new SessionStore(config.DATA_DIR, config.STORE_KEY);
    this.api = new WorkerApi({ pingUrl: config.PING_URL, gatewayId: config.GATEWAY_ID, gatewaySecret: config.GATEWAY_SECRET });
  }

  async start(): Promise<void> {
    await this.refreshDevices();
    this.#pollTimer = setInterval(() => void this.refreshDevices(), this.#config.DEVICE_POLL_MS);
    this.#pruneTimer = setInterval(() => this.#hosted.forEach((h) => h.session.prune()), 3_600_000);
    this.#pruneTimer.unref();
  }

  /** Starts hosting newly assigned devices and stops those no longer assigned here. */
  async refreshDevices(): Promise<void> {
    if (this.#stopping || this.#refreshing) return;
    this.#refreshing = true;
    try {
      await this.#refresh();
    } finally {
      this.#refreshing = false;
    }
  }

  async #refresh(): Promise<void> {
    let assigned: string[];
    try {
      assigned = await this.api.devices();
      this.#workerReachable = true;
    } catch (err) {
      this.#workerReachable = false;
      this.#log.warn({ err: (err as Error).message }, "could not list this gateway's devices");
      return;
    }
    for (const [key, hosted] of this.#hosted) {
      // A channel the Worker refused (reassigned: 4001) or closed for a deleted device (4004) is retired;
      // if the device is in the list again it is hosted afresh below.
      if (hosted.channel.state !== "refused" && hosted.channel.state !== "gone") continue;
      hosted.session.stop();
      this.#hosted.delete(key);
    }
    for (const key of assigned) if (!this.#hosted.has(key)) this.host(key);
    for (const [key, hosted] of this.#hosted) {
      // A session imported into the store while its device waited unpaired (a moved device) starts now.
      if (assigned.includes(key) && hosted.session.status.status === "logged_out" && hosted.session.idle && isRegistered(this.store, key)) {
        hosted.session.start();
      }
      if (assigned.includes(key)) continue;
      this.#log.info({ device_key: key }, "device no longer assigned here; releasing it");
      await hosted.channel.drain(this.#config.SHUTDOWN_TIMEOUT_MS);
      hosted.session.stop();
      this.#hosted.delete(key);
    }
  }

  host(deviceKey: string): Hosted {
    const channel = new DeviceChannel({
      deviceKey,
      gatewayId: this.#config.GATEWAY_ID,
      api: this.api,
      store: this.store,
      logger: this.#log,
      creditWindow: this.#config.CREDIT_WINDOW,
      sendConcurrency: this.#config.SEND_CONCURRENCY,
    });
    const session = new WhatsAppSession({
      deviceKey,
      store: this.store,
      logger: this.#log,
      listener: channel,
      fetchMedia: (mediaId) => this.api.downloadMedia(deviceKey, mediaId),
      typing: { msPerChar: this.#config.TYPING_MS_PER_CHAR, minMs: this.#config.TYPING_MIN_MS, maxMs: this.#config.TYPING_MAX_MS },
      checkNumbers: this.#config.CHECK_NUMBERS,
      qrMaxAttempts: this.#config.QR_MAX_ATTEMPTS,
      ...(this.#config.WA_WEBSOCKET_URL ? { waWebSocketUrl: this.#config.WA_WEBSOCKET_URL } : {}),
      ...(this.#makeSocket ? { makeSocket: this.#makeSocket } : {}),
    });
    channel.attach(session);
    const hosted = { session, channel };
    this.#hosted.set(deviceKey, hosted);
    channel.open();
    session.start();
    return hosted;
  }

  snapshot(): GatewaySnapshot {
    const sessions = [...this.#hosted.values()].map(({ session, channel }) => ({
      device_key: session.deviceKey,
      status: session.status.status,
      channel: channel.state,
      ...(session.status.phone ? { phone: session.status.phone } : {}),
      ...(session.status.reason ? { reason: session.status.reason } : {}),
    }));
    const healthy = this.#workerReachable && sessions.every((s) => s.channel === "open" || s.channel === "connecting");
    return { status: healthy ? "ok" : "degraded", worker_reachable: this.#workerReachable, sessions };
  }

  /** SIGTERM: stop pulling, let in-flight sends finish and ack, close the channels and WhatsApp sockets. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    await Promise.all([...this.#hosted.values()].map((h) => h.channel.drain(this.#config.SHUTDOWN_TIMEOUT_MS)));
    for (const h of this.#hosted.values()) h.session.stop();
    this.#hosted.clear();
    this.store.close();
  }
}
