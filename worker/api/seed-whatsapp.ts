// The seed's WhatsApp API, field for field: POST /api-app/whatsapp/send-message (api_key in the body) and
// POST /api-app/whatsapp/callback/:session_id. Answers use the seed's shapes, not the REST API's:
// success {"status":true,"message":"Berhasil mengirimkan pesan"}, failure {"status":false,"message",
// "error_code"} with a 4xx (error_code is Ping's addition, so callers can tell failures apart).
import { zValidator } from "@hono/zod-validator";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { authenticateApiKey } from "../auth/middleware";
import { getBusiness, isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { getDeviceByKey } from "../db/devices";
import { ApiError } from "../http/errors";
import type { AppEnv } from "../http/types";
import { jsonBody, validationHook } from "../http/validation";
import { receiveInbound } from "../inbound/receive";
import { composeAndQueue } from "../messaging/compose";
import { renderPingTemplate } from "../messaging/resolve-content";
import type { ContentfulStatusCode } from "hono/utils/http-status";

const seedError = (c: Context, status: ContentfulStatusCode, code: string, message: string) => c.json({ status: false, message, error_code: code }, status);

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
});

export const seedWhatsappApi = new Hono<AppEnv>()
  .onError((err, c) => {
    if (err instanceof ApiError) return seedError(c, err.status, err.code, err.message);
    console.error(JSON.stringify({ level: "error", msg: "unhandled", path: c.req.path, error: String(err) }));
    return c.json({ status: false, message: "Internal error", error_code: "INTERNAL_ERROR" }, 500);
  })
  .use(async (c, next) => jsonBody(Number(c.env.MAX_BODY_BYTES))(c, next))
  .post("/send-message", zValidator("json", SendMessageBody, validationHook), async (c) => {
    const body = c.req.valid("json");
    const auth = await authenticateApiKey(c.env, body.api_key);
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
      source: "api",
    });
    return c.json({ status: true, message: "Berhasil mengirimkan pesan" });
  })
  .post("/callback/:session_id", zValidator("json", CallbackBody, validationHook), async (c) => {
    const sessionId = c.req.param("session_id");
    const deviceKey = /^device_([0-9a-f-]{36})$/i.exec(sessionId)?.[1];
    const db = database(c.env.DB);
    const device = deviceKey ? await getDeviceByKey(db, deviceKey.toLowerCase()) : undefined;
    if (!device) throw new ApiError(404, "DEVICE_NOT_FOUND", "session_id must be device_<device_key> of an existing device");
    const business = await getBusiness(db, device.businessId);
    if (!business || !isPackageActive(business)) throw new ApiError(403, "PACKAGE_NOT_ACTIVE", "Paket langganan Anda tidak aktif.");
    const body = c.req.valid("json");
    const isGroup = body.type === "group" || body.from.endsWith("@g.us");
    const chatJid = body.from.includes("@") ? body.from : `${body.from}@${isGroup ? "g.us" : "s.whatsapp.net"}`;
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
    return c.json({
      message: result.reply ? { text: result.reply.text } : {},
      receiver: chatJid,
      session_id: sessionId,
      autoread: false,
      reply: result.reply !== null,
    });
  });
