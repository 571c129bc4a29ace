// DeviceSession: one per device (WhatsApp number), the single owner of that number's outbox, pacing and live
// status. It wires its parts, each in its own file and testable alone: the outbox (device-outbox.ts; pacing is
// messaging/pacing.ts), the gateway link (device-gateway-link.ts), the write-back buffer to D1
// (device-write-back.ts, with live inbox publishing passed in) and provider dispatch (messaging/providers/direct.ts).
// Jobs arrive from the outbound queue (idempotent by message id) and leave at the pace the device's settings
// allow. All state lives in the object's SQLite storage and time is kept with one alarm, so eviction loses nothing.
import { DurableObject } from "cloudflare:workers";
import type { GatewayFrame, InboundMessage, SessionStatus } from "../../protocol/gateway-protocol";
import { database } from "../db/client";
import { getQueuedMessages, markAccepted } from "../db/messages";
import { markNotOnWhatsapp } from "../db/contact-reachability";
import { storeGatewayInbound } from "../inbound/gateway-inbound";
import { messageCreated } from "../inbox/publish";
import { contentOf } from "../messaging/content";
import type { OutboundJob } from "../messaging/jobs";
import { type Capacity, capacityOf } from "./device-capacity";
import { CONFIG_TTL_MS, type DeviceConfig, loadDeviceConfig, syncDeviceStatus } from "./device-config";
import { GatewayLink } from "./device-gateway-link";
import { LivePublisher } from "./device-live";
import { DeviceMeta } from "./device-meta";
import { type NewJob, Outbox } from "./device-outbox";
import { paceOf, Pump } from "./device-pump";
import { liveStatusOf, type LiveStatus } from "./device-status";
import { WriteBack } from "./device-write-back";

export { DEVICE_LEASE_MS, HEARTBEAT_MS } from "./device-gateway-link";
export { MAX_ATTEMPTS } from "./device-outbox";
export type { LiveStatus } from "./device-status";

export type { Capacity } from "./device-capacity";

/** After a `restricted` fail (protocol v2), broadcasts pause this long; transactional sends go on. */
const RESTRICTED_PAUSE_MS = 24 * 3600_000;

export class DeviceSession extends DurableObject<Env> {
  private readonly meta: DeviceMeta;
  private readonly outbox: Outbox;
  private readonly link: GatewayLink;
  private readonly writes: WriteBack;
  private readonly live: LivePublisher;
  private config: DeviceConfig | null = null;
  private readonly sender: Pump;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.meta = new DeviceMeta(sql);
    this.live = new LivePublisher(env, (p) => ctx.waitUntil(p));
    this.writes = new WriteBack(
      sql,
      env,
      (rows) => {
        const key = this.config?.deviceKey;
        if (key) this.live.publish(this.config?.businessId, rows.map((r) => ({ type: "message.status", message: { id: r.id, device_key: key, status: r.status, error: r.error } })));
      },
      async () => {
        if ((await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now() + 1000);
      },
    );
    this.outbox = new Outbox(sql, this.meta, (id, status, providerId, error) => this.writes.record(id, status, providerId, error));
    this.link = new GatewayLink(ctx, this.meta, Number(env.GATEWAY_JOB_LEASE_MS));
    this.sender = new Pump({
      env,
      storage: ctx.storage,
      outbox: this.outbox,
      link: this.link,
      writes: this.writes,
      config: () => this.loadConfig(),
      cachedConfig: () => this.config,
    });
  }

  private async loadConfig(deviceKey?: string, force = false): Promise<DeviceConfig | null> {
    const now = Date.now();
    if (!force && this.config && now - this.config.loadedAt < CONFIG_TTL_MS) return this.config;
    const key = deviceKey ?? this.meta.get("device_key");
    if (!key) return null;
    this.config = await loadDeviceConfig(this.env, key, now);
    if (this.config) this.meta.set("device_key", key);
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
    const known = this.outbox.known(jobs.map((j) => j.message_id));
    const unknown = jobs.filter((j) => !known.has(j.message_id));
    if (unknown.length === 0) return { accepted: 0, deferred: [] };
    if (!cfg || cfg.businessId !== first.business_id) {
      for (const j of unknown) this.writes.record(j.message_id, "failed", null, "device not found");
      await this.writes.flush(first.device_key);
      return { accepted: 0, deferred: [] };
    }
    const room = Math.max(0, Number(this.env.OUTBOX_LIMIT) - this.outbox.openCount());
    const fresh = unknown.slice(0, room);
    const deferred = unknown.slice(room).map((j) => j.message_id);
    if (fresh.length === 0) return { accepted: 0, deferred };
    const db = database(this.env.DB);
    const order = new Map(fresh.map((j, i) => [j.message_id, i]));
    // Within a lane the outbox keeps the queue's order (D1 returns rows in key order).
    const rows = (await getQueuedMessages(db, cfg.businessId, fresh.map((j) => j.message_id))).sort(
      (a, b) => a.createdAt - b.createdAt || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0),
    );
    const now = Date.now();
    const jobsIn: NewJob[] = [];
    for (const m of rows) {
      const content = contentOf(m);
      if (content) jobsIn.push({ id: m.id, lane: m.lane, to: m.to, content, sourceKey: m.idempotencyKey });
      else this.writes.record(m.id, "failed", null, "message has no content");
    }
    // In the queue's order (rowid), in one statement.
    this.outbox.addMany(jobsIn, now);
    await markAccepted(db, rows.map((m) => m.id), now);
    // The outbox is the one place every outbound message passes (API, rules, broadcasts, auto-replies), and the
    // rows are already in hand: the live inbox learns of them here without another D1 read.
    this.live.publish(cfg.businessId, rows.map((m) => messageCreated(m, cfg.device)));
    await this.sender.run();
    return { accepted: rows.length, deferred };
  }

  /** Settings or provider changed: reload and reconsider what is due. */
  async refresh(): Promise<void> {
    await this.loadConfig(undefined, true);
    await this.sender.run();
  }

  /**
   * How many broadcast-lane jobs the number can take now: what the caps leave in the current minute (or the
   * outbox's room, unpaced) minus the broadcast jobs already waiting; and, when none, when to ask again.
   */
  async capacity(deviceKey?: string): Promise<Capacity> {
    // A feeder names the device: a session that never saw a job or a gateway does not know its key yet.
    const cfg = await this.loadConfig(deviceKey);
    if (!cfg) return { available: 0, next_at: null };
    const now = Date.now();
    const restrictedUntil = this.meta.num("restricted_until");
    if (restrictedUntil > now) return { available: 0, next_at: restrictedUntil, restricted: true };
    const room = Math.max(0, Number(this.env.OUTBOX_LIMIT) - this.outbox.openCount());
    return capacityOf(cfg.settings, this.outbox.pacingState(now), { waitingBroadcast: this.outbox.openCount("broadcast"), room, timeZone: cfg.timeZone }, now);
  }

  /** Withdraws a broadcast's or campaign's jobs not yet handed out; their messages become `skipped`. */
  async withdraw(sourceId: string): Promise<{ withdrawn: number }> {
    const withdrawn = this.outbox.withdraw(sourceId, Date.now());
    await this.writes.flushSafely(this.meta.get("device_key") ?? "");
    await this.sender.schedule();
    return { withdrawn };
  }

  /** Shows "typing…" (or stops it) in a chat through a v2 gateway; false when no gateway can. */
  async presence(to: string, state: "composing" | "paused"): Promise<boolean> {
    return this.link.sendToHolder({ type: "presence", to, state });
  }

  async liveStatus(): Promise<LiveStatus> {
    return liveStatusOf(this.meta, this.link.holder(), this.outbox.counts());
  }

  /** Asks the connected gateway to start pairing; false when no gateway holds the device. */
  async pair(method: "qr" | "code", phone?: string): Promise<boolean> {
    return this.link.sendToHolder({ type: "pair", method, ...(phone ? { phone } : {}) });
  }

  /** The device was deleted or reassigned to another gateway: drop the current gateway's sockets. */
  async revokeGateway(reason: "deleted" | "reassigned"): Promise<void> {
    this.link.revoke(reason);
    if (reason === "deleted") {
      this.outbox.failAllOpen("device deleted", Date.now());
      await this.writes.flush(this.meta.get("device_key") ?? "");
    } else {
      await this.loadConfig(undefined, true);
    }
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const expiring = this.outbox.nextLeaseExpiry();
    const direct = expiring !== null && expiring <= now && (await this.loadConfig())?.provider !== "baileys";
    this.outbox.expireLeases(now, direct);
    // A gateway that stopped pinging has lost the device; its socket is closed so another can take over.
    if (this.link.expireLease(now)) await this.setDeviceStatus("disconnected", "gateway stopped responding");
    this.outbox.prune(now);
    await this.sender.run();
  }

  // ── the gateway channel ────────────────────────────────────────────────────────────────────────

  override async fetch(request: Request): Promise<Response> {
    const gatewayId = request.headers.get("x-ping-gateway-id");
    const deviceKey = request.headers.get("x-ping-device-key");
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !gatewayId || !deviceKey) {
      return new Response("expected a gateway WebSocket upgrade", { status: 426 });
    }
    this.meta.set("device_key", deviceKey);
    return this.link.accept(gatewayId);
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const frame = this.link.receive(ws, data, Date.now());
    if (frame) await this.onFrame(ws, frame);
  }

  private async onFrame(ws: WebSocket, frame: GatewayFrame): Promise<void> {
    switch (frame.type) {
      case "hello":
        await this.onStatus({ type: "status", status: frame.status });
        await this.sender.schedule();
        return;
      case "credit":
        await this.sender.run();
        return;
      case "ack":
      case "acks": {
        // An ack frees no credit, so there is nothing new to hand out: just write the status back.
        const cfg = await this.loadConfig();
        if (!cfg) return;
        const items = frame.type === "ack" ? [frame] : frame.items;
        const refused = items.filter((a) => !this.outbox.wasHandedOut(a.job_id));
        for (const a of items) if (!refused.includes(a)) this.outbox.applyOutcome(a.job_id, { ok: true, providerMessageId: a.wa_message_id }, paceOf(cfg), Date.now());
        // A job this device never handed out: refused, so a confused or hostile gateway cannot mark messages sent.
        if (refused.length) this.link.send(ws, { type: "error", code: "unknown_job", message: `ack for jobs never leased: ${refused.map((a) => a.job_id).join(", ").slice(0, 300)}`, fatal: false });
        this.writes.soon(cfg.deviceKey);
        return;
      }
      case "fail": {
        const cfg = await this.loadConfig();
        if (!cfg || !this.outbox.wasHandedOut(frame.job_id)) return;
        this.outbox.applyOutcome(frame.job_id, { ok: false, retryable: frame.retryable, reason: frame.reason }, paceOf(cfg), Date.now());
        // WhatsApp restricted the number: broadcast feeders get no capacity for a day (capacity()).
        if (frame.code === "restricted") this.meta.set("restricted_until", Date.now() + RESTRICTED_PAUSE_MS);
        // The number is not on WhatsApp: cached on the contact, so broadcasts and campaigns skip it (issue 11).
        const to = frame.code === "not_on_whatsapp" ? this.outbox.recipientOf(frame.job_id) : null;
        if (to) this.ctx.waitUntil(markNotOnWhatsapp(database(this.env.DB), cfg.businessId, to));
        await this.sender.run();
        return;
      }
      case "status":
        return this.onStatus(frame);
      case "inbound":
        return this.onInbound(ws, frame.event_id, frame.message);
      case "receipt": {
        const key = this.meta.get("device_key");
        if (!key) return;
        this.writes.recordReceipt(frame.wa_message_id, frame.status);
        this.writes.soon(key);
        return;
      }
    }
  }

  private async onStatus(frame: Extract<GatewayFrame, { type: "status" }>): Promise<void> {
    this.meta.set("status", frame.status);
    this.meta.set("qr", frame.status === "qr" ? (frame.qr ?? null) : null);
    this.meta.set("pairing_code", frame.status === "pairing_code" ? (frame.pairing_code ?? null) : null);
    await this.setDeviceStatus(frame.status, frame.reason ?? null, frame.phone);
  }

  private async setDeviceStatus(status: SessionStatus, reason: string | null, phone?: string): Promise<void> {
    const cfg = await this.loadConfig();
    if (cfg) await syncDeviceStatus(this.env, cfg, status, reason, phone);
  }

  private async onInbound(ws: WebSocket, eventId: string, m: InboundMessage): Promise<void> {
    const cfg = await this.loadConfig();
    if (!cfg) return;
    await storeGatewayInbound(this.env, cfg.device, m, (p) => this.ctx.waitUntil(p));
    // Acked only once stored: a gateway that does not see this resends, and the dedupe absorbs it.
    this.link.send(ws, { type: "inbound_ack", event_id: eventId });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    await this.socketGone(ws);
    this.link.close(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.socketGone(ws);
  }

  private async socketGone(ws: WebSocket): Promise<void> {
    if (!this.link.gone(ws)) return;
    await this.setDeviceStatus("disconnected", "gateway disconnected");
    await this.sender.schedule();
  }
}
