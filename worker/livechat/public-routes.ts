// The widget's public surface (no session, no API key): the scripts, the public config, the visitor session and
// the chat socket. Every request names a widget key; the page's Origin must be on the business's allow-list;
// the visitor token must be ours and bound to the key's business. Mounted at / (scripts) and /livechat/v1.
import { Hono, type Context } from "hono";
import { z } from "zod";
import { zValidator } from "@hono/zod-validator";
import { assertWithinLimit } from "../billing/limits";
import { type Business, getBusiness } from "../db/businesses";
import { database } from "../db/client";
import { settingsByWidgetKey } from "../db/livechat-settings";
import { CHAT_HEADERS } from "../durable/live-chat";
import { liveChat } from "../durable/stubs";
import { ApiError, errorBody } from "../http/errors";
import type { AppEnv } from "../http/types";
import { jsonBody, validationHook } from "../http/validation";
import { recordPrechat } from "../crm/prechat";
import { webChatChannel } from "../db/channels";
import { WIDGET_CHAT, WIDGET_CHAT_HASH, WIDGET_LOADER, WIDGET_LOADER_HASH } from "../generated/client-bundles";
import { readCappedBody } from "../http/capped-body";
import { mediaUrl, storeMedia } from "../inbound/media";
import { type LivechatConfig, originAllowed, parseConfig, withinHours } from "./settings";
import { checkUpload, MAX_UPLOAD_BYTES, uploadName } from "./upload";
import { createHandoff, waMeUrl } from "./handoff";
import { getConversationRow } from "../db/conversations";
import { newVisitorId, signVisitorToken, verifyVisitorToken } from "./token";
import type { WebChatMeta } from "./visitor-message";

const JS = "text/javascript; charset=utf-8";
const IMMUTABLE = "public, max-age=31536000, immutable";
// The snippet's URL never changes, so the loader is cached briefly; everything it loads is content-addressed.
const LOADER_CACHE = "public, max-age=300";

function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip") ?? "local";
}

type Widget = { business: Business; cfg: LivechatConfig; origin: string | null };

/** The key's business when its chat may run on this page: enabled, in the package, and the origin allowed. */
async function widgetFor(c: Context<AppEnv>, key: string): Promise<Widget> {
  const db = database(c.env.DB);
  const row = await settingsByWidgetKey(db, key);
  const business = row ? await getBusiness(db, row.businessId) : undefined;
  if (!row || !business) throw new ApiError(404, "UNKNOWN_WIDGET", "Unknown widget key");
  const cfg = parseConfig(row.config);
  if (!cfg.enabled) throw new ApiError(404, "UNKNOWN_WIDGET", "Unknown widget key");
  await assertWithinLimit(db, business, "live_chat");
  const origin = c.req.header("origin") ?? null;
  if (!originAllowed(cfg, origin)) throw new ApiError(403, "ORIGIN_NOT_ALLOWED", "This page may not use this chat");
  return { business, cfg, origin };
}

/** CORS for the widget's calls: only the calling (allowed) origin, never credentials. */
function cors(c: Context<AppEnv>, origin: string | null): void {
  if (!origin) return;
  c.header("Access-Control-Allow-Origin", origin);
  c.header("Vary", "Origin");
}

async function limitIp(c: Context<AppEnv>, what: string): Promise<void> {
  const { success } = await c.env.LIVECHAT_IP_LIMITER.limit({ key: `${what}:${clientIp(c)}` });
  if (!success) throw new ApiError(429, "RATE_LIMITED", "Too many requests from this address");
}

export const widgetScripts = new Hono<AppEnv>()
  .get("/widget.js", (c) => c.body(WIDGET_LOADER, 200, { "content-type": JS, "cache-control": LOADER_CACHE, etag: `"${WIDGET_LOADER_HASH}"` }))
  .get("/widget/:hash/chat.js", (c) => {
    // Only the current build's hash: an old URL (a cached loader) is sent to the current file.
    if (c.req.param("hash") !== WIDGET_CHAT_HASH) return c.redirect(`/widget/${WIDGET_CHAT_HASH}/chat.js`, 302);
    return c.body(WIDGET_CHAT, 200, { "content-type": JS, "cache-control": IMMUTABLE, "cross-origin-resource-policy": "cross-origin" });
  });

const Key = z.string().regex(/^wk_[A-Za-z0-9_-]{16,64}$/);

const Session = z.strictObject({
  key: Key,
  token: z.string().max(600).optional(),
  name: z.string().trim().max(200).optional(),
  phone: z.string().trim().max(40).optional(),
  email: z.string().trim().max(254).pipe(z.email()).optional(),
});

/** CORS preflight of the widget's POSTs (JSON session/handoff, raw upload); the POST itself checks the origin. */
function preflight(c: Context<AppEnv>): Response {
  c.header("Access-Control-Allow-Origin", c.req.header("origin") ?? "*");
  c.header("Access-Control-Allow-Methods", "POST");
  c.header("Access-Control-Allow-Headers", "content-type");
  c.header("Access-Control-Max-Age", "600");
  return c.body(null, 204);
}

export const livechatPublic = new Hono<AppEnv>()
  .options("/:route{session|handoff|upload}", preflight)
  .get("/config", zValidator("query", z.object({ key: Key }), validationHook), async (c) => {
    const w = await widgetFor(c, c.req.valid("query").key);
    cors(c, w.origin);
    c.header("cache-control", "no-store");
    const { cfg } = w;
    return c.json({
      color: cfg.color,
      text_color: cfg.text_color,
      position: cfg.position,
      z_index: cfg.z_index,
      greeting: cfg.greeting,
      expected_reply: cfg.expected_reply,
      avatar_url: cfg.avatar_url,
      prechat: cfg.prechat,
      lang: cfg.lang,
      online: withinHours(cfg, w.business.timezone, Date.now()),
      whatsapp: cfg.whatsapp_number !== null,
      chat_url: `${new URL(c.req.url).origin}/widget/${WIDGET_CHAT_HASH}/chat.js`,
    });
  })
  .post("/session", (c, next) => jsonBody(Number(c.env.MAX_BODY_BYTES))(c, next), zValidator("json", Session, validationHook), async (c) => {
    await limitIp(c, "session");
    const b = c.req.valid("json");
    const w = await widgetFor(c, b.key);
    cors(c, w.origin);
    // A returning visitor keeps their id (and so their contact); a token of another business is ignored.
    const known = b.token ? await verifyVisitorToken(c.env.SECRETS_KEY, b.token, w.business.id) : null;
    const visitorId = known?.v ?? newVisitorId();
    const r = await recordPrechat(database(c.env.DB), w.business, { visitor_id: visitorId, name: b.name, phone: b.phone, email: b.email });
    if (!r.ok) throw new ApiError(400, "VALIDATION_ERROR", r.reason);
    const token = await signVisitorToken(c.env.SECRETS_KEY, { b: w.business.id, v: visitorId, c: r.conversation.id, t: Date.now() });
    return c.json({ token, conversation_id: r.conversation.id }, 201);
  })
  // "Continue on WhatsApp": a one-time code for this visitor's contact and the wa.me link carrying it.
  .post("/handoff", (c, next) => jsonBody(Number(c.env.MAX_BODY_BYTES))(c, next), zValidator("json", z.strictObject({ key: Key, token: z.string().max(600) }), validationHook), async (c) => {
    await limitIp(c, "handoff");
    const b = c.req.valid("json");
    const w = await widgetFor(c, b.key);
    cors(c, w.origin);
    const t = await verifyVisitorToken(c.env.SECRETS_KEY, b.token, w.business.id);
    if (!t) throw new ApiError(401, "INVALID_VISITOR_TOKEN", "The visitor token is not valid for this chat");
    if (!w.cfg.whatsapp_number) throw new ApiError(409, "WHATSAPP_NOT_OFFERED", "This business has no WhatsApp number for the chat");
    const db = database(c.env.DB);
    const row = await getConversationRow(db, w.business.id, t.c);
    if (!row) throw new ApiError(404, "NOT_FOUND", "Conversation not found");
    const code = await createHandoff(db, w.business.id, row.contact.id);
    return c.json({ code: `PING-${code}`, url: waMeUrl(w.cfg.whatsapp_number, code, w.cfg.lang === "en" ? "Continuing my website chat:" : "Lanjut dari chat website:") }, 201);
  })
  // Raw file body (not JSON; /livechat is outside the API's JSON-only rule), read with a hard cap as it streams.
  .post("/upload", zValidator("query", z.object({ key: Key, token: z.string().max(600), cid: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/), name: z.string().max(200).optional() }), validationHook), async (c) => {
    await limitIp(c, "upload");
    const q = c.req.valid("query");
    const w = await widgetFor(c, q.key);
    cors(c, w.origin);
    const t = await verifyVisitorToken(c.env.SECRETS_KEY, q.token, w.business.id);
    if (!t) throw new ApiError(401, "INVALID_VISITOR_TOKEN", "The visitor token is not valid for this chat");
    const mime = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const bytes = await readCappedBody(c.req.raw, MAX_UPLOAD_BYTES);
    if (!bytes) throw new ApiError(413, "FILE_TOO_LARGE", `Files may be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
    const bad = checkUpload(mime, bytes);
    if (bad) throw new ApiError(415, "UNSUPPORTED_FILE", bad);
    const name = uploadName(q.name, mime);
    const stored = await storeMedia(c.env, { businessId: w.business.id, deviceKey: null, direction: "in" }, bytes, mime, name);
    const media = { url: mediaUrl(c.env, w.business.id, stored.media_id), mime, name };
    const r = await liveChat(c.env, t.c).visitorFile(q.cid, media, clientIp(c));
    if ("error" in r) throw new ApiError(r.error === "RATE_LIMITED" ? 429 : 409, r.error, "The file was not added to the chat");
    return c.json(r, 201);
  })
  .get("/ws", zValidator("query", z.object({ key: Key, token: z.string().max(600) }), validationHook), async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return c.json(errorBody("UPGRADE_REQUIRED", "Expected a WebSocket upgrade"), 426);
    await limitIp(c, "ws");
    const q = c.req.valid("query");
    const w = await widgetFor(c, q.key);
    const t = await verifyVisitorToken(c.env.SECRETS_KEY, q.token, w.business.id);
    if (!t) throw new ApiError(401, "INVALID_VISITOR_TOKEN", "The visitor token is not valid for this chat");
    const channel = await webChatChannel(database(c.env.DB), w.business.id);
    const meta: WebChatMeta = { businessId: w.business.id, conversationId: t.c, channelId: channel.id, visitorId: t.v };
    const headers = new Headers({ upgrade: "websocket", [CHAT_HEADERS.meta]: JSON.stringify(meta), [CHAT_HEADERS.ip]: clientIp(c) });
    return liveChat(c.env, t.c).fetch(new Request("https://live-chat/ws", { headers }));
  });
