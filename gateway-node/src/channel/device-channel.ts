// One device's gateway channel: a WebSocket to its DeviceSession in the Worker (see protocol/gateway-protocol.ts).
// It takes the device lease with `hello`, renews it with `ping`, pulls jobs with credits while the WhatsApp
// session is connected, and forwards status, inbound messages and receipts. Inbound messages are written to
// the SessionStore first and resent until the Worker answers `inbound_ack`, so a Worker or gateway restart
// loses none. The socket reconnects with exponential backoff and jitter.
import type { WAMessage } from "@whiskeysockets/baileys";
import { BufferJSON } from "@whiskeysockets/baileys";
import type { Logger } from "pino";
import WebSocket from "ws";
import { CloseCode, PROTOCOL_VERSION, parseServerFrame, type GatewayFrame, type InboundMessage, type ProtocolVersion, type ServerFrame } from "../../../protocol/gateway-protocol";
import type { MediaRef } from "../session/inbound";
import { SendError } from "../session/outbound";
import { backoff } from "../session/reconnect-policy";
import type { SessionListener, StatusUpdate, WhatsAppSession } from "../session/whatsapp-session";
import type { SessionStore } from "../store/session-store";
import type { WorkerApi } from "./worker-api";

export type ChannelState = "connecting" | "open" | "closed" | "refused" | "gone";

type Job = Extract<ServerFrame, { type: "job" }>;
/** What the channel uses of a WhatsApp session (the benchmark drives the channel with a session of its own). */
export type ChannelSession = Pick<WhatsAppSession, "status" | "send" | "pair" | "logout" | "stop" | "presence" | "downloadMedia">;
type PendingInbound = { message: InboundMessage; media: MediaRef | null; raw: string | null; media_attempts: number };

export type DeviceChannelOptions = {
  deviceKey: string;
  gatewayId: string;
  api: WorkerApi;
  store: SessionStore;
  logger: Logger;
  /** Jobs the gateway lets the Worker hand out ahead of the ones being sent. */
  creditWindow: number;
  /**
   * Jobs sent at the same time, to different chats (default 1). Messages to one chat always go one after the
   * other, in the order the Worker handed them out; with pacing on the Worker hands out one job per gap, so this
   * only shortens bursts the business let through unpaced (docs/gateway.md, "Concurrent sends").
   */
  sendConcurrency?: number;
};

const MEDIA_ATTEMPTS = 5;
/** Acks of one burst leave as one `acks` frame: at most this many, after at most ACK_BATCH_MS. */
const ACK_BATCH_MAX = 200;
const ACK_BATCH_MS = 10;

export class DeviceChannel implements SessionListener {
  readonly deviceKey: string;
  #session: ChannelSession | null = null;
  #ws: WebSocket | null = null;
  #state: ChannelState = "closed";
  #attempts = 0;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #lastPong = 0;
  #welcomed = false;
  /** The version offered in hello: 2, or 1 after a v1 Worker refused the v2 hello (during a rollout). */
  #helloVersion: ProtocolVersion = PROTOCOL_VERSION;
  /** The version the Worker answered in welcome: frames and fields it does not know are not sent to it. */
  #workerVersion: ProtocolVersion = 1;
  #acks: { job_id: string; wa_message_id: string }[] = [];
  #ackTimer: NodeJS.Timeout | null = null;
  /** Credits granted on this socket minus jobs received on it. */
  #outstanding = 0;
  readonly #queue: Job[] = [];
  readonly #seen = new Set<string>();
  /** Jobs being sent right now, by job id, with their chat (they count against the credit window). */
  readonly #inFlight = new Map<string, { chat: string; done: Promise<void> }>();
  #draining = false;
  #closedByUs = false;
  #pumpingInbound = false;
  /** Inbound events sent on the current socket and awaiting inbound_ack (resent after a reconnect). */
  readonly #inboundSent = new Set<string>();
  readonly #opts: DeviceChannelOptions;
  readonly #log: Logger;
  readonly #abort = new AbortController();

  constructor(opts: DeviceChannelOptions) {
    this.#opts = opts;
    this.deviceKey = opts.deviceKey;
    this.#log = opts.logger.child({ device_key: opts.deviceKey, part: "channel" });
  }

  get state(): ChannelState {
    return this.#state;
  }

  attach(session: ChannelSession): void {
    this.#session = session;
  }

  open(): void {
    if (this.#draining || this.#state === "refused" || this.#state === "gone") return;
    this.#closedByUs = false;
    this.#state = "connecting";
    const ws = new WebSocket(this.#opts.api.channelUrl(this.deviceKey), { headers: { authorization: this.#opts.api.authorization } });
    this.#ws = ws;
    this.#welcomed = false;
    this.#outstanding = 0;
    this.#helloVersion = PROTOCOL_VERSION;
    ws.on("open", () => this.#hello());
    ws.on("message", (data) => {
      const frame = parseServerFrame(data.toString());
      if (!frame) {
        this.#log.warn("unparseable frame from the Worker");
        return;
      }
      this.#onFrame(frame);
    });
    ws.on("close", (code, reason) => this.#onClose(ws, code, reason.toString()));
    // The Worker refuses the upgrade with an HTTP status before any frame (docs/gateway-protocol.md).
    ws.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      if (status === 401 || status === 403) this.#onClose(ws, CloseCode.unauthorized, `HTTP ${status}`);
      else if (status === 404) this.#onClose(ws, CloseCode.deviceGone, "HTTP 404");
      else this.#onClose(ws, 1006, `HTTP ${status}`);
    });
    ws.on("error", (err) => this.#log.debug({ err: err.message }, "channel socket error"));
  }

  #hello(): void {
    this.#send({ type: "hello", v: this.#helloVersion, gateway_id: this.#opts.gatewayId, status: this.#session?.status.status ?? "starting" });
  }

  #send(frame: GatewayFrame): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "welcome":
        this.#welcomed = true;
        this.#workerVersion = frame.v;
        this.#inboundSent.clear();
        this.#state = "open";
        this.#attempts = 0;
        this.#startHeartbeat(frame.heartbeat_ms);
        if (this.#session) this.status(this.#session.status);
        this.#grantCredits();
        void this.#pumpInbound();
        return;
      case "job":
        this.#outstanding = Math.max(0, this.#outstanding - 1);
        this.#onJob(frame);
        return;
      case "pair":
        this.#session?.pair(frame.method, frame.phone);
        return;
      case "logout":
        void this.#session?.logout();
        return;
      case "inbound_ack":
        this.#opts.store.delete(this.deviceKey, "inbound", frame.event_id);
        this.#inboundSent.delete(frame.event_id);
        return;
      case "pong":
        this.#lastPong = Date.now();
        return;
      case "presence":
        void this.#session?.presence(frame.to, frame.state);
        return;
      case "error":
        // A v1 Worker does not parse a v2 hello: offer v1 on the same socket (gateways may be upgraded first).
        if (!this.#welcomed && frame.code === "bad_frame" && this.#helloVersion > 1) {
          this.#helloVersion = 1;
          this.#hello();
          return;
        }
        this.#log.warn({ code: frame.code, fatal: frame.fatal }, `Worker: ${frame.message}`);
        return;
    }
  }

  #startHeartbeat(intervalMs: number): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#lastPong = Date.now();
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#lastPong > intervalMs * 3) {
        this.#log.warn("no pong from the Worker; reconnecting");
        this.#ws?.terminate();
        return;
      }
      this.#send({ type: "ping", t: Date.now() });
    }, intervalMs);
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.#ws) return;
    this.#ws = null;
    this.#welcomed = false;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    if (this.#closedByUs || this.#draining) {
      this.#state = "closed";
      return;
    }
    // Reassigned (4001) or deleted (4004): let go of the WhatsApp session at once, so a new holder's socket is not
    // replaced by this one. Keys stay on disk (a move may need them); an explicit `logout` frame wipes them.
    if (code === CloseCode.unauthorized) {
      this.#state = "refused";
      this.#log.error({ code, reason }, "the Worker refused this gateway for the device; releasing it");
      this.#session?.stop();
      return;
    }
    if (code === CloseCode.deviceGone) {
      this.#state = "gone";
      this.#log.warn("the device was deleted; stopping its session");
      this.#session?.stop();
      return;
    }
    this.#state = "closed";
    const delay = code === CloseCode.leaseHeld ? backoff(this.#attempts, 5_000, 60_000) : backoff(this.#attempts, 500, 30_000);
    this.#attempts++;
    this.#log.info({ code, reason, delay_ms: delay }, "channel closed; reconnecting");
    this.#reconnectTimer = setTimeout(() => this.open(), delay);
  }

  /** Tops the Worker's credit up to the window while the WhatsApp session can send. */
  #grantCredits(): void {
    if (!this.#welcomed || this.#draining || this.#session?.status.status !== "connected") return;
    const want = this.#opts.creditWindow - this.#outstanding - this.#queue.length - this.#inFlight.size;
    // Topped up in steps of a quarter window: each credit frame is one event for the Worker's Durable Object,
    // so a large window must not cost a frame per job (with the default window of 4 this is every job).
    if (want < Math.max(1, Math.floor(this.#opts.creditWindow / 4))) return;
    this.#outstanding += want;
    this.#send({ type: "credit", n: want });
  }

  #onJob(job: Job): void {
    if (this.#draining) {
      // Hand it straight back: it returns to the outbox for this or another gateway.
      this.#send({ type: "fail", job_id: job.job_id, retryable: true, reason: "gateway is shutting down" });
      return;
    }
    // A redelivery of a job still queued or being sent here (its lease ran out meanwhile): the first copy acks it.
    if (this.#seen.has(job.job_id)) return;
    this.#seen.add(job.job_id);
    this.#queue.push(job);
    this.#startSends();
  }

  /**
   * Starts queued jobs while fewer than `sendConcurrency` are in flight: the first queued job whose chat has
   * nothing in flight, so one chat's messages never overtake each other.
   */
  #startSends(): void {
    const limit = Math.max(1, this.#opts.sendConcurrency ?? 1);
    while (this.#inFlight.size < limit) {
      const busy = new Set([...this.#inFlight.values()].map((f) => f.chat));
      const i = this.#queue.findIndex((j) => !busy.has(j.to));
      const [job] = i < 0 ? [] : this.#queue.splice(i, 1);
      if (!job) return;
      const done = this.#sendOne(job).finally(() => {
        this.#inFlight.delete(job.job_id);
        this.#seen.delete(job.job_id);
        this.#grantCredits();
        this.#startSends();
      });
      this.#inFlight.set(job.job_id, { chat: job.to, done });
    }
  }

  async #sendOne(job: Job): Promise<void> {
    const session = this.#session;
    const log = this.#log.child({ job_id: job.job_id, attempt: job.attempt });
    try {
      if (!session) throw new SendError("no WhatsApp session", true);
      const waId = await session.send(job, this.#abort.signal);
      // If the socket is down the ack is lost; the redelivery is then acked from the sent-job record.
      this.#ack(job.job_id, waId);
      log.debug({ wa_message_id: waId }, "sent");
    } catch (err) {
      const retryable = err instanceof SendError ? err.retryable : true;
      const code = err instanceof SendError ? err.code : "other";
      const reason = (err as Error).message.slice(0, 500);
      log.warn({ retryable, reason, code }, "send failed");
      this.#send({ type: "fail", job_id: job.job_id, retryable, reason, ...(this.#workerVersion >= 2 ? { code } : {}) });
    }
  }

  /**
   * Acks are batched: the jobs sent in one burst are acknowledged in one `acks` frame (each frame is one event for
   * the Worker's Durable Object, so this is what keeps the ack path cheap at volume; bench:send measures it).
   */
  #ack(jobId: string, waId: string): void {
    this.#acks.push({ job_id: jobId, wa_message_id: waId });
    if (this.#acks.length >= ACK_BATCH_MAX) this.#flushAcks();
    else this.#ackTimer ??= setTimeout(() => this.#flushAcks(), ACK_BATCH_MS);
  }

  #flushAcks(): void {
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
    const items = this.#acks.splice(0);
    const [only] = items;
    if (items.length === 1 && only) this.#send({ type: "ack", ...only });
    else if (items.length > 1) this.#send({ type: "acks", items });
  }

  // ── SessionListener ──────────────────────────────────────────────────────────────────────────

  status(update: StatusUpdate): void {
    this.#send({ type: "status", ...update, ...(update.reason ? { reason: update.reason.slice(0, 500) } : {}) });
    if (update.status === "connected") this.#grantCredits();
  }

  inbound(message: InboundMessage, media: MediaRef | null, raw: WAMessage): void {
    const pending: PendingInbound = { message, media, raw: media ? JSON.stringify(raw, BufferJSON.replacer) : null, media_attempts: 0 };
    this.#opts.store.put(this.deviceKey, "inbound", this.#eventId(message), JSON.stringify(pending));
    void this.#pumpInbound();
  }

  receipt(waMessageId: string, status: "delivered" | "read", timestamp: number): void {
    // Receipts are best effort: a lost one is superseded by the next (read implies delivered).
    this.#send({ type: "receipt", wa_message_id: waMessageId, status, timestamp });
  }

  #eventId(message: InboundMessage): string {
    return `${this.deviceKey}:${message.chat_jid}:${message.wa_message_id}`;
  }

  /** Sends every stored, unacknowledged inbound message (uploading its media first). */
  async #pumpInbound(): Promise<void> {
    if (this.#pumpingInbound || !this.#welcomed) return;
    this.#pumpingInbound = true;
    try {
      for (const row of this.#opts.store.list(this.deviceKey, "inbound")) {
        if (!this.#welcomed) return;
        if (this.#inboundSent.has(row.id)) continue;
        const pending = JSON.parse(row.value) as PendingInbound;
        // The business's own messages (v2) mean nothing to a v1 Worker, which would store them as a customer's.
        if (pending.message.from_me && this.#workerVersion < 2) {
          this.#opts.store.delete(this.deviceKey, "inbound", row.id);
          continue;
        }
        if (pending.media && !pending.message.media && pending.raw && pending.media_attempts < MEDIA_ATTEMPTS) {
          await this.#uploadMedia(row.id, pending);
        }
        if (pending.media && !pending.message.media && pending.media_attempts < MEDIA_ATTEMPTS) continue;
        if (this.#send({ type: "inbound", event_id: row.id, message: pending.message })) this.#inboundSent.add(row.id);
      }
    } finally {
      this.#pumpingInbound = false;
    }
  }

  async #uploadMedia(eventId: string, pending: PendingInbound): Promise<void> {
    const media = pending.media;
    const session = this.#session;
    if (!media || !pending.raw || !session) return;
    try {
      const bytes = await session.downloadMedia(JSON.parse(pending.raw, BufferJSON.reviver) as WAMessage);
      const uploaded = await this.#opts.api.uploadMedia(this.deviceKey, bytes, media.mime_type, media.file_name);
      pending.message.media = { media_id: uploaded.media_id, mime_type: media.mime_type, size: uploaded.size, ...(media.file_name ? { file_name: media.file_name } : {}) };
      pending.raw = null;
    } catch (err) {
      pending.media_attempts++;
      this.#log.warn({ err: (err as Error).message, attempts: pending.media_attempts }, "inbound media upload failed");
      // After the last attempt the message still goes through, without its media, rather than never.
      if (pending.media_attempts < MEDIA_ATTEMPTS) {
        this.#opts.store.put(this.deviceKey, "inbound", eventId, JSON.stringify(pending));
        setTimeout(() => void this.#pumpInbound(), backoff(pending.media_attempts, 2_000, 60_000)).unref();
        return;
      }
    }
    this.#opts.store.put(this.deviceKey, "inbound", eventId, JSON.stringify(pending));
  }

  /** Graceful stop: no new jobs, the ones being sent finish (and are acked), then the socket closes. */
  async drain(timeoutMs: number): Promise<void> {
    this.#flushAcks();
    this.#draining = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    // Jobs queued but not started go back to the outbox at once.
    for (const job of this.#queue.splice(0)) this.#send({ type: "fail", job_id: job.job_id, retryable: true, reason: "gateway is shutting down" });
    if (this.#inFlight.size > 0) {
      const inflight = Promise.all([...this.#inFlight.values()].map((f) => f.done));
      const timer = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
      await Promise.race([inflight, timer]);
      this.#abort.abort();
    }
    this.close();
  }

  close(): void {
    this.#flushAcks();
    this.#closedByUs = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#ws?.close(1001, "gateway stopping");
    this.#state = "closed";
  }
}
