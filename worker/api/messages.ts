// Messages: send one (idempotent by the Idempotency-Key header), list with filters, read one.
import { createRoute, z } from "@hono/zod-openapi";
import { requireActivePackage } from "../auth/middleware";
import { database } from "../db/client";
import { getMessage, listMessages, type Message } from "../db/messages";
import { MESSAGE_STATUSES } from "../db/schema";
import { ApiError, notFound } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import { normalizePhone, toJid } from "../lib/phone";
import { JobContent } from "../../protocol/gateway-protocol";
import { composeAndQueue, idempotencyRequestHash } from "../messaging/compose";
import { MetaTemplateContent, type OutboundContent } from "../messaging/content";
import { renderPingTemplate } from "../messaging/resolve-content";
import { apiRouter, authErrors, conflictError, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";

export const MessageSchema = z
  .object({
    id: z.string(),
    device_key: z.string(),
    direction: z.enum(["out", "in"]),
    to: z.string().openapi({ description: "The chat's JID (the recipient, or for inbound the sender's chat)" }),
    text: z.string().nullable(),
    content: z.record(z.string(), z.unknown()).nullable(),
    source: z.string(),
    lane: z.enum(["transactional", "broadcast"]),
    status: z.enum(MESSAGE_STATUSES),
    error: z.string().nullable(),
    provider_message_id: z.string().nullable(),
    created_at: z.number(),
    updated_at: z.number().nullable(),
  })
  .openapi("Message");

export function messageJson(m: Message): z.infer<typeof MessageSchema> {
  return {
    id: m.id,
    device_key: m.deviceKey,
    direction: m.direction,
    to: m.to,
    text: m.text,
    content: m.content ?? null,
    source: m.source,
    lane: m.lane,
    status: m.status,
    error: m.error,
    provider_message_id: m.providerMessageId,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

const Variables = z.record(z.string().max(100), z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]));

const SendMessage = z
  .strictObject({
    device_key: z.uuid().optional().openapi({ description: "Optional when the business has exactly one connected device" }),
    to: z.string().trim().min(3).max(100).openapi({ example: "081234567890", description: "Phone in any common form, or a group id …@g.us" }),
    is_group: z.boolean().default(false),
    text: z.string().min(1).max(4096).optional(),
    template: z.string().min(1).max(100).optional().openapi({ description: "A message template's id or name; `{name}` variables filled from `variables`" }),
    variables: Variables.optional(),
    media: z
      .strictObject({
        kind: z.enum(["image", "video", "audio", "document"]),
        url: z.url().max(2000),
        mime_type: z.string().max(200),
        file_name: z.string().max(255).optional(),
        caption: z.string().max(1024).optional(),
      })
      .optional(),
    meta_template: MetaTemplateContent.omit({ kind: true }).optional().openapi({ description: "An approved Meta template (cloud_api devices)" }),
    lane: z.enum(["transactional", "broadcast"]).default("transactional"),
  })
  .refine((b) => [b.text, b.template, b.media, b.meta_template].filter((x) => x !== undefined).length === 1, {
    message: "give exactly one of text, template, media, meta_template",
  })
  .openapi("SendMessage");

const IdempotencyHeader = z.object({
  "idempotency-key": z.string().min(1).max(200).optional().openapi({ description: "Same key, same message: a retry never sends twice" }),
});

const MessageQuery = ListQuery.extend({
  device_key: z.uuid().optional(),
  to: z.string().max(100).optional().openapi({ description: "Phone in any form or a JID" }),
  status: z.enum(MESSAGE_STATUSES).optional(),
});

export const messagesApi = apiRouter();
messagesApi.post("/", requireActivePackage);

messagesApi
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["messages"],
      summary: "Send a message",
      security,
      request: { headers: IdempotencyHeader, ...jsonBody(SendMessage) },
      responses: {
        202: jsonContent(MessageSchema, "Queued"),
        200: jsonContent(MessageSchema, "Replay of an earlier request with the same Idempotency-Key"),
        ...authErrors,
        ...notFoundError,
        ...conflictError,
        422: jsonContent(z.object({ status: z.literal("error"), message: z.string(), error_code: z.string() }), "Outside the 24-hour window"),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const key = c.req.valid("header")["idempotency-key"];
      const db = database(c.env.DB);
      const business = c.var.auth.business;
      let content: OutboundContent;
      if (body.text !== undefined) content = { kind: "text", text: body.text };
      else if (body.template !== undefined) content = await renderPingTemplate(db, business.id, { template: body.template, variables: body.variables });
      else if (body.media) {
        const parsed = JobContent.safeParse({ kind: body.media.kind, media_url: body.media.url, mime_type: body.media.mime_type, file_name: body.media.file_name, caption: body.media.caption });
        if (!parsed.success) throw new ApiError(400, "VALIDATION_ERROR", "Invalid body.media");
        content = parsed.data;
      } else if (body.meta_template) content = { kind: "meta_template", ...body.meta_template };
      else throw new ApiError(400, "VALIDATION_ERROR", "give exactly one of text, template, media, meta_template");
      const { message, created } = await composeAndQueue(c.env, db, business, {
        deviceKey: body.device_key,
        to: body.to,
        isGroup: body.is_group,
        content,
        idempotencyKey: `api:${key ?? crypto.randomUUID()}`,
        requestHash: key ? await idempotencyRequestHash("api/v1/messages", body) : null,
        source: "api",
        lane: body.lane,
      });
      if (!created) c.header("Idempotent-Replayed", "true");
      return c.json(messageJson(message), created ? 202 : 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["messages"],
      summary: "List messages, newest first",
      security,
      request: { query: MessageQuery },
      responses: { 200: jsonContent(listOf(MessageSchema, "MessageList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const business = c.var.auth.business;
      let to: string | undefined;
      if (q.to) {
        if (q.to.includes("@")) to = q.to;
        else {
          const p = normalizePhone(q.to, business.country);
          if (!p.ok) throw new ApiError(400, "INVALID_PHONE", p.reason);
          to = toJid(p.digits);
        }
      }
      const rows = await listMessages(database(c.env.DB), business.id, { deviceKey: q.device_key, to, status: q.status }, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (m) => m.id);
      return c.json({ items: p.items.map(messageJson), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["messages"],
      security,
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: jsonContent(MessageSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const m = await getMessage(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!m) throw notFound("Message");
      return c.json(messageJson(m), 200);
    },
  );
