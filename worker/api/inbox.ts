// The inbox's real-time channel: GET /api/v1/inbox/ws upgrades to a WebSocket attached to the business's
// InboxHub. Authentication (requireAuth, mounted on /api/v1) runs here in the Worker before anything reaches
// the hub; a cookie-authenticated upgrade must come from our own origin, since browsers attach cookies to
// cross-site WebSocket handshakes too (cross-site WebSocket hijacking).
import { createRoute, z } from "@hono/zod-openapi";
import { HUB_HEADERS } from "../durable/inbox-hub";
import { ApiError } from "../http/errors";
import { inboxHub } from "../durable/stubs";
import { apiRouter, authErrors, jsonContent, security } from "./openapi";

export const inboxApi = apiRouter();

/** Same host (and port) as the request: the dashboard is served by this Worker. */
function sameOrigin(origin: string | undefined, requestUrl: string): boolean {
  if (!origin) return false;
  try {
    return new URL(origin).host === new URL(requestUrl).host;
  } catch {
    return false;
  }
}

const FRAMES_DOC = [
  "Upgrade with `Upgrade: websocket`. Server → client JSON frames:",
  "`{type:'message.created', message:{id, conversation_id, device_key, direction, chat_jid, from, to, sender_name, text, status, created_at}}`,",
  "`{type:'message.status', message:{id, device_key, status, error?}}`,",
  "`{type:'conversation.updated', conversation:{id, device_key, chat_jid, unread_count, last_message_at}}`,",
  "`{type:'conversation.typing', conversation_id}`, `{type:'note.created', note:{id, conversation_id, author_id, text, created_at}}`,",
  "`{type:'conversation.changed', conversation:{id, status, snooze_until, assignee_id, priority, labels, …}}` (after a PATCH),",
  "and to the signed-in user's sockets only `{type:'notification', notification:{id, kind: mention|assigned, conversation_id, text, actor_name, created_at}}`.",
  "Send `{\"type\":\"ping\"}` to get `{\"type\":\"pong\"}`. Only this business's events are sent. See docs/messaging.md.",
].join(" ");

inboxApi.openapi(
  createRoute({
    method: "get",
    path: "/ws",
    tags: ["inbox"],
    summary: "Real-time inbox events over a WebSocket",
    description: FRAMES_DOC,
    security,
    responses: {
      101: { description: "Switching protocols: the socket is attached to the business's inbox" },
      ...authErrors,
      426: jsonContent(z.object({ status: z.literal("error"), message: z.string(), error_code: z.string() }), "Not a WebSocket upgrade"),
    },
  }),
  async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "UPGRADE_REQUIRED", "This endpoint only accepts a WebSocket upgrade (Upgrade: websocket)", undefined, { Upgrade: "websocket" });
    }
    const auth = c.var.auth;
    if (c.var.sessionTokenHash !== null && !sameOrigin(c.req.header("origin"), c.req.url)) {
      throw new ApiError(403, "ORIGIN_NOT_ALLOWED", "WebSocket upgrades signed in with a cookie must come from this site");
    }
    // A fresh request: only what the hub needs, so a client cannot pass its own x-ping-* headers through.
    const headers = new Headers({ upgrade: "websocket", [HUB_HEADERS.business]: auth.business.id, [HUB_HEADERS.role]: auth.role });
    if (auth.user) headers.set(HUB_HEADERS.user, auth.user.id);
    if (auth.apiKeyId) headers.set(HUB_HEADERS.apiKey, auth.apiKeyId);
    if (c.var.sessionTokenHash) headers.set(HUB_HEADERS.session, c.var.sessionTokenHash);
    return inboxHub(c.env, auth.business.id).fetch(new Request("https://inbox-hub/ws", { headers }));
  },
);
