// LiveChat: one per website-chat conversation (named by the conversation id). It is the visitor's side of the
// conversation: the widget's sockets (hibernatable), the ordered message log the widget resumes from, and the
// visitor's rate limit. State lives in ctx.storage.sql, so an evicted or redeployed object resumes with the
// whole log. The inbox's copy is D1 (`messages`): a visitor message is written here first (acknowledged to the
// widget), then written back to D1 — every message not yet written, in one batch (web-store.ts) — and handed to
// the inbox; a write-back that failed is retried from the alarm. The hot state (the business's settings the
// path needs, `ChatHot`) is kept here too, so a message reads nothing from D1 before the inbox hears of it.
import { DurableObject } from "cloudflare:workers";
import { errorBody } from "../http/errors";
import { type ChatItem, MAX_TEXT, type ServerFrame } from "../../widget/protocol";
import { parseClientFrame } from "../livechat/frames";
import { assignWebConversation, outOfOffice, publishWebMessages, runWebEffects, type WebChatMeta, webTyping } from "../livechat/visitor-message";
import { type ChatHot, HOT_TTL_MS, loadChatHot, type Stored, storeWebMessages } from "../livechat/web-store";

/** Visitor messages per rolling minute (all tabs of one conversation). */
export const VISITOR_PER_MINUTE = 20;
/** Tabs one visitor may hold open. */
export const MAX_SOCKETS = 10;
const HISTORY_PAGE = 200;
const RETRY_MS = 5_000;
const FLUSH_ROWS = 50;

export const CHAT_HEADERS = { meta: "x-ping-chat-meta", ip: "x-ping-client-ip" } as const;

type Row = { seq: number; id: string; cid: string | null; dir: string; text: string; at: number; media: string | null; synced: number };
type Attachment = { ip: string };

export class LiveChat extends DurableObject<Env> {
  private flushing = false;
  private flushAgain = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS items (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, cid TEXT UNIQUE,
        dir TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL, media TEXT, synced INTEGER NOT NULL DEFAULT 1);
      CREATE INDEX IF NOT EXISTS items_unsynced ON items (synced) WHERE synced = 0;`);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"t":"ping"}', '{"t":"pong"}'));
  }

  /** The Worker verified the widget key, the origin and the visitor token before forwarding the upgrade. */
  override async fetch(request: Request): Promise<Response> {
    const meta = request.headers.get(CHAT_HEADERS.meta);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !meta) {
      return Response.json(errorBody("UPGRADE_REQUIRED", "Expected a WebSocket upgrade"), { status: 426 });
    }
    if (this.ctx.getWebSockets().length >= MAX_SOCKETS) {
      return Response.json(errorBody("TOO_MANY_CONNECTIONS", "Too many open chat windows"), { status: 429, headers: { "Retry-After": "30" } });
    }
    this.setKv("meta", meta);
    // A (re)connect refreshes the settings copy, off the message path (the visitor has not typed yet).
    this.ctx.storage.sql.exec("DELETE FROM meta WHERE k = 'hot'");
    this.ctx.waitUntil(this.hot(JSON.parse(meta) as WebChatMeta).then(() => undefined, () => undefined));
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    const att: Attachment = { ip: request.headers.get(CHAT_HEADERS.ip) ?? "unknown" };
    server.serializeAttachment(att);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const frame = typeof data === "string" && data.length <= MAX_TEXT * 2 + 200 ? parseClientFrame(data) : null;
    if (!frame) return this.send(ws, { t: "err", code: "BAD_FRAME" });
    if (frame.t === "hello") return this.send(ws, { t: "msgs", items: this.after(frame.after) });
    const meta = this.meta();
    if (!meta) return ws.close(4401, "unknown conversation");
    if (frame.t === "typing") return webTyping(this.env, meta);
    if (frame.t !== "msg") return;
    const known = this.byCid(frame.cid);
    // The same client id again (a resend after a drop): acknowledge with the stored row, store nothing.
    if (known) return this.send(ws, { t: "msgs", items: [known] });
    const ip = (ws.deserializeAttachment() as Attachment | null)?.ip ?? "unknown";
    if (!(await this.mayPost(ip))) return this.send(ws, { t: "err", code: "RATE_LIMITED", cid: frame.cid });
    const now = Date.now();
    this.ctx.storage.sql.exec("INSERT INTO items (id, cid, dir, text, at, synced) VALUES (?, ?, 'in', ?, ?, 0)", crypto.randomUUID(), frame.cid, frame.text, this.nextInboundAt(now));
    const item = this.byCid(frame.cid);
    if (!item) return;
    this.broadcast({ t: "msgs", items: [item] });
    await this.flush();
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // 1005/1006 are reserved: they may not be sent in a close frame.
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
  }

  /** An agent's (or the AI's) reply, stored in D1 already: append once (by message id) and push to the widget. */
  async deliver(reply: { id: string; text: string; at: number; media?: ChatItem["media"] }): Promise<number> {
    // Pushed only when new: a replay (the sweep re-driving an auto-reply) was pushed, or is fetched on resume.
    const row = this.ctx.storage.sql
      .exec<Row>(
        "INSERT INTO items (id, dir, text, at, media) VALUES (?, 'out', ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING *",
        reply.id,
        reply.text,
        reply.at,
        reply.media ? JSON.stringify(reply.media) : null,
      )
      .toArray()[0];
    if (row) this.broadcast({ t: "msgs", items: [item(row)] });
    return this.ctx.getWebSockets().length;
  }

  /**
   * A visitor's file (already in R2, checked by the upload route): one more message, counted against the same
   * rate limit and deduped by the client id like a text. Returns the item, or an error code.
   */
  async visitorFile(cid: string, media: NonNullable<ChatItem["media"]>, ip: string): Promise<ChatItem | { error: string }> {
    const known = this.byCid(cid);
    if (known) return known;
    const meta = this.meta();
    if (!meta) return { error: "NOT_CONNECTED" };
    if (!(await this.mayPost(ip))) return { error: "RATE_LIMITED" };
    this.ctx.storage.sql.exec("INSERT INTO items (id, cid, dir, text, at, media, synced) VALUES (?, ?, 'in', ?, ?, ?, 0)", crypto.randomUUID(), cid, media.name, this.nextInboundAt(Date.now()), JSON.stringify(media));
    const it = this.byCid(cid);
    if (!it) return { error: "NOT_STORED" };
    this.broadcast({ t: "msgs", items: [it] });
    await this.flush();
    return it;
  }

  /** The agent is typing: shown in the widget for a few seconds. */
  async agentTyping(): Promise<void> {
    this.broadcast({ t: "typing" });
  }

  /** Visitor messages whose D1 write failed: written again (idempotent by client id). */
  override async alarm(): Promise<void> {
    await this.flush();
  }

  /** For tests and the bench: the log's length and sockets. */
  async stats(): Promise<{ items: number; sockets: number; unsynced: number }> {
    const q = (s: string) => this.ctx.storage.sql.exec<{ n: number }>(s).one().n;
    return { items: q("SELECT count(*) AS n FROM items"), sockets: this.ctx.getWebSockets().length, unsynced: q("SELECT count(*) AS n FROM items WHERE synced = 0") };
  }

  /**
   * The write-back: every visitor message not yet in D1, in one batch (idempotent by client id), then the inbox,
   * then the slower steps. One flush at a time; messages that arrive meanwhile go in the next round.
   */
  private async flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    const meta = this.meta();
    try {
      do {
        this.flushAgain = false;
        const rows = this.ctx.storage.sql.exec<Row>(`SELECT * FROM items WHERE synced = 0 ORDER BY seq LIMIT ${FLUSH_ROWS}`).toArray();
        const hot = meta && rows.length > 0 ? await this.hot(meta) : null;
        if (!meta || !hot) return;
        const stored = await storeWebMessages(this.env, meta, hot, rows.map((r) => ({ ...item(r), cid: r.cid ?? r.id })));
        for (const r of rows) this.ctx.storage.sql.exec("UPDATE items SET synced = 1 WHERE id = ?", r.id);
        await this.afterStored(meta, hot, stored);
        if (rows.length === FLUSH_ROWS) this.flushAgain = true;
      } while (this.flushAgain);
    } catch (e) {
      console.warn(JSON.stringify({ level: "warn", msg: "web chat message not stored yet", conversation_id: meta?.conversationId, error: String(e) }));
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
    } finally {
      this.flushing = false;
    }
  }

  /** After the write: the inbox first (what an agent waits for), then assignment, out-of-office, the auto-reply. */
  private async afterStored(meta: WebChatMeta, hot: ChatHot, stored: Stored): Promise<void> {
    const last = stored.messages.at(-1);
    if (!last) return;
    try {
      await publishWebMessages(this.env, meta, stored);
      await assignWebConversation(this.env, meta, hot, stored);
      const day = await outOfOffice(this.env, meta, hot, last.createdAt, this.kv("ooo_day"));
      if (day) this.setKv("ooo_day", day);
    } catch (e) {
      console.warn(JSON.stringify({ level: "warn", msg: "web chat follow-up failed", conversation_id: meta.conversationId, error: String(e) }));
    }
    // Its own failures go to the sweep (inbound_effects), never lost.
    await runWebEffects(this.env, stored);
  }

  /** The business's settings this path needs, from storage while fresh (HOT_TTL_MS), else one D1 batch. */
  private async hot(meta: WebChatMeta): Promise<ChatHot | null> {
    const now = Date.now();
    const kept = this.kv("hot");
    const parsed = kept ? (JSON.parse(kept) as ChatHot) : null;
    if (parsed && now - parsed.at < HOT_TTL_MS) return parsed;
    const fresh = await loadChatHot(this.env, meta, now);
    if (fresh) this.setKv("hot", JSON.stringify(fresh));
    return fresh;
  }

  /** Visitor messages get strictly increasing times: the conversation counts each once by its time. */
  private nextInboundAt(now: number): number {
    const last = this.ctx.storage.sql.exec<{ at: number | null }>("SELECT max(at) AS at FROM items WHERE dir = 'in'").one().at;
    return Math.max(now, (last ?? 0) + 1);
  }

  private kv(k: string): string | null {
    return this.ctx.storage.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0]?.v ?? null;
  }

  private setKv(k: string, v: string): void {
    this.ctx.storage.sql.exec("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", k, v);
  }

  /** Per visitor (this conversation, rolling minute) and per client address (the Workers rate limiter). */
  private async mayPost(ip: string): Promise<boolean> {
    const recent = this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM items WHERE dir = 'in' AND at > ?", Date.now() - 60_000).one().n;
    return recent < VISITOR_PER_MINUTE && (await this.env.LIVECHAT_IP_LIMITER.limit({ key: `msg:${ip}` })).success;
  }

  private meta(): WebChatMeta | null {
    const v = this.kv("meta");
    return v ? (JSON.parse(v) as WebChatMeta) : null;
  }

  private byCid(cid: string): ChatItem | null {
    const row = this.ctx.storage.sql.exec<Row>("SELECT * FROM items WHERE cid = ?", cid).toArray()[0];
    return row ? item(row) : null;
  }

  private after(seq: number): ChatItem[] {
    return this.ctx.storage.sql.exec<Row>("SELECT * FROM items WHERE seq > ? ORDER BY seq LIMIT ?", seq, HISTORY_PAGE).toArray().map(item);
  }

  private send(ws: WebSocket, f: ServerFrame): void {
    try {
      ws.send(JSON.stringify(f));
    } catch {
      /* the socket closed meanwhile */
    }
  }

  private broadcast(f: ServerFrame): void {
    const s = JSON.stringify(f);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(s);
      } catch {
        /* closing */
      }
    }
  }
}

function item(r: Row): ChatItem {
  const out: ChatItem = { seq: r.seq, id: r.id, cid: r.cid, dir: r.dir === "out" ? "out" : "in", text: r.text, at: r.at };
  if (r.media) out.media = JSON.parse(r.media) as NonNullable<ChatItem["media"]>;
  return out;
}
