// InboxHub: one per business, the real-time channel of its inbox. Dashboard sockets (and API clients) attach
// here after the Worker has authenticated them; the inbound path and each DeviceSession publish events with
// one RPC, and the hub fans them out to this business's sockets only. The sockets are hibernatable: an idle
// hub costs nothing and wakes with every socket still attached (who it is lives in the socket attachment).
import { DurableObject } from "cloudflare:workers";
import { database } from "../db/client";
import { errorBody } from "../http/errors";
import { getLivechatSettings } from "../db/livechat-settings";
import { InboxEvent, PING_FRAME, PONG_FRAME } from "../inbox/events";
import { assigneesOf, conversationOf, limitedUser, visibleEvents } from "../inbox/hub-visibility";
import { parseConfig } from "../livechat/settings";
import { credentialValid, RECHECK_MS, REVOKED_CLOSE_CODE, type SocketCredential, socketTag } from "../inbox/socket-access";

/** Who is on the other end of a socket, kept in its attachment so it survives hibernation. */
export type InboxSocket = SocketCredential & { business_id: string; connected_at: number };

/** Sockets one business may hold open (tabs × users); more gets a 429. */
export const MAX_SOCKETS_PER_BUSINESS = 200;

/** Headers the Worker sets on the forwarded upgrade; the hub never sees the client's own headers. */
export const HUB_HEADERS = {
  business: "x-ping-business-id",
  user: "x-ping-user-id",
  apiKey: "x-ping-api-key-id",
  session: "x-ping-session-hash",
  role: "x-ping-role",
} as const;

const businessTag = socketTag.business;

/** How long the hub trusts its copy of the business's `staff_see_all` (a change reaches open sockets within it). */
const SEE_ALL_TTL_MS = 30_000;

export class InboxHub extends DurableObject<Env> {
  private seeAll: { value: boolean; at: number } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Keep-alives are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  /** The Worker authenticated the caller and checked the Origin before forwarding the upgrade here. */
  override async fetch(request: Request): Promise<Response> {
    const businessId = request.headers.get(HUB_HEADERS.business);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !businessId) {
      return Response.json(errorBody("UPGRADE_REQUIRED", "Expected a WebSocket upgrade"), { status: 426 });
    }
    if (this.ctx.getWebSockets(businessTag(businessId)).length >= MAX_SOCKETS_PER_BUSINESS) {
      return Response.json(errorBody("TOO_MANY_CONNECTIONS", "Too many open inbox connections for this business"), {
        status: 429,
        headers: { "Retry-After": "30" },
      });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const who: InboxSocket = {
      business_id: businessId,
      user_id: request.headers.get(HUB_HEADERS.user),
      api_key_id: request.headers.get(HUB_HEADERS.apiKey),
      session_hash: request.headers.get(HUB_HEADERS.session),
      role: request.headers.get(HUB_HEADERS.role) ?? "staff",
      connected_at: Date.now(),
    };
    const tags = [businessTag(businessId)];
    if (who.user_id) tags.push(socketTag.user(who.user_id));
    if (who.session_hash) tags.push(socketTag.session(who.session_hash));
    if (who.api_key_id) tags.push(socketTag.apiKey(who.api_key_id));
    this.ctx.acceptWebSocket(server, tags);
    server.serializeAttachment(who);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + RECHECK_MS);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Closes every socket carrying `tag` (a session, user or API key that just ended). Returns how many. */
  async revoke(tag: string, reason: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(tag);
    for (const ws of sockets) this.closeRevoked(ws, reason);
    return sockets.length;
  }

  /** The periodic re-check: every socket's credential against D1; the alarm repeats while sockets are open. */
  override async alarm(): Promise<void> {
    const sockets = this.ctx.getWebSockets();
    const db = database(this.env.DB);
    const now = Date.now();
    for (const ws of sockets) {
      const who = this.who(ws);
      if (!who || !(await credentialValid(db, who, now))) this.closeRevoked(ws, "credential no longer valid");
    }
    if (this.ctx.getWebSockets().length > 0) await this.ctx.storage.setAlarm(now + RECHECK_MS);
  }

  private closeRevoked(ws: WebSocket, reason: string): void {
    try {
      ws.close(REVOKED_CLOSE_CODE, reason.slice(0, 120));
    } catch {
      // already closing
    }
  }

  /**
   * Sends each event to every socket of the business, in order. Only sockets whose attachment names the same
   * business receive anything (the hub is named after the business; this check makes isolation explicit), and a
   * staff member's sockets only the events of conversations they may see (../inbox/hub-visibility.ts).
   * Returns how many sockets it reached.
   */
  async publish(businessId: string, events: InboxEvent[]): Promise<number> {
    const sockets = this.ctx.getWebSockets(businessTag(businessId)).filter((ws) => this.who(ws)?.business_id === businessId);
    const limited = new Map<string, WebSocket[]>();
    const open: WebSocket[] = [];
    for (const ws of sockets) {
      const who = this.who(ws);
      const user = who ? limitedUser(who) : null;
      if (user === null) open.push(ws);
      else limited.set(user, [...(limited.get(user) ?? []), ws]);
    }
    if (limited.size === 0 || (await this.staffSeeAll(businessId))) return this.send(sockets, events);
    const ids = [...new Set(events.map(conversationOf).filter((id): id is string => id !== null))];
    const assignees = await assigneesOf(this.env.DB, businessId, ids);
    let reached = this.send(open, events);
    for (const [user, userSockets] of limited) reached += this.send(userSockets, visibleEvents(events, user, assignees));
    return reached;
  }

  private async staffSeeAll(businessId: string): Promise<boolean> {
    const now = Date.now();
    if (this.seeAll && now - this.seeAll.at < SEE_ALL_TTL_MS) return this.seeAll.value;
    const row = await getLivechatSettings(database(this.env.DB), businessId);
    const value = row ? parseConfig(row.config).staff_see_all : false;
    this.seeAll = { value, at: now };
    return value;
  }

  /** Like publish, to one user's sockets of the business only (their notifications). Returns how many it reached. */
  async publishToUser(businessId: string, userId: string, events: InboxEvent[]): Promise<number> {
    const sockets = this.ctx.getWebSockets(socketTag.user(userId)).filter((ws) => {
      const who = this.who(ws);
      return who?.business_id === businessId && who.user_id === userId;
    });
    return this.send(sockets, events);
  }

  private send(sockets: WebSocket[], events: InboxEvent[]): number {
    if (sockets.length === 0) return 0;
    const frames: string[] = [];
    for (const e of events) {
      const parsed = InboxEvent.safeParse(e);
      if (parsed.success) frames.push(JSON.stringify(parsed.data));
      else console.error(JSON.stringify({ level: "error", msg: "inbox event outside the schema dropped", type: String((e as { type?: unknown }).type), issues: parsed.error.issues.length }));
    }
    if (frames.length === 0) return 0;
    let reached = 0;
    for (const ws of sockets) {
      try {
        for (const f of frames) ws.send(f);
        reached += 1;
      } catch {
        // Closing socket: its close handler cleans up; the others still get the events.
      }
    }
    return reached;
  }

  /** Open sockets of a business (the dashboard and tests read it). */
  async connections(businessId: string): Promise<number> {
    return this.ctx.getWebSockets(businessTag(businessId)).length;
  }

  /** Agent presence (live chat, issue 13): the users with an open inbox socket of this business. */
  async onlineUsers(businessId: string): Promise<string[]> {
    const ids = new Set<string>();
    for (const ws of this.ctx.getWebSockets(businessTag(businessId))) {
      const id = this.who(ws)?.user_id;
      if (id) ids.add(id);
    }
    return [...ids];
  }

  private who(ws: WebSocket): InboxSocket | null {
    return (ws.deserializeAttachment() as InboxSocket | null) ?? null;
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    // The channel is server → client; a client only pings (auto-answered). Anything else gets a reminder.
    if (typeof data === "string" && data.trim() === PING_FRAME) {
      ws.send(PONG_FRAME);
      return;
    }
    ws.send(JSON.stringify({ type: "error", error_code: "READ_ONLY_CHANNEL", message: `This channel only accepts ${PING_FRAME}` }));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(1011, "socket error");
    } catch {
      // already closed
    }
  }
}
