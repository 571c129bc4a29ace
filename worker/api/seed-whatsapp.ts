// The seed's WhatsApp API, field for field: POST /api-app/whatsapp/send-message (api_key in the body) and
// POST /api-app/whatsapp/callback/:session_id. Answers use the seed's shapes, not the REST API's:
// success {"status":true,"message":"Berhasil mengirimkan pesan"}, failure {"status":false,"message",
// "error_code"} with a 4xx (error_code is Ping's addition, so callers can tell failures apart).
import { zValidator } from "@hono/zod-validator";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { assertCanWrite, authenticateApiKey } from "../auth/middleware";
import { getBusiness, isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { getDeviceByKey } from "../db/devices";
import { aiAnswerOf } from "../db/messages";
import { aiConversation } from "../durable/stubs";
import { ApiError } from "../http/errors";
import type { AppEnv } from "../http/types";
import { jsonBody, validationHook } from "../http/validation";
import { type AutoReply, decideAutoReply } from "../inbound/auto-reply";
import { receiveInbound } from "../inbound/receive";
import { composeAndQueue, idempotencyRequestHash } from "../messaging/compose";
import { renderPingTemplate } from "../messaging/resolve-content";
import type { ContentfulStatusCode } from "hono/utils/http-status";

const seedError = (c: Context, status: ContentfulStatusCode, code: string, message: string, headers?: Record<string, string>) =>
  c.json({ status: false, message, error_code: code }, status, headers);

const Bool = z.union([z.boolean(), z.enum(["true", "false", "1", "0"]).transform((s) => s === "true" || s === "1")]);

const SendMessageBody = z.object({
  phone: z.union([z.string().trim().min(3).max(100), z.number().int().positive()]).transform(String),
  device_key: z.uuid().nullish(),
  api_key: z.string().min(1).max(200),
  method: z.enum(["text", "template"]),
  text: z.string().min(1).max(4096).optional(),
  template: z.string().min(1).max(100).optional(),
  variables: z.record(z.string().max(100), z.union([z.string().max(4096), z.number(), z.boolean(), z.null()])).optional(),
  is_group: Bool.optional().default(false),
});

const CallbackBody = z.object({
  from: z.string().trim().min(3).max(200),
  message_id: z.string().trim().min(1).max(200),
  message: z.string().max(65536),
  from_name: z.string().max(200).optional().default(""),
  type: z.string().max(20).optional().default("single"),
  // Ping's addition, as in send-message: the business's key turns the dry run into a real (sandbox) arrival.
  api_key: z.string().min(1).max(200).optional(),
});

/** The callback's api_key: the body field (as in send-message) or `Authorization: Bearer`. */
function callbackKey(c: Context, bodyKey: string | undefined): string | null {
  if (bodyKey) return bodyKey;
  const m = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  return m?.[1] ?? null;
}

export const seedWhatsappApi = new Hono<AppEnv>()
  .onError((err, c) => {
    if (err instanceof ApiError) return seedError(c, err.status, err.code, err.message, err.headers);
    console.error(JSON.stringify({ level: "error", msg: "unhandled", path: c.req.path, error: String(err) }));
    return c.json({ status: false, message: "Internal error", error_code: "INTERNAL_ERROR" }, 500);
  })
  .use(async (c, next) => jsonBody(Number(c.env.MAX_BODY_BYTES))(c, next))
  .post("/send-message", zValidator("json", SendMessageBody, validationHook), async (c) => {
    const body = c.req.valid("json");
    const auth = await authenticateApiKey(c.env, body.api_key);
    assertCanWrite(auth);
    if (!isPackageActive(auth.business)) throw new ApiError(403, "PACKAGE_NOT_ACTIVE", "Paket langganan Anda tidak aktif. Perpanjang paket untuk mengirim pesan.");
    const db = database(c.env.DB);
    let content;
    if (body.method === "text") {
      if (!body.text) throw new ApiError(400, "TEXT_REQUIRED", "text is required when method is text");
      content = { kind: "text" as const, text: body.text };
    } else {
      if (!body.template) throw new ApiError(400, "TEMPLATE_REQUIRED", "template is required when method is template");
      content = await renderPingTemplate(db, auth.business.id, { template: body.template, variables: body.variables });
    }
    const key = c.req.header("idempotency-key");
    await composeAndQueue(c.env, db, auth.business, {
      deviceKey: body.device_key,
      to: body.phone,
      isGroup: body.is_group,
      content,
      idempotencyKey: `api:${key ? key.slice(0, 200) : crypto.randomUUID()}`,
      // The key only, not the api_key field, identifies the request (a rotated key resending is a replay).
      requestHash: key ? await idempotencyRequestHash("send-message", { ...body, api_key: undefined }) : null,
      source: "api",
    });
    return c.json({ status: true, message: "Berhasil mengirimkan pesan" });
  })
  // The seed's callback. Without credentials it is a dry run: it answers what auto-reply would say (keyword replies
  // only) and writes, forwards and sends nothing. With the business's api_key it may also ask the AI agent (counted
  // in its usage), and on a sandbox device the message is recorded like the sandbox chat. Rate-limited per device.
  .post("/callback/:session_id", zValidator("json", CallbackBody, validationHook), async (c) => {
    const sessionId = c.req.param("session_id");
    const deviceKey = /^device_([0-9a-f-]{36})$/i.exec(sessionId)?.[1];
    const db = database(c.env.DB);
    const device = deviceKey ? await getDeviceByKey(db, deviceKey.toLowerCase()) : undefined;
    if (!device) throw new ApiError(404, "DEVICE_NOT_FOUND", "session_id must be device_<device_key> of an existing device");
    const { success } = await c.env.SEED_CALLBACK_LIMITER.limit({ key: device.deviceKey });
    if (!success) throw new ApiError(429, "RATE_LIMITED", "Too many callbacks for this device; try again in a minute", undefined, { "Retry-After": "60" });
    const body = c.req.valid("json");
    const key = callbackKey(c, body.api_key);
    const auth = key ? await authenticateApiKey(c.env, key) : null;
    // Another business's key says nothing about this device: same answer as an unknown device.
    if (auth && auth.business.id !== device.businessId) throw new ApiError(404, "DEVICE_NOT_FOUND", "session_id must be device_<device_key> of an existing device");
    const business = auth?.business ?? (await getBusiness(db, device.businessId));
    if (!business || !isPackageActive(business)) throw new ApiError(403, "PACKAGE_NOT_ACTIVE", "Paket langganan Anda tidak aktif.");
    const isGroup = body.type === "group" || body.from.endsWith("@g.us");
    const chatJid = body.from.includes("@") ? body.from : `${body.from}@${isGroup ? "g.us" : "s.whatsapp.net"}`;
    let reply: AutoReply | null;
    if (auth && device.provider === "sandbox") {
      assertCanWrite(auth);
      const result = await receiveInbound(
        c.env,
        device,
        {
          providerMessageId: body.message_id,
          chatJid,
          senderJid: chatJid,
          senderName: body.from_name || null,
          timestamp: Date.now(),
          kind: "text",
          text: body.message,
          isGroup,
          isEphemeral: false,
        },
        { sendReply: false, waitUntil: (p) => c.executionCtx.waitUntil(p) },
      );
      reply = result.reply;
      // The callback answers synchronously: the AI agent's pending turn for this message runs now (no debounce),
      // sends its answer to the sandbox chat like any turn, and the answer is the callback's reply too.
      if (!reply && result.message?.conversationId) {
        const turnId = await aiConversation(c.env, result.message.conversationId).turnNow();
        const parts = turnId ? await aiAnswerOf(db, business.id, turnId) : [];
        if (parts.length) reply = { text: parts.join("\n\n"), source: "ai" };
      }
    } else {
      reply = await decideAutoReply({
        env: c.env,
        business,
        device,
        message: { id: `callback:${body.message_id}`, text: body.message, conversationId: null, createdAt: Date.now() },
        chatJid,
        senderName: body.from_name || null,
        dryRun: true,
        allowAi: auth !== null,
      });
    }
    return c.json({
      message: reply ? { text: reply.text } : {},
      receiver: chatJid,
      session_id: sessionId,
      autoread: false,
      reply: reply !== null,
    });
  });
