// DeviceSession: one per device (WhatsApp number), the single owner of that number's outbox, pacing and
// live status. Jobs arrive from the outbound queue (idempotent by message id), wait in the outbox in two
// lanes (transactional ahead of broadcast), and leave at the pace the device's settings allow — sent here
// for `sandbox` and `cloud_api`, or leased to gateway-node over a hibernatable WebSocket for `baileys`.
// All state lives in the object's SQLite storage and time is kept with alarms, so eviction loses nothing.
import { DurableObject } from "cloudflare:workers";
import {
  CloseCode,
  type GatewayFrame,
  type InboundMessage,
  PROTOCOL_VERSION,
  parseGatewayFrame,
  type ServerFrame,
  SessionStatus,
} from "../../protocol/gateway-protocol";
import { getBusiness } from "../db/businesses";
import { database } from "../db/client";
import { type Device, getDeviceByKey, updateDevice } from "../db/devices";
import { applyStatusBatch, getQueuedMessages, markAccepted, type StatusUpdate, setStatusByProviderId } from "../db/messages";
import type { MessageStatus, Provider } from "../db/schema";
import { receiveInbound } from "../inbound/receive";
import type { InboxEvent } from "../inbox/events";
import { messageCreated, publishInbox } from "../inbox/publish";
import { contentOf, type OutboundContent } from "../messaging/content";
import type { OutboundJob } from "../messaging/jobs";
import { CAP_SPANS, gapAfterSend, type Lane, nextSendAt, type PacingState } from "../messaging/pacing";
import { cloudApiSend, readCloudApiConfig } from "../messaging/providers/cloud-api";
import { sandboxSend } from "../messaging/providers/sandbox";
import type { SendOutcome } from "../messaging/providers/types";
import { type DeviceSettings, effectiveSettings } from "../messaging/settings";
import { checkServiceWindow } from "../messaging/service-window";

/** The gateway renews its device lease with a ping at least this often. */
export const HEARTBEAT_MS = 10_000;
/** Without a ping for this long the gateway has lost the device and another may take it. */
export const DEVICE_LEASE_MS = 30_000;
/** A job is handed out at most this many times (lease expiries and retryable failures together). */
export const MAX_ATTEMPTS = 8;
/** Finished jobs are remembered this long so a late duplicate queue delivery stays a no-op. */
const DONE_RETENTION_MS = 7 * 24 * 3600_000;
const CONFIG_TTL_MS = 30_000;
/** Inbox publishes (one per accepted batch or status flush) waiting on the hub before new ones are dropped. */
const LIVE_PUBLISH_BACKLOG = 200;

type JobState = "pending" | "leased" | "done" | "failed";

type JobRow = {
  message_id: string;
  lane: Lane;
  to_jid: string;
  content: string;
  state: JobState;
  attempt: number;
  not_before: number;
  lease_until: number | null;
};

type Config = {
  deviceKey: string;
  businessId: string;
  provider: Provider;
  settings: DeviceSettings;
  timeZone: string;
  device: Device;
  loadedAt: number;
};

/** Per-socket state, kept in the socket's attachment so it survives hibernation. */
type SocketState = { id: string; gateway_id: string; hello: boolean; credits: number };

export type LiveStatus = {
  status: SessionStatus | null;
  qr: string | null;
  pairing_code: string | null;
  gateway_connected: boolean;
  gateway_id: string | null;
  outbox: { pending: number; leased: number };
};

function retryBackoffMs(attempt: number): number {
  return Math.min(10 * 60_000, 2_000 * 2 ** Math.max(0, attempt - 1));
}

export class DeviceSession extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private config: Config | null = null;
  private pumping = false;
  private pumpAgain = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS jobs (
      message_id TEXT PRIMARY KEY,
      lane TEXT NOT NULL,
      to_jid TEXT NOT NULL,
      content TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending',
      attempt INTEGER NOT NULL DEFAULT 0,
      not_before INTEGER NOT NULL DEFAULT 0,
      lease_until INTEGER,
      accepted_at INTEGER NOT NULL,
      finished_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, lane, not_before);
    CREATE TABLE IF NOT EXISTS sends (at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS sends_at ON sends (at);
    CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS d1_writes (
      message_id TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      provider_message_id TEXT,
      error TEXT
    );`);
  }

  // ── small storage helpers ──────────────────────────────────────────────────────────────────────

  private getMeta(k: string): string | null {
    const row = this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0];
    return row ? row.v : null;
  }

  private setMeta(k: string, v: string | number | null): void {
    if (v === null) this.sql.exec("DELETE FROM meta WHERE k = ?", k);
    else this.sql.exec("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, String(v));
  }

  private async loadConfig(deviceKey?: string, force = false): Promise<Config | null> {
    const now = Date.now();
    if (!force && this.config && now - this.config.loadedAt < CONFIG_TTL_MS) return this.config;
    const key = deviceKey ?? this.getMeta("device_key");
    if (!key) return null;
    const db = database(this.env.DB);
    const device = await getDeviceByKey(db, key);
    if (!device) {
      this.config = null;
      return null;
    }
    this.setMeta("device_key", key);
    const business = await getBusiness(db, device.businessId);
    this.config = {
      deviceKey: key,
      businessId: device.businessId,
      provider: device.provider,
      settings: effectiveSettings(device.provider, device.settings),
      timeZone: business?.timezone ?? "Asia/Jakarta",
      device,
      loadedAt: now,
    };
    return this.config;
  }

  // ── RPC from the Worker ────────────────────────────────────────────────────────────────────────

  /**
   * Takes jobs into the outbox. A message already known (any state) is a no-op: duplicate deliveries are
   * harmless. When the outbox is full the jobs are `deferred`: the consumer leaves them on the queue.
   */
  async acceptBatch(jobs: OutboundJob[]): Promise<{ accepted: number; deferred: string[] }> {
    const first = jobs[0];
    if (!first) return { accepted: 0, deferred: [] };
    const cfg = await this.loadConfig(first.device_key);
    const db = database(this.env.DB);
    const known = new Set<string>();
    for (let i = 0; i < jobs.length; i += 100) {
      const ids = jobs.slice(i, i + 100).map((j) => j.message_id);
      const rows = this.sql.exec<{ message_id: string }>(`SELECT message_id FROM jobs WHERE message_id IN (${ids.map(() => "?").join(",")})`, ...ids);
      for (const r of rows) known.add(r.message_id);
    }
    const unknown = jobs.filter((j) => !known.has(j.message_id));
    if (unknown.length === 0) return { accepted: 0, deferred: [] };
    if (!cfg || cfg.businessId !== first.business_id) {
      for (const j of unknown) this.writeBack(j.message_id, "failed", null, "device not found");
      await this.flushWrites();
      return { accepted: 0, deferred: [] };
    }
    const open = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE state IN ('pending','leased')").one().n;
    const room = Math.max(0, Number(this.env.OUTBOX_LIMIT) - open);
    const fresh = unknown.slice(0, room);
    const deferred = unknown.slice(room).map((j) => j.message_id);
    if (fresh.length === 0) return { accepted: 0, deferred };
    const order = new Map(fresh.map((j, i) => [j.message_id, i]));
    // Within a lane the outbox keeps the queue's order (D1 returns rows in key order).
    const rows = (await getQueuedMessages(db, cfg.businessId, fresh.map((j) => j.message_id))).sort(
      (a, b) => a.createdAt - b.createdAt || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0),
    );
    const now = Date.now();
    for (const m of rows) {
      const content = contentOf(m);
      if (!content) {
        this.writeBack(m.id, "failed", null, "message has no content");
        continue;
      }
      this.sql.exec(
        "INSERT INTO jobs (message_id, lane, to_jid, content, accepted_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(message_id) DO NOTHING",
        m.id,
        m.lane,
        m.to,
        JSON.stringify(content),
        now,
      );
    }
    await markAccepted(db, rows.map((m) => m.id), now);
    // The outbox is the one place every outbound message passes (API, rules, broadcasts, auto-replies), and the
    // rows are already in hand: the live inbox learns of them here without another D1 read.
    this.publishLive(rows.map((m) => messageCreated(m, cfg.device)));
    await this.pump();
    return { accepted: rows.length, deferred };
  }

  /** Single-job form, kept for callers of the foundation's skeleton. */
  async accept(job: OutboundJob): Promise<{ accepted: boolean }> {
    const r = await this.acceptBatch([job]);
    return { accepted: r.accepted > 0 };
  }

  /** Settings or provider changed: reload and reconsider what is due. */
  async refresh(): Promise<void> {
    await this.loadConfig(undefined, true);
    await this.pump();
  }

  async liveStatus(): Promise<LiveStatus> {
    const holder = this.leaseHolder();
    const counts = this.sql
      .exec<{ state: string; n: number }>("SELECT state, COUNT(*) AS n FROM jobs WHERE state IN ('pending','leased') GROUP BY state")
      .toArray();
    const status = SessionStatus.safeParse(this.getMeta("status"));
    return {
      status: status.success ? status.data : null,
      qr: this.getMeta("qr"),
      pairing_code: this.getMeta("pairing_code"),
      gateway_connected: holder !== null,
      gateway_id: holder ? holder.state.gateway_id : null,
      outbox: {
        pending: counts.find((c) => c.state === "pending")?.n ?? 0,
        leased: counts.find((c) => c.state === "leased")?.n ?? 0,
      },
    };
  }

  /** Asks the connected gateway to start pairing; false when no gateway holds the device. */
  async pair(method: "qr" | "code", phone?: string): Promise<boolean> {
    const holder = this.leaseHolder();
    if (!holder) return false;
    this.send(holder.ws, { type: "pair", method, ...(phone ? { phone } : {}) });
    return true;
  }

  /** The device was deleted or reassigned to another gateway: drop the current gateway's sockets. */
  async revokeGateway(reason: "deleted" | "reassigned"): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) {
      if (reason === "deleted") this.send(ws, { type: "logout" });
      this.closeSocket(ws, reason === "deleted" ? CloseCode.deviceGone : CloseCode.unauthorized, `device ${reason}`);
    }
    this.setMeta("lease_socket", null);
    if (reason === "deleted") {
      const open = this.sql.exec<{ message_id: string }>("SELECT message_id FROM jobs WHERE state IN ('pending','leased')").toArray();
      for (const j of open) this.finish(j.message_id, "failed", { error: "device deleted" });
      await this.flushWrites();
    } else {
      await this.loadConfig(undefined, true);
    }
  }

  // ── the outbox ─────────────────────────────────────────────────────────────────────────────────

  private pacingState(now: number): PacingState {
    const w = (span: number) => {
      const r = this.sql.exec<{ n: number; oldest: number | null }>("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM sends WHERE at > ?", now - span).one();
      return { count: r.n, oldest: r.oldest };
    };
    return {
      nextAt: Number(this.getMeta("next_at") ?? 0),
      windows: { minute: w(CAP_SPANS.minute), hour: w(CAP_SPANS.hour), day: w(CAP_SPANS.day) },
    };
  }

  private recordSend(cfg: Config, now: number): void {
    if (!cfg.settings.pacing_enabled) return;
    this.sql.exec("INSERT INTO sends (at) VALUES (?)", now);
    this.setMeta("next_at", now + gapAfterSend(cfg.settings));
  }

  private firstDue(lane: Lane, now: number): JobRow | null {
    return (
      this.sql
        .exec<JobRow>(
          "SELECT message_id, lane, to_jid, content, state, attempt, not_before, lease_until FROM jobs WHERE state = 'pending' AND lane = ? AND not_before <= ? ORDER BY rowid LIMIT 1",
          lane,
          now,
        )
        .toArray()[0] ?? null
    );
  }

  /** The next job allowed to go now: transactional first; pacing and caps are per number, across lanes. */
  private nextJob(cfg: Config, now: number): JobRow | null {
    const state = cfg.settings.pacing_enabled ? this.pacingState(now) : null;
    for (const lane of ["transactional", "broadcast"] as const) {
      const job = this.firstDue(lane, now);
      if (!job) continue;
      if (!state || nextSendAt(now, cfg.settings, state, lane, cfg.timeZone) <= now) return job;
    }
    return null;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        await this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    await this.flushWritesSafely();
    await this.schedule();
  }

  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Acks arrive one frame at a time: their write-back waits up to 25 ms so that one D1 round trip carries
   * many. The writes are already in storage; if the object goes away first, the pending lease alarm flushes.
   */
  private flushSoon(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flushWritesSafely();
    }, 25);
  }

  private async flushWritesSafely(): Promise<void> {
    try {
      await this.flushWrites();
    } catch (e) {
      // D1 unavailable: the writes stay in storage and the alarm retries them.
      console.warn(JSON.stringify({ level: "warn", msg: "status write-back failed", error: String(e) }));
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 1000);
    }
  }

  private async pumpOnce(): Promise<void> {
    const cfg = await this.loadConfig();
    if (!cfg) return;
    // The gateway's socket is looked up once; its credits are kept in memory and saved once at the end.
    const holder = cfg.provider === "baileys" ? this.leaseHolder() : null;
    if (cfg.provider === "baileys" && !holder) return;
    try {
      for (;;) {
        const now = Date.now();
        const budget = holder ? holder.state.credits : 100;
        if (budget <= 0) return;
        // Paced: one job at a time, each after its gap. Unpaced: as many due jobs as the budget allows.
        const next = cfg.settings.pacing_enabled ? this.nextJob(cfg, now) : null;
        const jobs = cfg.settings.pacing_enabled ? (next ? [next] : []) : this.dueJobs(now, budget);
        if (jobs.length === 0) return;
        const leaseUntil = now + Number(this.env.GATEWAY_JOB_LEASE_MS);
        for (const job of jobs) {
          const attempt = job.attempt + 1;
          this.sql.exec("UPDATE jobs SET state = 'leased', attempt = ?, lease_until = ? WHERE message_id = ?", attempt, leaseUntil, job.message_id);
          this.recordSend(cfg, now);
          const content = JSON.parse(job.content) as OutboundContent;
          if (holder) {
            if (content.kind === "meta_template") {
              this.finish(job.message_id, "failed", { error: "Meta templates can only be sent from a cloud_api device" });
              continue;
            }
            holder.state.credits -= 1;
            this.send(holder.ws, { type: "job", job_id: job.message_id, message_id: job.message_id, to: job.to_jid, content, attempt, lease_until: leaseUntil, typing_ms: 0 });
            continue;
          }
          this.applyOutcome(job.message_id, await this.sendDirect(cfg, job, content));
        }
      }
    } finally {
      if (holder) holder.ws.serializeAttachment(holder.state);
    }
  }

  /** Up to `limit` due jobs, transactional first, each lane in arrival order. */
  private dueJobs(now: number, limit: number): JobRow[] {
    const out: JobRow[] = [];
    for (const lane of ["transactional", "broadcast"] as const) {
      if (out.length >= limit) break;
      out.push(
        ...this.sql
          .exec<JobRow>(
            "SELECT message_id, lane, to_jid, content, state, attempt, not_before, lease_until FROM jobs WHERE state = 'pending' AND lane = ? AND not_before <= ? ORDER BY rowid LIMIT ?",
            lane,
            now,
            limit - out.length,
          )
          .toArray(),
      );
    }
    return out;
  }

  private async sendDirect(cfg: Config, job: JobRow, content: OutboundContent): Promise<SendOutcome> {
    if (cfg.provider === "sandbox") return sandboxSend(job.message_id);
    if (cfg.provider !== "cloud_api") return { ok: false, retryable: false, reason: `provider ${cfg.provider} cannot send directly` };
    const apiCfg = await readCloudApiConfig(this.env, cfg.device.providerConfigEnc);
    if (!apiCfg) return { ok: false, retryable: false, reason: "Cloud API is not configured for this device" };
    const db = database(this.env.DB);
    const windowProblem = await checkServiceWindow(db, cfg.businessId, cfg.deviceKey, job.to_jid, content, Date.now());
    if (windowProblem) return { ok: false, retryable: false, reason: windowProblem };
    return cloudApiSend(this.env, apiCfg, job.to_jid.split("@")[0] ?? job.to_jid, content, cfg.businessId);
  }

  private applyOutcome(messageId: string, outcome: SendOutcome): void {
    const row = this.sql.exec<{ state: JobState; attempt: number }>("SELECT state, attempt FROM jobs WHERE message_id = ?", messageId).toArray()[0];
    // Unknown, or already finished: a second ack/fail for the same job changes nothing.
    if (!row || row.state === "done" || row.state === "failed") return;
    if (outcome.ok) {
      this.finish(messageId, "done", { providerMessageId: outcome.providerMessageId });
    } else if (outcome.retryable && row.attempt < MAX_ATTEMPTS) {
      this.sql.exec(
        "UPDATE jobs SET state = 'pending', lease_until = NULL, not_before = ? WHERE message_id = ?",
        Date.now() + retryBackoffMs(row.attempt),
        messageId,
      );
    } else {
      const reason = outcome.retryable ? `${outcome.reason} (gave up after ${row.attempt} attempts)` : outcome.reason;
      this.finish(messageId, "failed", { error: reason });
    }
  }

  /** Finishes a job in storage and records the D1 status change in the same (implicit) transaction. */
  private finish(messageId: string, state: "done" | "failed", r: { providerMessageId?: string; error?: string }): void {
    this.sql.exec("UPDATE jobs SET state = ?, lease_until = NULL, finished_at = ? WHERE message_id = ?", state, Date.now(), messageId);
    // The sandbox "delivers" at once: the row goes straight to delivered with its sandbox id.
    const status = state === "failed" ? "failed" : this.config?.provider === "sandbox" ? "delivered" : "sent";
    this.writeBack(messageId, status, r.providerMessageId ?? null, state === "failed" ? (r.error ?? "failed") : null);
  }

  // ── write-back to D1 ───────────────────────────────────────────────────────────────────────────
  // Status changes are hot per-message writes: they are recorded durably here first and reach D1 in
  // batches (one round trip per flush); a failed flush is retried by the alarm, so none is lost.

  private flushing = false;
  private flushAgain = false;

  private writeBack(messageId: string, status: StatusUpdate["status"], providerMessageId: string | null, error: string | null): void {
    this.sql.exec(
      "INSERT INTO d1_writes (message_id, status, provider_message_id, error) VALUES (?, ?, ?, ?) ON CONFLICT(message_id) DO UPDATE SET status = excluded.status, provider_message_id = coalesce(excluded.provider_message_id, d1_writes.provider_message_id), error = excluded.error",
      messageId,
      status,
      providerMessageId,
      error,
    );
  }

  private async flushWrites(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        const rows = this.sql
          .exec<{ message_id: string; status: StatusUpdate["status"]; provider_message_id: string | null; error: string | null }>("SELECT * FROM d1_writes LIMIT 500")
          .toArray();
        if (rows.length === 0) break;
        await applyStatusBatch(
          database(this.env.DB),
          rows.map((r) => ({ id: r.message_id, status: r.status, providerMessageId: r.provider_message_id, error: r.error })),
          Date.now(),
        );
        this.publishStatuses(rows.map((r) => ({ id: r.message_id, status: r.status, error: r.error })));
        for (const r of rows) {
          // Only what was written: a newer status recorded during the flush stays for the next one.
          this.sql.exec("DELETE FROM d1_writes WHERE message_id = ? AND status = ?", r.message_id, r.status);
        }
        if (rows.length === 500) this.flushAgain = true;
      } while (this.flushAgain);
    } finally {
      this.flushing = false;
    }
  }

  // ── the live inbox ─────────────────────────────────────────────────────────────────────────────
  // One RPC to the business's InboxHub per accepted batch or flushed write-back, never awaited by the
  // pipeline: chained so the hub sees a message's creation before its status, and failures are only logged.

  private liveChain: Promise<void> = Promise.resolve();
  private liveQueued = 0;

  private publishLive(events: InboxEvent[]): void {
    const businessId = this.config?.businessId;
    if (!businessId || events.length === 0) return;
    // A hub that stalls must not make the object hold events without bound: past the cap they are dropped
    // (live updates are best effort; clients reload state over the REST API when they reconnect).
    if (this.liveQueued >= LIVE_PUBLISH_BACKLOG) {
      console.warn(JSON.stringify({ level: "warn", msg: "inbox publish backlog full; events dropped", business_id: businessId, events: events.length }));
      return;
    }
    this.liveQueued += 1;
    this.liveChain = this.liveChain
      .then(() => publishInbox(this.env, businessId, events))
      .finally(() => {
        this.liveQueued -= 1;
      });
    this.ctx.waitUntil(this.liveChain);
  }

  private publishStatuses(rows: { id: string; status: MessageStatus; error: string | null }[]): void {
    const deviceKey = this.config?.deviceKey;
    if (!deviceKey) return;
    this.publishLive(rows.map((r) => ({ type: "message.status", message: { id: r.id, device_key: deviceKey, status: r.status, error: r.error } })));
  }

  /** One alarm covers every timer: pacing, retry backoff, job leases and the gateway's device lease. */
  private async schedule(): Promise<void> {
    const cfg = this.config;
    const now = Date.now();
    const times: number[] = [];
    if (this.sql.exec("SELECT 1 FROM d1_writes LIMIT 1").toArray().length > 0) times.push(now + 1000);
    const lease = this.sql.exec<{ t: number | null }>("SELECT MIN(lease_until) AS t FROM jobs WHERE state = 'leased'").one().t;
    if (lease !== null) times.push(lease);
    const holder = this.leaseHolder();
    if (holder) times.push(Number(this.getMeta("lease_until") ?? now) + 1);
    const gatewayCanTake = cfg?.provider !== "baileys" || (holder !== null && holder.state.credits > 0);
    if (cfg && gatewayCanTake) {
      const state = cfg.settings.pacing_enabled ? this.pacingState(now) : null;
      for (const lane of ["transactional", "broadcast"] as const) {
        const nb = this.sql.exec<{ t: number | null }>("SELECT MIN(not_before) AS t FROM jobs WHERE state = 'pending' AND lane = ?", lane).one().t;
        if (nb === null) continue;
        const paced = state ? nextSendAt(Math.max(now, nb), cfg.settings, state, lane, cfg.timeZone) : Math.max(now, nb);
        times.push(paced);
      }
    }
    if (times.length === 0) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const at = Math.max(Math.min(...times), now + 1);
    if ((await this.ctx.storage.getAlarm()) !== at) await this.ctx.storage.setAlarm(at);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    // Leases that ran out: the job goes back to the outbox and is handed out again under the same id.
    const expired = this.sql
      .exec<{ message_id: string; attempt: number }>("SELECT message_id, attempt FROM jobs WHERE state = 'leased' AND lease_until <= ?", now)
      .toArray();
    // A direct send (sandbox, Cloud API) whose lease ran out was cut off mid-request (the object restarted):
    // its outcome is unknown and Meta has no idempotency key, so it fails rather than risk a duplicate.
    const direct = expired.length > 0 && (await this.loadConfig())?.provider !== "baileys";
    for (const j of expired) {
      if (direct) this.finish(j.message_id, "failed", { error: "interrupted while sending; not retried so the customer cannot get it twice" });
      else if (j.attempt >= MAX_ATTEMPTS) this.finish(j.message_id, "failed", { error: `not acknowledged after ${j.attempt} deliveries` });
      else this.sql.exec("UPDATE jobs SET state = 'pending', lease_until = NULL WHERE message_id = ?", j.message_id);
    }
    // A gateway that stopped pinging has lost the device; its socket is closed so another can take over.
    const holder = this.leaseHolder();
    if (holder && Number(this.getMeta("lease_until") ?? 0) < now) {
      this.closeSocket(holder.ws, CloseCode.leaseHeld, "device lease expired (no ping)");
      this.setMeta("lease_socket", null);
      await this.setDeviceStatus("disconnected", "gateway stopped responding");
    }
    this.sql.exec("DELETE FROM sends WHERE at < ?", now - CAP_SPANS.day);
    this.sql.exec("DELETE FROM jobs WHERE state IN ('done','failed') AND finished_at < ?", now - DONE_RETENTION_MS);
    await this.pump();
  }

  // ── the gateway channel ────────────────────────────────────────────────────────────────────────

  /** The Worker authenticated the gateway and the device before forwarding the upgrade here. */
  override async fetch(request: Request): Promise<Response> {
    const gatewayId = request.headers.get("x-ping-gateway-id");
    const deviceKey = request.headers.get("x-ping-device-key");
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !gatewayId || !deviceKey) {
      return new Response("expected a gateway WebSocket upgrade", { status: 426 });
    }
    this.setMeta("device_key", deviceKey);
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [gatewayId]);
    const state: SocketState = { id: crypto.randomUUID(), gateway_id: gatewayId, hello: false, credits: 0 };
    server.serializeAttachment(state);
    return new Response(null, { status: 101, webSocket: client });
  }

  private socketState(ws: WebSocket): SocketState | null {
    return (ws.deserializeAttachment() as SocketState | null) ?? null;
  }

  private leaseHolder(): { ws: WebSocket; state: SocketState } | null {
    const id = this.getMeta("lease_socket");
    if (!id) return null;
    for (const ws of this.ctx.getWebSockets()) {
      const s = this.socketState(ws);
      if (s?.id === id) return { ws, state: s };
    }
    return null;
  }

  private send(ws: WebSocket, frame: ServerFrame): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // The socket is already closing; its jobs come back when their leases expire.
    }
  }

  private closeSocket(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  private protocolError(ws: WebSocket, code: string, message: string, fatal: boolean): void {
    this.send(ws, { type: "error", code, message, fatal });
    if (fatal) this.closeSocket(ws, CloseCode.protocol, message.slice(0, 120));
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const state = this.socketState(ws);
    if (!state) return;
    if (typeof data !== "string") return this.protocolError(ws, "binary_frame", "frames are JSON text", false);
    const frame = parseGatewayFrame(data);
    if (!frame) return this.protocolError(ws, "bad_frame", "frame does not match the gateway protocol", false);
    if (frame.type === "ping") {
      if (this.getMeta("lease_socket") === state.id) this.renewLease();
      this.send(ws, { type: "pong", t: frame.t });
      return;
    }
    if (frame.type === "hello") return this.onHello(ws, state, frame);
    if (!state.hello || this.getMeta("lease_socket") !== state.id) {
      return this.protocolError(ws, "hello_required", "send hello (and hold the device lease) first", true);
    }
    this.renewLease();
    switch (frame.type) {
      case "credit":
        state.credits = Math.min(state.credits + frame.n, 10_000);
        ws.serializeAttachment(state);
        await this.pump();
        return;
      case "ack":
        // An ack frees no credit, so there is nothing new to hand out: just write the status back.
        this.applyOutcome(frame.job_id, { ok: true, providerMessageId: frame.wa_message_id });
        this.flushSoon();
        return;
      case "acks":
        for (const a of frame.items) this.applyOutcome(a.job_id, { ok: true, providerMessageId: a.wa_message_id });
        this.flushSoon();
        return;
      case "fail":
        this.applyOutcome(frame.job_id, { ok: false, retryable: frame.retryable, reason: frame.reason });
        await this.pump();
        return;
      case "status":
        return this.onStatus(frame);
      case "inbound":
        return this.onInbound(ws, frame.event_id, frame.message);
      case "receipt": {
        const cfg = await this.loadConfig();
        const id = cfg ? await setStatusByProviderId(database(this.env.DB), cfg.deviceKey, frame.wa_message_id, frame.status) : null;
        if (id) this.publishStatuses([{ id, status: frame.status, error: null }]);
        return;
      }
    }
  }

  private leaseRenewedAt = 0;

  /** Every frame renews the device lease; storage is written at most every 5 s (acks come by the thousand). */
  private renewLease(): void {
    const now = Date.now();
    if (now - this.leaseRenewedAt < 5000) return;
    this.leaseRenewedAt = now;
    this.setMeta("lease_until", now + DEVICE_LEASE_MS);
  }

  private async onHello(ws: WebSocket, state: SocketState, frame: Extract<GatewayFrame, { type: "hello" }>): Promise<void> {
    if (frame.gateway_id !== state.gateway_id) {
      return this.protocolError(ws, "gateway_mismatch", "hello.gateway_id differs from the authenticated gateway", true);
    }
    const now = Date.now();
    const holder = this.leaseHolder();
    if (holder && holder.state.id !== state.id) {
      const live = Number(this.getMeta("lease_until") ?? 0) > now;
      if (holder.state.gateway_id !== state.gateway_id && live) {
        this.send(ws, { type: "error", code: "lease_held", message: `device is held by gateway ${holder.state.gateway_id}`, fatal: true });
        this.closeSocket(ws, CloseCode.leaseHeld, "device lease held by another gateway");
        return;
      }
      // The same gateway reconnected (its old socket is stale), or the other gateway's lease lapsed.
      this.closeSocket(holder.ws, CloseCode.leaseHeld, "replaced by a newer connection");
    }
    state.hello = true;
    state.credits = 0;
    ws.serializeAttachment(state);
    this.setMeta("lease_socket", state.id);
    this.setMeta("lease_until", now + DEVICE_LEASE_MS);
    this.leaseRenewedAt = now;
    this.send(ws, {
      type: "welcome",
      v: PROTOCOL_VERSION,
      lease_ms: DEVICE_LEASE_MS,
      heartbeat_ms: HEARTBEAT_MS,
      job_lease_ms: Number(this.env.GATEWAY_JOB_LEASE_MS),
    });
    await this.onStatus({ type: "status", status: frame.status });
    await this.schedule();
  }

  private async onStatus(frame: Extract<GatewayFrame, { type: "status" }>): Promise<void> {
    this.setMeta("status", frame.status);
    this.setMeta("qr", frame.status === "qr" ? (frame.qr ?? null) : null);
    this.setMeta("pairing_code", frame.status === "pairing_code" ? (frame.pairing_code ?? null) : null);
    await this.setDeviceStatus(frame.status, frame.reason ?? null, frame.phone);
  }

  /** The device row (what lists and the dashboard read) only changes when the status or phone does. */
  private async setDeviceStatus(status: SessionStatus, reason: string | null, phone?: string): Promise<void> {
    const cfg = await this.loadConfig();
    if (!cfg) return;
    const d = cfg.device;
    if (d.status === status && d.statusReason === reason && (phone === undefined || d.phone === phone)) return;
    const updated = await updateDevice(database(this.env.DB), cfg.businessId, cfg.deviceKey, {
      status,
      statusReason: reason,
      ...(phone !== undefined ? { phone } : {}),
    });
    if (updated) cfg.device = updated;
  }

  private async onInbound(ws: WebSocket, eventId: string, m: InboundMessage): Promise<void> {
    const cfg = await this.loadConfig();
    if (!cfg) return;
    await receiveInbound(
      this.env,
      cfg.device,
      {
        providerMessageId: m.wa_message_id,
        chatJid: m.chat_jid,
        senderJid: m.sender_jid,
        senderName: m.push_name ?? null,
        timestamp: m.timestamp * (m.timestamp < 1e12 ? 1000 : 1),
        kind: m.kind,
        text: m.text,
        ...(m.media ? { media: m.media } : {}),
        isGroup: m.is_group,
        isEphemeral: m.is_ephemeral,
      },
      { sendReply: true, waitUntil: (p) => this.ctx.waitUntil(p) },
    );
    // Acked only once stored: a gateway that does not see this resends, and the dedupe absorbs it.
    this.send(ws, { type: "inbound_ack", event_id: eventId });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    await this.socketGone(ws);
    this.closeSocket(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.socketGone(ws);
  }

  /** Its leased jobs keep their leases: the gateway may have sent them; they come back only on expiry. */
  private async socketGone(ws: WebSocket): Promise<void> {
    const state = this.socketState(ws);
    if (!state || this.getMeta("lease_socket") !== state.id) return;
    this.setMeta("lease_socket", null);
    this.setMeta("lease_until", null);
    await this.setDeviceStatus("disconnected", "gateway disconnected");
    await this.schedule();
  }
}
