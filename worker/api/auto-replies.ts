// Keyword auto-replies: rules that answer a matching customer message before the AI agent (worker/auto-reply/).
// Admins write them; everybody reads. Regex patterns are checked (RE2 syntax, length cap) when saved.
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { compileRegex, MAX_PATTERN_CHARS } from "../auto-reply/match";
import { type AutoReplyFields, type AutoReplyRule, deleteAutoReply, getAutoReply, insertAutoReply, listAutoReplies, updateAutoReply } from "../db/auto-replies";
import { getChannel } from "../db/channels";
import type { Db } from "../db/client";
import { database } from "../db/client";
import { AUTO_REPLY_MATCHES, type AutoReplyMatch } from "../db/schema";
import { getTemplate } from "../db/templates";
import { ApiError, notFound } from "../http/errors";
import { apiRouter, authErrors, jsonBody, jsonContent, listOf, notFoundError, security } from "./openapi";

const AutoReplySchema = z
  .object({
    id: z.string(),
    channel_id: z.string().nullable().openapi({ description: "null: every channel" }),
    match_type: z.enum(AUTO_REPLY_MATCHES),
    pattern: z.string(),
    reply_text: z.string().nullable(),
    template_id: z.string().nullable(),
    active: z.boolean(),
    priority: z.number().openapi({ description: "Higher first; the first matching rule answers" }),
    cooldown_seconds: z.number().nullable(),
    created_at: z.number(),
    updated_at: z.number().nullable(),
  })
  .openapi("AutoReply");

const Fields = {
  channel_id: z.uuid().nullable(),
  match_type: z.enum(AUTO_REPLY_MATCHES),
  pattern: z.string().trim().min(1).max(MAX_PATTERN_CHARS),
  reply_text: z.string().trim().min(1).max(4096).nullable(),
  template_id: z.uuid().nullable(),
  active: z.boolean(),
  priority: z.number().int().min(-1000).max(1000),
  cooldown_seconds: z.number().int().min(1).max(30 * 86_400).nullable(),
};
const CreateAutoReply = z
  .strictObject({
    ...Fields,
    channel_id: Fields.channel_id.default(null),
    reply_text: Fields.reply_text.optional(),
    template_id: Fields.template_id.optional(),
    active: Fields.active.default(true),
    priority: Fields.priority.default(0),
    cooldown_seconds: Fields.cooldown_seconds.default(null),
  })
  .openapi("CreateAutoReply");
const PatchAutoReply = z.strictObject(Object.fromEntries(Object.entries(Fields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof Fields]: z.ZodOptional<(typeof Fields)[K]> }).openapi("UpdateAutoReply");
const IdParam = z.object({ id: z.uuid() });

function toJson(r: AutoReplyRule): z.infer<typeof AutoReplySchema> {
  return {
    id: r.id,
    channel_id: r.channelId,
    match_type: r.matchType,
    pattern: r.pattern,
    reply_text: r.replyText,
    template_id: r.templateId,
    active: r.active,
    priority: r.priority,
    cooldown_seconds: r.cooldownSeconds,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

type Input = { channel_id?: string | null; match_type?: AutoReplyMatch; pattern?: string; reply_text?: string | null; template_id?: string | null; active?: boolean; priority?: number; cooldown_seconds?: number | null };

/** Checks a rule as it will be saved (the existing row merged with the change) and maps it to columns. */
async function checked(db: Db, businessId: string, input: Input, existing?: AutoReplyRule): Promise<Partial<AutoReplyFields>> {
  const f: Partial<AutoReplyFields> = {};
  if (input.channel_id !== undefined) f.channelId = input.channel_id;
  if (input.match_type !== undefined) f.matchType = input.match_type;
  if (input.pattern !== undefined) f.pattern = input.pattern;
  if (input.reply_text !== undefined) f.replyText = input.reply_text;
  if (input.template_id !== undefined) f.templateId = input.template_id;
  if (input.active !== undefined) f.active = input.active;
  if (input.priority !== undefined) f.priority = input.priority;
  if (input.cooldown_seconds !== undefined) f.cooldownSeconds = input.cooldown_seconds;
  // Setting one kind of reply clears the other.
  if (input.reply_text && input.template_id === undefined) f.templateId = null;
  if (input.template_id && input.reply_text === undefined) f.replyText = null;
  const replyText = f.replyText !== undefined ? f.replyText : (existing?.replyText ?? null);
  const templateId = f.templateId !== undefined ? f.templateId : (existing?.templateId ?? null);
  if ((replyText === null) === (templateId === null)) throw new ApiError(400, "VALIDATION_ERROR", "Give exactly one of reply_text and template_id");
  const matchType = f.matchType ?? existing?.matchType;
  const pattern = f.pattern ?? existing?.pattern ?? "";
  if (matchType === "regex") {
    const c = compileRegex(pattern);
    if (!c.ok) throw new ApiError(400, "INVALID_PATTERN", c.message);
  }
  if (f.channelId && !(await getChannel(db, businessId, f.channelId))) throw notFound("Channel");
  if (f.templateId && !(await getTemplate(db, businessId, f.templateId))) throw notFound("Template");
  return f;
}

export const autoRepliesApi = apiRouter();
autoRepliesApi.on(["POST", "PATCH", "DELETE"], "*", requireRole("admin"));

autoRepliesApi
  .openapi(
    createRoute({ method: "get", path: "/", tags: ["auto-replies"], security, responses: { 200: jsonContent(listOf(AutoReplySchema, "AutoReplyList")), ...authErrors } }),
    async (c) => {
      const rows = await listAutoReplies(database(c.env.DB), c.var.auth.business.id);
      return c.json({ items: rows.map(toJson), next_cursor: null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["auto-replies"],
      security,
      request: jsonBody(CreateAutoReply),
      responses: { 201: jsonContent(AutoReplySchema, "Created"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const body = c.req.valid("json");
      const f = await checked(db, businessId, body);
      const row = await insertAutoReply(db, businessId, {
        channelId: f.channelId ?? null,
        matchType: body.match_type,
        pattern: body.pattern,
        replyText: f.replyText ?? null,
        templateId: f.templateId ?? null,
        active: body.active,
        priority: body.priority,
        cooldownSeconds: body.cooldown_seconds,
      });
      return c.json(toJson(row), 201);
    },
  )
  .openapi(
    createRoute({ method: "get", path: "/{id}", tags: ["auto-replies"], security, request: { params: IdParam }, responses: { 200: jsonContent(AutoReplySchema), ...authErrors, ...notFoundError } }),
    async (c) => {
      const r = await getAutoReply(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!r) throw notFound("Auto-reply");
      return c.json(toJson(r), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["auto-replies"],
      security,
      request: { params: IdParam, ...jsonBody(PatchAutoReply) },
      responses: { 200: jsonContent(AutoReplySchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const id = c.req.valid("param").id;
      const existing = await getAutoReply(db, businessId, id);
      if (!existing) throw notFound("Auto-reply");
      const r = await updateAutoReply(db, businessId, id, await checked(db, businessId, c.req.valid("json"), existing));
      if (!r) throw notFound("Auto-reply");
      return c.json(toJson(r), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["auto-replies"],
      security,
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ deleted: z.literal(true) })), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      if (!(await deleteAutoReply(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id))) throw notFound("Auto-reply");
      return c.json({ deleted: true as const }, 200);
    },
  );
