// One WhatsApp number held by this gateway: a Baileys socket plus an explicit status machine
//   starting → qr | pairing_code → connected,   or  logged_out / failed (with the reason),  disconnected while
// waiting to reconnect. Every reconnect goes through one debounced restart timer, so overlapping closes never
// start two sockets (the pattern of Baileys' Example/example.ts and WAHA's session status machine).
import makeWASocket, {
  Browsers,
  downloadMediaMessage,
  generateMessageIDV2,
  isJidGroup,
  makeCacheableSignalKeyStore,
  proto,
  BufferJSON,
  type BaileysEventMap,
  type BinaryNode,
  type WAMessage,
  type WAMessageKey,
  type WASocket,
} from "@whiskeysockets/baileys";
import type { Logger } from "pino";
import type { InboundMessage, JobContent, SessionStatus } from "../../../protocol/gateway-protocol";
import { isRegistered, sqliteAuthState } from "../store/auth-state";
import type { SessionStore } from "../store/session-store";
import { toInbound, receiptStatus, type MediaRef } from "./inbound";
import { messageContent, recipientJid, SendError, typingDelay, type MediaFetcher, type TypingPolicy } from "./outbound";
import { decideOnClose } from "./reconnect-policy";

export type StatusUpdate = { status: SessionStatus; qr?: string; pairing_code?: string; phone?: string; reason?: string };

export type SessionListener = {
  status(update: StatusUpdate): void;
  /** A customer message; `raw` is kept so its media can be downloaded (again) with `downloadMedia`. */
  inbound(message: InboundMessage, media: MediaRef | null, raw: WAMessage): void;
  receipt(waMessageId: string, status: "delivered" | "read", timestamp: number): void;
};

export type SessionOptions = {
  deviceKey: string;
  store: SessionStore;
  logger: Logger;
  listener: SessionListener;
  fetchMedia: MediaFetcher;
  typing: TypingPolicy;
  /** Ask WhatsApp whether a number exists before the first message to it (cached). */
  checkNumbers: boolean;
  qrMaxAttempts: number;
  /** How long a send waits for WhatsApp's server ack (default 15 s; tests shorten it). */
  serverAckTimeoutMs?: number;
  /** Override of WhatsApp's WebSocket URL (the simulator in tests). */
  waWebSocketUrl?: string;
  /** Socket factory; Baileys' makeWASocket unless a test drives its own socket's events. */
  makeSocket?: typeof makeWASocket;
};

export type SendJob = { job_id: string; to: string; content: JobContent; typing_ms: number };

const NUMBER_OK_TTL_MS = 7 * 86_400_000;
const NUMBER_MISSING_TTL_MS = 86_400_000;
const MESSAGE_STORE_TTL_MS = 3 * 86_400_000;
const SENT_JOB_TTL_MS = 14 * 86_400_000;
const REPLACED_WINDOW_MS = 10 * 60_000;
/** How long a send waits for WhatsApp's server ack before it counts as not delivered (retryable once). */
const SERVER_ACK_TIMEOUT_MS = 15_000;
/**
 * Writes of one job to WhatsApp without a server ack: the first is retried once under the same WhatsApp message
 * id (WhatsApp drops a message id it already has, so a lost ack does not become a second message); after the
 * second the job fails rather than risk a third write (docs/gateway-protocol.md, "Duplicates").
 */
const MAX_UNACKED_WRITES = 2;

/** A job written to WhatsApp and not yet acknowledged: its message id is reused by any retry. */
type WrittenJob = { wa_id: string; writes: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * WhatsApp refused the message with an error ack. 463/479: the account may not start this chat (restricted);
 * 403: the recipient blocked the number. Retrying either only worsens the number's standing.
 */
function refusal(error: string): SendError {
  if (error === "463" || error === "479") return new SendError(`WhatsApp refused the message (error ${error}): the number is restricted`, false, "restricted");
  if (error === "403") return new SendError(`WhatsApp refused the message (error ${error}): the recipient blocked this number`, false, "blocked");
  return new SendError(`WhatsApp refused the message (error ${error})`, true);
}

function statusCodeOf(error: unknown): number | undefined {
  const output = (error as { output?: { statusCode?: unknown } } | undefined)?.output;
  return typeof output?.statusCode === "number" ? output.statusCode : undefined;
}

export class WhatsAppSession {
  readonly deviceKey: string;
  #status: StatusUpdate = { status: "disconnected", reason: "not started" };
  #sock: WASocket | null = null;
  #restartTimer: NodeJS.Timeout | null = null;
  #attempts = 0;
  #replacedAt: number[] = [];
  #qrCount = 0;
  #pairing: { method: "qr" | "code"; phone?: string; codeRequested: boolean } | null = null;
  #stopped = false;
  #generation = 0;
  /** Sends waiting for WhatsApp's server ack, by message id. */
  readonly #awaitingAck = new Map<string, (error: string | null) => void>();
  /** WhatsApp ids this gateway wrote recently: their `fromMe` echoes are not the business writing from the phone. */
  readonly #ownIds = new Set<string>();
  readonly #opts: SessionOptions;
  readonly #log: Logger;

  constructor(opts: SessionOptions) {
    this.#opts = opts;
    this.deviceKey = opts.deviceKey;
    this.#log = opts.logger.child({ device_key: opts.deviceKey });
  }

  get status(): StatusUpdate {
    return this.#status;
  }

  /** No socket and no restart pending: the session waits for a pair request or for stored credentials. */
  get idle(): boolean {
    return this.#sock === null && this.#restartTimer === null;
  }

  /** Starts the session from stored credentials; a device never paired waits for `pair()`. */
  start(): void {
    this.#stopped = false;
    if (!isRegistered(this.#opts.store, this.deviceKey) && !this.#pairing) {
      this.#setStatus({ status: "logged_out", reason: "not paired yet: scan a QR code or use a pairing code" });
      return;
    }
    this.#restart(0);
  }

  /** Starts pairing: QR (string refreshed by WhatsApp) or a pairing code for `phone`. Drops unfinished creds. */
  pair(method: "qr" | "code", phone?: string): void {
    if (method === "code" && !phone) {
      this.#setStatus({ status: "failed", reason: "a pairing code needs the phone number" });
      return;
    }
    if (this.#status.status === "connected") {
      this.#setStatus(this.#status);
      return;
    }
    // A paired session that is only offline reconnects instead: pairing again would throw valid keys away.
    // (To pair another phone, log the device out first.)
    if (isRegistered(this.#opts.store, this.deviceKey)) {
      this.#stopped = false;
      this.#attempts = 0;
      this.#restart(0);
      return;
    }
    this.#opts.store.wipeAuth(this.deviceKey);
    this.#pairing = { method, phone: phone?.replace(/\D/g, ""), codeRequested: false };
    this.#qrCount = 0;
    this.#attempts = 0;
    this.#stopped = false;
    this.#restart(0);
  }

  /** Logs out from WhatsApp (the admin asked) and forgets the credentials. */
  async logout(): Promise<void> {
    this.#stopped = true;
    this.#clearRestart();
    const sock = this.#sock;
    this.#sock = null;
    this.#generation++;
    if (sock) await sock.logout("logged out by Ping").catch((err: unknown) => this.#log.warn({ err }, "logout request failed"));
    this.#opts.store.wipeAuth(this.deviceKey);
    this.#setStatus({ status: "logged_out", reason: "logged out by an admin" });
  }

  /** Closes the socket without logging out; the stored session resumes on the next start. */
  stop(): void {
    this.#stopped = true;
    for (const settle of [...this.#awaitingAck.values()]) settle("closed");
    this.#clearRestart();
    this.#generation++;
    this.#sock?.end(undefined);
    this.#sock = null;
  }

  #setStatus(update: StatusUpdate): void {
    this.#status = update;
    this.#log.info({ status: update.status, reason: update.reason }, "session status");
    this.#opts.listener.status(update);
  }

  #clearRestart(): void {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
  }

  /** The one way a socket is (re)started: debounced, so closes that arrive together start one socket. */
  #restart(delayMs: number): void {
    this.#clearRestart();
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (!this.#stopped) this.#connect();
    }, delayMs);
  }

  #connect(): void {
    const previous = this.#sock;
    const generation = ++this.#generation;
    previous?.end(undefined);
    const auth = sqliteAuthState(this.#opts.store, this.deviceKey);
    const make = this.#opts.makeSocket ?? makeWASocket;
    const sock = make({
      auth: { creds: auth.state.creds, keys: makeCacheableSignalKeyStore(auth.state.keys, this.#log) },
      logger: this.#log.child({ module: "baileys" }, { level: this.#log.level === "trace" ? "trace" : "warn" }),
      browser: Browsers.ubuntu("Ping"),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      getMessage: (key) => Promise.resolve(this.getMessage(key)),
      ...(this.#opts.waWebSocketUrl ? { waWebSocketUrl: this.#opts.waWebSocketUrl } : {}),
    });
    this.#sock = sock;
    this.#setStatus({ status: "starting" });
    // WhatsApp acks every message stanza it accepted; Baileys only surfaces failed acks, so listen raw.
    sock.ws.on("CB:ack,class:message", (node: BinaryNode) => {
      const id = node.attrs.id;
      const settle = id ? this.#awaitingAck.get(id) : undefined;
      settle?.(node.attrs.error ?? null);
    });
    sock.ev.process(async (events) => {
      if (generation !== this.#generation) return;
      // Credentials first: a later event in this batch may already depend on them.
      if (events["creds.update"]) auth.saveCreds();
      if (events["connection.update"]) await this.#onConnection(sock, events["connection.update"]);
      if (events["messages.upsert"]) this.#onUpsert(sock, events["messages.upsert"]);
      if (events["messages.update"]) this.#onMessageUpdate(events["messages.update"]);
      if (events["message-receipt.update"]) this.#onReceipt(events["message-receipt.update"]);
    });
  }

  async #onConnection(sock: WASocket, update: BaileysEventMap["connection.update"]): Promise<void> {
    const { connection, lastDisconnect, qr } = update;
    if (qr) await this.#onQr(sock, qr);
    if (connection === "open") {
      this.#attempts = 0;
      this.#pairing = null;
      this.#qrCount = 0;
      const phone = sock.user?.id.split(":")[0]?.split("@")[0];
      this.#setStatus({ status: "connected", ...(phone ? { phone } : {}) });
    }
    if (connection === "close") {
      if (sock !== this.#sock) return;
      for (const settle of [...this.#awaitingAck.values()]) settle("closed");
      const code = statusCodeOf(lastDisconnect?.error);
      const now = Date.now();
      if (code === 440) this.#replacedAt = [...this.#replacedAt.filter((t) => now - t < REPLACED_WINDOW_MS), now];
      const decision = decideOnClose(code, { attempts: this.#attempts, replacedRecently: this.#replacedAt.length });
      this.#attempts++;
      if (this.#stopped) return;
      if (decision.action === "stop") {
        this.#sock = null;
        if (decision.wipeCreds) this.#opts.store.wipeAuth(this.deviceKey);
        this.#setStatus({ status: decision.status, reason: decision.reason });
        return;
      }
      this.#setStatus({ status: "disconnected", reason: `${decision.reason}; reconnecting in ${Math.round(decision.delayMs / 1000)} s` });
      this.#restart(decision.delayMs);
    }
  }

  async #onQr(sock: WASocket, qr: string): Promise<void> {
    if (this.#pairing?.method === "code" && this.#pairing.phone) {
      if (this.#pairing.codeRequested) return;
      this.#pairing.codeRequested = true;
      try {
        const code = await sock.requestPairingCode(this.#pairing.phone);
        this.#setStatus({ status: "pairing_code", pairing_code: code, phone: this.#pairing.phone });
      } catch (err) {
        this.#log.warn({ err }, "pairing code request failed");
        this.#setStatus({ status: "failed", reason: "WhatsApp did not give a pairing code; try again" });
        this.stop();
      }
      return;
    }
    this.#qrCount++;
    if (this.#qrCount > this.#opts.qrMaxAttempts) {
      this.#pairing = null;
      this.stop();
      this.#setStatus({ status: "failed", reason: `QR code not scanned after ${this.#opts.qrMaxAttempts} attempts; start pairing again` });
      return;
    }
    this.#setStatus({ status: "qr", qr });
  }

  #onUpsert(sock: WASocket, upsert: BaileysEventMap["messages.upsert"]): void {
    for (const msg of upsert.messages) {
      if (msg.message && msg.key.id && msg.key.remoteJid) this.#storeMessage(msg.key.remoteJid, msg.key.id, msg.message);
      if (upsert.type !== "notify" || (msg.key.fromMe && msg.key.id && this.#ownIds.has(msg.key.id))) continue;
      void toInbound(msg, (lid) => sock.signalRepository.lidMapping.getPNForLID(lid))
        .then((mapped) => {
          if (!mapped) return;
          this.#opts.listener.inbound(mapped.message, mapped.media, msg);
        })
        .catch((err: unknown) => this.#log.error({ err, wa_message_id: msg.key.id }, "inbound message could not be mapped"));
    }
  }

  /** Shows "typing…" or stops it in a chat (protocol v2 `presence`); best effort, nothing while not connected. */
  async presence(to: string, state: "composing" | "paused"): Promise<void> {
    const sock = this.#sock;
    if (!sock || this.#status.status !== "connected") return;
    await sock.sendPresenceUpdate(state, recipientJid(to)).catch((err: unknown) => this.#log.debug({ err }, "presence update failed"));
  }

  /** Downloads and decrypts a message's media; asks the sender's phone to re-upload expired media when connected. */
  downloadMedia(raw: WAMessage): Promise<Buffer> {
    const sock = this.#sock;
    return downloadMediaMessage(raw, "buffer", {}, {
      logger: this.#log,
      reuploadRequest: (m: WAMessage) => (sock ? sock.updateMediaMessage(m) : Promise.reject(new Error("not connected"))),
    });
  }

  #onMessageUpdate(updates: BaileysEventMap["messages.update"]): void {
    for (const { key, update } of updates) {
      if (!key.fromMe || !key.id) continue;
      const status = receiptStatus(update.status);
      if (status) this.#opts.listener.receipt(key.id, status, Math.floor(Date.now() / 1000));
    }
  }

  #onReceipt(receipts: BaileysEventMap["message-receipt.update"]): void {
    // Per-participant receipts (groups); direct chats arrive through messages.update.
    for (const { key, receipt } of receipts) {
      if (!key.fromMe || !key.id) continue;
      const read = receipt.readTimestamp ?? receipt.playedTimestamp;
      const t = read ?? receipt.receiptTimestamp;
      if (t == null) continue;
      this.#opts.listener.receipt(key.id, read != null ? "read" : "delivered", Number(t));
    }
  }

  #storeMessage(remoteJid: string, id: string, message: proto.IMessage): void {
    this.#opts.store.put(this.deviceKey, "message", `${remoteJid}|${id}`, JSON.stringify(proto.Message.toObject(proto.Message.fromObject(message)), BufferJSON.replacer));
  }

  /** Baileys' getMessage: a message we sent or received, for the recipient's retry request (re-encryption). */
  getMessage(key: WAMessageKey): proto.IMessage | undefined {
    if (!key.remoteJid || !key.id) return undefined;
    const text = this.#opts.store.get(this.deviceKey, "message", `${key.remoteJid}|${key.id}`);
    return text ? proto.Message.fromObject(JSON.parse(text, BufferJSON.reviver) as object) : undefined;
  }

  /** Old message-store, number-cache and sent-job rows; run periodically. */
  prune(now = Date.now()): void {
    this.#opts.store.prune(this.deviceKey, "message", now - MESSAGE_STORE_TTL_MS);
    this.#opts.store.prune(this.deviceKey, "sent_job", now - SENT_JOB_TTL_MS);
    this.#opts.store.prune(this.deviceKey, "written_job", now - SENT_JOB_TTL_MS);
    this.#opts.store.prune(this.deviceKey, "number", now - NUMBER_OK_TTL_MS);
  }

  /** The WhatsApp id of a job this gateway already sent (a redelivery after a lost ack), or null. */
  sentJob(jobId: string): string | null {
    return this.#opts.store.get(this.deviceKey, "sent_job", jobId);
  }

  async #checkNumber(sock: WASocket, jid: string): Promise<void> {
    if (!this.#opts.checkNumbers || isJidGroup(jid)) return;
    const cached = this.#opts.store.get(this.deviceKey, "number", jid);
    if (cached) {
      const { exists, at } = JSON.parse(cached) as { exists: boolean; at: number };
      const fresh = Date.now() - at < (exists ? NUMBER_OK_TTL_MS : NUMBER_MISSING_TTL_MS);
      if (fresh && exists) return;
      if (fresh) throw new SendError(`${jid.split("@")[0]} is not on WhatsApp`, false, "not_on_whatsapp");
    }
    let result: { exists: boolean }[] | undefined;
    try {
      result = await sock.onWhatsApp(jid);
    } catch (err) {
      throw new SendError(`could not check the number on WhatsApp: ${(err as Error).message}`, true);
    }
    const exists = result?.[0]?.exists === true;
    this.#opts.store.put(this.deviceKey, "number", jid, JSON.stringify({ exists, at: Date.now() }));
    if (!exists) throw new SendError(`${jid.split("@")[0]} is not on WhatsApp`, false, "not_on_whatsapp");
  }

  #serverAck(id: string): Promise<string | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle("timeout"), this.#opts.serverAckTimeoutMs ?? SERVER_ACK_TIMEOUT_MS);
      const settle = (error: string | null) => {
        clearTimeout(timer);
        this.#awaitingAck.delete(id);
        resolve(error);
      };
      this.#awaitingAck.set(id, settle);
    });
  }

  #writtenJob(jobId: string): WrittenJob | null {
    const text = this.#opts.store.get(this.deviceKey, "written_job", jobId);
    return text ? (JSON.parse(text) as WrittenJob) : null;
  }

  /**
   * Sends one job and returns the WhatsApp message id. The job id → message id pair is stored before
   * the caller acks, so a job redelivered after a lost ack is acked again without a second send. A job
   * written but never acknowledged by WhatsApp is retried once, under the same message id.
   */
  async send(job: SendJob, signal?: AbortSignal): Promise<string> {
    const already = this.sentJob(job.job_id);
    if (already) return already;
    const written = this.#writtenJob(job.job_id);
    if (written && written.writes >= MAX_UNACKED_WRITES) {
      throw new SendError(`WhatsApp did not acknowledge this message after ${written.writes} writes; not sent again so the customer cannot get it twice`, false, "timeout");
    }
    const sock = this.#sock;
    if (!sock || this.#status.status !== "connected") throw new SendError(`device is not connected (${this.#status.status})`, true);
    const jid = recipientJid(job.to);
    await this.#checkNumber(sock, jid);
    const content = await messageContent(job.content, this.#opts.fetchMedia).catch((err: unknown) => {
      throw err instanceof SendError ? err : new SendError(`media could not be prepared: ${(err as Error).message}`, true, "media");
    });
    const typing = typingDelay(job.content, job.typing_ms, this.#opts.typing);
    if (typing > 0) {
      await sock.sendPresenceUpdate("composing", jid).catch(() => undefined);
      await sleep(typing);
      await sock.sendPresenceUpdate("paused", jid).catch(() => undefined);
    }
    if (signal?.aborted) throw new SendError("gateway is shutting down", true);
    // The id is chosen here (and kept for a retry) so the server ack can be awaited without a race, and a
    // second write of the same job is the same WhatsApp message, which WhatsApp does not deliver twice.
    const waId = written?.wa_id ?? generateMessageIDV2(sock.user?.id);
    // Recorded before the write: a gateway that dies mid-write retries under this id too.
    const writes = written?.writes ?? 0;
    this.#opts.store.put(this.deviceKey, "written_job", job.job_id, JSON.stringify({ wa_id: waId, writes } satisfies WrittenJob));
    const acked = this.#serverAck(waId);
    this.#ownIds.add(waId);
    if (this.#ownIds.size > 5000) this.#ownIds.delete(this.#ownIds.values().next().value ?? waId);
    try {
      await sock.sendMessage(jid, content, { messageId: waId });
    } catch (err) {
      this.#awaitingAck.delete(waId);
      const code = statusCodeOf(err);
      // Connection-level failures are retried; WhatsApp refusing the content itself (4xx) is final.
      const retryable = code === undefined || code >= 500 || code === 408 || code === 428 || code === 440;
      throw new SendError(`WhatsApp send failed: ${(err as Error).message}`, retryable);
    }
    this.#opts.store.put(this.deviceKey, "written_job", job.job_id, JSON.stringify({ wa_id: waId, writes: writes + 1 } satisfies WrittenJob));
    // Written to the socket is not delivered: only WhatsApp's ack makes the message `sent`. Without it the job is
    // retried once with the same message id (see MAX_UNACKED_WRITES).
    const error = await acked;
    if (error === "timeout" || error === "closed") {
      const last = writes + 1 >= MAX_UNACKED_WRITES;
      throw new SendError(
        `no ack from WhatsApp (${error === "timeout" ? "timed out" : "connection closed"}); ${last ? "not sent again so the customer cannot get it twice" : "will retry once with the same message id"}`,
        !last,
        "timeout",
      );
    }
    if (error !== null) {
      this.#opts.store.delete(this.deviceKey, "written_job", job.job_id);
      throw refusal(error);
    }
    this.#opts.store.put(this.deviceKey, "sent_job", job.job_id, waId);
    this.#opts.store.delete(this.deviceKey, "written_job", job.job_id);
    return waId;
  }
}
