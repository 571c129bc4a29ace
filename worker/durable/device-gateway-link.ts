// The gateway link of one device: the hibernatable WebSocket(s) from gateway-node, the device lease (one socket
// holds it and receives jobs), heartbeats, credits and the protocol version each socket speaks. It parses frames
// and handles the session-level ones (hello, ping, lease, credits) itself; every other frame goes back to the
// DeviceSession, which owns what they mean. Per-socket state lives in the socket's attachment (survives hibernation).
import { CloseCode, type GatewayFrame, parseGatewayFrame, type ProtocolVersion, type ServerFrame } from "../../protocol/gateway-protocol";
import type { DeviceMeta } from "./device-meta";

/** The gateway renews its device lease with a ping at least this often. */
export const HEARTBEAT_MS = 10_000;
/** Without a ping for this long the gateway has lost the device and another may take it. */
export const DEVICE_LEASE_MS = 30_000;
/** Frames only v2 gateways understand; a v1 gateway is never sent them. */
const V2_ONLY: ReadonlySet<ServerFrame["type"]> = new Set(["presence"]);

type SocketState = { id: string; gateway_id: string; hello: boolean; credits: number; v?: ProtocolVersion };
export type Holder = { ws: WebSocket; state: SocketState };
export type Hello = Extract<GatewayFrame, { type: "hello" }>;

export class GatewayLink {
  private leaseRenewedAt = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly meta: DeviceMeta,
    private readonly jobLeaseMs: number,
  ) {}

  /** The Worker authenticated the gateway and the device before forwarding the upgrade here. */
  accept(gatewayId: string): Response {
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [gatewayId]);
    server.serializeAttachment({ id: crypto.randomUUID(), gateway_id: gatewayId, hello: false, credits: 0 } satisfies SocketState);
    return new Response(null, { status: 101, webSocket: client });
  }

  private stateOf(ws: WebSocket): SocketState | null {
    return (ws.deserializeAttachment() as SocketState | null) ?? null;
  }

  holder(): Holder | null {
    const id = this.meta.get("lease_socket");
    if (!id) return null;
    for (const ws of this.ctx.getWebSockets()) {
      const s = this.stateOf(ws);
      if (s?.id === id) return { ws, state: s };
    }
    return null;
  }

  leaseUntil(now: number): number {
    return this.meta.num("lease_until", now);
  }

  send(ws: WebSocket, frame: ServerFrame): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // The socket is already closing; its jobs come back when their leases expire.
    }
  }

  /** Sends to the lease holder if it speaks a version that knows the frame; false otherwise. */
  sendToHolder(frame: ServerFrame): boolean {
    const h = this.holder();
    if (!h || (V2_ONLY.has(frame.type) && (h.state.v ?? 1) < 2)) return false;
    this.send(h.ws, frame);
    return true;
  }

  saveCredits(h: Holder): void {
    h.ws.serializeAttachment(h.state);
  }

  close(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  /** The device was deleted or reassigned: every socket goes (a deleted device's gateway is told to log out). */
  revoke(reason: "deleted" | "reassigned"): void {
    for (const ws of this.ctx.getWebSockets()) {
      if (reason === "deleted") this.send(ws, { type: "logout" });
      this.close(ws, reason === "deleted" ? CloseCode.deviceGone : CloseCode.unauthorized, `device ${reason}`);
    }
    this.meta.set("lease_socket", null);
  }

  /** Closes the holder whose lease ran out (no frame for DEVICE_LEASE_MS); true when it did. */
  expireLease(now: number): boolean {
    const h = this.holder();
    if (!h || this.leaseUntil(0) >= now) return false;
    this.close(h.ws, CloseCode.leaseHeld, "device lease expired (no ping)");
    this.meta.set("lease_socket", null);
    return true;
  }

  /** The socket went away; true when it held the lease (its leased jobs keep their leases: the gateway may have sent them). */
  gone(ws: WebSocket): boolean {
    const s = this.stateOf(ws);
    if (!s || this.meta.get("lease_socket") !== s.id) return false;
    this.meta.set("lease_socket", null);
    this.meta.set("lease_until", null);
    return true;
  }

  private protocolError(ws: WebSocket, code: string, message: string, fatal: boolean): null {
    this.send(ws, { type: "error", code, message, fatal });
    if (fatal) this.close(ws, CloseCode.protocol, message.slice(0, 120));
    return null;
  }

  /** Every frame renews the device lease; storage is written at most every 5 s (acks come by the thousand). */
  private renewLease(now: number): void {
    if (now - this.leaseRenewedAt < 5000) return;
    this.leaseRenewedAt = now;
    this.meta.set("lease_until", now + DEVICE_LEASE_MS);
  }

  /**
   * Parses one frame. Session frames are handled here; the rest (and an accepted hello or credit, after the
   * link's own part) are returned for the DeviceSession. Null: nothing more to do.
   */
  receive(ws: WebSocket, data: string | ArrayBuffer, now: number): GatewayFrame | null {
    const state = this.stateOf(ws);
    if (!state) return null;
    if (typeof data !== "string") return this.protocolError(ws, "binary_frame", "frames are JSON text", false);
    const frame = parseGatewayFrame(data);
    if (!frame) return this.protocolError(ws, "bad_frame", "frame does not match the gateway protocol", false);
    if (frame.type === "ping") {
      if (this.meta.get("lease_socket") === state.id) this.renewLease(now);
      this.send(ws, { type: "pong", t: frame.t });
      return null;
    }
    if (frame.type === "hello") return this.hello(ws, state, frame, now) ? frame : null;
    if (!state.hello || this.meta.get("lease_socket") !== state.id) {
      return this.protocolError(ws, "hello_required", "send hello (and hold the device lease) first", true);
    }
    this.renewLease(now);
    if (frame.type === "credit") {
      state.credits = Math.min(state.credits + frame.n, 10_000);
      ws.serializeAttachment(state);
    }
    return frame;
  }

  private hello(ws: WebSocket, state: SocketState, frame: Hello, now: number): boolean {
    if (frame.gateway_id !== state.gateway_id) {
      this.protocolError(ws, "gateway_mismatch", "hello.gateway_id differs from the authenticated gateway", true);
      return false;
    }
    const h = this.holder();
    if (h && h.state.id !== state.id) {
      const live = this.leaseUntil(0) > now;
      if (h.state.gateway_id !== state.gateway_id && live) {
        this.send(ws, { type: "error", code: "lease_held", message: `device is held by gateway ${h.state.gateway_id}`, fatal: true });
        this.close(ws, CloseCode.leaseHeld, "device lease held by another gateway");
        return false;
      }
      // The same gateway reconnected (its old socket is stale), or the other gateway's lease lapsed.
      this.close(h.ws, CloseCode.leaseHeld, "replaced by a newer connection");
    }
    state.hello = true;
    state.credits = 0;
    state.v = frame.v;
    ws.serializeAttachment(state);
    this.meta.set("lease_socket", state.id);
    this.meta.set("lease_until", now + DEVICE_LEASE_MS);
    this.leaseRenewedAt = now;
    // The gateway's own version: during a rollout v1 and v2 gateways are connected side by side.
    this.send(ws, { type: "welcome", v: frame.v, lease_ms: DEVICE_LEASE_MS, heartbeat_ms: HEARTBEAT_MS, job_lease_ms: this.jobLeaseMs });
    return true;
  }
}
