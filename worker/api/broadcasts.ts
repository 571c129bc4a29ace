// Broadcasts: drafts, audience count, preview of variations, start/pause/resume/cancel, progress and recipients.
// Writes need the admin role (a broadcast speaks to thousands of customers in the business's name).
import { createRoute, z } from "@hono/zod-openapi";
import { requireActivePackage, requireRole } from "../auth/middleware";
import { Audience, countAudience } from "../broadcasts/audience";
import { BroadcastMessage, BroadcastMessageById, BroadcastMessageInput, messageType, type Plan } from "../broadcasts/message";
import { BroadcastSchedule } from "../broadcasts/schedule";
import { ingestMessageMedia } from "../broadcasts/resolve-message";
import { checkBroadcastMessage, controlBroadcast, previewTexts, startBroadcast, validateBroadcast } from "../broadcasts/service";
import { type Broadcast, broadcastProgress, deleteBroadcast, getBroadcast, insertBroadcast, listBroadcasts, listRecipients, updateBroadcast } from "../db/broadcasts";
import { database } from "../db/client";
import { BROADCAST_STATUSES, RECIPIENT_STATUSES } from "../db/schema";
import { ApiError, notFound } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import { apiRouter, authErrors, conflictError, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";

const Progress = z.object({
  total: z.number(),
  pending: z.number(),
  queued: z.number(),
  sent: z.number(),
  delivered: z.number(),
  read: z.number(),
  failed: z.number(),
  skipped: z.number(),
  skipped_reasons: z.record(z.string(), z.number()),
});
const BroadcastSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    device_key: z.string(),
    status: z.enum(BROADCAST_STATUSES),
    status_reason: z.string().nullable(),
    message: z.record(z.string(), z.unknown()),
    audience: z.record(z.string(), z.unknown()),
    schedule: z.record(z.string(), z.unknown()),
    label_ids: z.array(z.string()),
    total: z.number(),
    progress: Progress.optional(),
    started_at: z.number().nullable(),
    finished_at: z.number().nullable(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi("Broadcast");

const Name = z.string().trim().min(1).max(120);
const CreateBroadcast = z
  .strictObject({
    name: Name,
    device_key: z.string().min(1).max(100),
    message: BroadcastMessageInput,
    audience: Audience,
    schedule: BroadcastSchedule.default({ start_at: null, window_start: "08:00", window_end: "21:00", days: [1, 2, 3, 4, 5, 6, 7] }),
    label_ids: z.array(z.uuid()).max(20).default([]),
  })
  .openapi("CreateBroadcast");
const PatchBroadcast = z
  .strictObject({ name: Name.optional(), device_key: z.string().min(1).max(100).optional(), message: BroadcastMessageInput.optional(), audience: Audience.optional(), schedule: BroadcastSchedule.optional(), label_ids: z.array(z.uuid()).max(20).optional() })
  .openapi("UpdateBroadcast");
const PreviewBody = z
  .strictObject({ message: BroadcastMessageById, audience: Audience.optional(), device_key: z.string().min(1).max(100).optional(), n: z.number().int().min(1).max(20).default(5) })
  .openapi("BroadcastPreviewRequest");
const PreviewSchema = z
  .object({ variants: z.number(), warning: z.string().nullable(), items: z.array(z.object({ contact_id: z.string().nullable(), name: z.string().nullable(), text: z.string() })) })
  .openapi("BroadcastPreview");
const CountSchema = z.object({ total: z.number(), sendable: z.number(), skipped_reasons: z.record(z.string(), z.number()) }).openapi("AudienceCount");
const IdParam = z.object({ id: z.uuid() });
const ListFilter = ListQuery.extend({ status: z.enum(BROADCAST_STATUSES).optional(), label_id: z.uuid().optional() });
const RecipientQuery = z.object({ status: z.enum(RECIPIENT_STATUSES).optional(), after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(100) });
const RecipientSchema = z
  .object({ seq: z.number(), contact_id: z.string(), phone: z.string().nullable(), name: z.string().nullable(), status: z.enum(RECIPIENT_STATUSES), skip_reason: z.string().nullable(), text: z.string().nullable(), error: z.string().nullable(), message_id: z.string().nullable() })
  .openapi("BroadcastRecipient");

function json(b: Broadcast, progress?: z.infer<typeof Progress>): z.infer<typeof BroadcastSchema> {
  return {
    id: b.id,
    name: b.name,
    device_key: b.deviceKey,
    status: b.status,
    status_reason: b.statusReason,
    message: b.message,
    audience: b.audience,
    schedule: b.schedule,
    label_ids: b.labelIds,
    total: b.total,
    ...(progress ? { progress } : {}),
    started_at: b.startedAt,
    finished_at: b.finishedAt,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}

// A Meta template's words are fixed by Meta's approval: identical bodies are expected there.
const warningFor = (message: BroadcastMessage, plan: Plan) =>
  messageType(message) !== "meta_template" && plan.variants < 2 && plan.variables.length === 0
    ? "Every recipient would get the same text: add spintax ({Halo|Hai}), another text, or {name}."
    : null;

export const broadcastsApi = apiRouter();
broadcastsApi.on(["POST", "PATCH", "DELETE"], "*", requireRole("admin"));
broadcastsApi.on(["POST"], "/:id/start", requireActivePackage);
broadcastsApi.on(["POST"], "/:id/resume", requireActivePackage);

const control = (action: "pause" | "resume" | "cancel") =>
  createRoute({ method: "post", path: `/{id}/${action}`, tags: ["broadcasts"], security, request: { params: IdParam }, responses: { 200: jsonContent(BroadcastSchema), ...authErrors, ...notFoundError, ...conflictError } });

broadcastsApi
  .openapi(
    createRoute({ method: "get", path: "/", tags: ["broadcasts"], security, request: { query: ListFilter }, responses: { 200: jsonContent(listOf(BroadcastSchema, "BroadcastList")), ...authErrors } }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listBroadcasts(database(c.env.DB), c.var.auth.business.id, { status: q.status, labelId: q.label_id }, q.limit + 1, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (b) => b.id);
      return c.json({ items: p.items.map((b) => json(b)), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({ method: "post", path: "/", tags: ["broadcasts"], security, request: jsonBody(CreateBroadcast), responses: { 201: jsonContent(BroadcastSchema, "Created"), ...authErrors } }),
    async (c) => {
      const body = c.req.valid("json");
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const message = await ingestMessageMedia(c.env, db, businessId, body.device_key, body.message);
      await validateBroadcast(db, businessId, { deviceKey: body.device_key, message, audience: body.audience });
      const b = await insertBroadcast(db, {
        id: crypto.randomUUID(),
        businessId,
        name: body.name,
        deviceKey: body.device_key,
        message,
        audience: body.audience,
        schedule: body.schedule,
        labelIds: body.label_ids,
        updatedAt: Date.now(),
      });
      return c.json(json(b), 201);
    },
  )
  .openapi(
    createRoute({ method: "post", path: "/preview", tags: ["broadcasts"], security, request: jsonBody(PreviewBody), responses: { 200: jsonContent(PreviewSchema), ...authErrors } }),
    async (c) => {
      const body = c.req.valid("json");
      const businessId = c.var.auth.business.id;
      const db = database(c.env.DB);
      const plan = await checkBroadcastMessage(db, businessId, body.message, body.device_key ?? null);
      const items = await previewTexts(c.env.DB, businessId, plan, body.audience ?? null, body.n);
      return c.json({ variants: plan.variants, warning: warningFor(body.message, plan), items }, 200);
    },
  )
  .openapi(
    createRoute({ method: "post", path: "/audience-count", tags: ["broadcasts"], security, request: jsonBody(Audience), responses: { 200: jsonContent(CountSchema), ...authErrors } }),
    async (c) => c.json(await countAudience(c.env.DB, c.var.auth.business.id, c.req.valid("json")), 200),
  )
  .openapi(
    createRoute({ method: "get", path: "/{id}", tags: ["broadcasts"], security, request: { params: IdParam }, responses: { 200: jsonContent(BroadcastSchema), ...authErrors, ...notFoundError } }),
    async (c) => {
      const b = await getBroadcast(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!b) throw notFound("Broadcast");
      return c.json(json(b, await broadcastProgress(c.env.DB, b.id)), 200);
    },
  )
  .openapi(
    createRoute({ method: "get", path: "/{id}/recipients", tags: ["broadcasts"], security, request: { params: IdParam, query: RecipientQuery }, responses: { 200: jsonContent(z.object({ items: z.array(RecipientSchema), next_after: z.number().nullable() }).openapi("BroadcastRecipientList")), ...authErrors, ...notFoundError } }),
    async (c) => {
      const b = await getBroadcast(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!b) throw notFound("Broadcast");
      const q = c.req.valid("query");
      const items = await listRecipients(c.env.DB, b.id, q.status, q.after, q.limit);
      const last = items[items.length - 1];
      return c.json({ items, next_after: items.length === q.limit && last ? last.seq : null }, 200);
    },
  )
  .openapi(
    createRoute({ method: "get", path: "/{id}/preview", tags: ["broadcasts"], security, request: { params: IdParam, query: z.object({ n: z.coerce.number().int().min(1).max(20).default(5) }) }, responses: { 200: jsonContent(PreviewSchema), ...authErrors, ...notFoundError } }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const b = await getBroadcast(db, businessId, c.req.valid("param").id);
      if (!b) throw notFound("Broadcast");
      const message = BroadcastMessage.parse(b.message);
      const plan = await checkBroadcastMessage(db, businessId, message, b.deviceKey, b.id);
      const items = await previewTexts(c.env.DB, businessId, plan, Audience.parse(b.audience), c.req.valid("query").n);
      return c.json({ variants: plan.variants, warning: warningFor(message, plan), items }, 200);
    },
  )
  .openapi(
    createRoute({ method: "patch", path: "/{id}", tags: ["broadcasts"], security, request: { params: IdParam, ...jsonBody(PatchBroadcast) }, responses: { 200: jsonContent(BroadcastSchema), ...authErrors, ...notFoundError, ...conflictError } }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const id = c.req.valid("param").id;
      const b = await getBroadcast(db, businessId, id);
      if (!b) throw notFound("Broadcast");
      const p = c.req.valid("json");
      // Labels and the name may change any time; what is sent only while it is a draft.
      const content = p.device_key !== undefined || p.message !== undefined || p.audience !== undefined || p.schedule !== undefined;
      if (content && b.status !== "draft") throw new ApiError(409, "BROADCAST_NOT_DRAFT", "Only a draft's message, audience, device or schedule can change");
      const newMessage = p.message ? await ingestMessageMedia(c.env, db, businessId, p.device_key ?? b.deviceKey, p.message) : undefined;
      const message = newMessage ?? BroadcastMessage.parse(b.message);
      const audience = p.audience ?? Audience.parse(b.audience);
      if (content) await validateBroadcast(db, businessId, { deviceKey: p.device_key ?? b.deviceKey, message, audience });
      const updated = await updateBroadcast(
        db,
        businessId,
        id,
        { name: p.name, deviceKey: p.device_key, message: newMessage, audience: p.audience, schedule: p.schedule, labelIds: p.label_ids },
        content ? ["draft"] : undefined,
      );
      if (!updated) throw new ApiError(409, "BROADCAST_NOT_DRAFT", "The broadcast was started meanwhile");
      return c.json(json(updated), 200);
    },
  )
  .openapi(
    createRoute({ method: "delete", path: "/{id}", tags: ["broadcasts"], security, request: { params: IdParam }, responses: { 204: { description: "Deleted" }, ...authErrors, ...notFoundError, ...conflictError } }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const b = await getBroadcast(db, businessId, c.req.valid("param").id);
      if (!b) throw notFound("Broadcast");
      if (!["draft", "completed", "cancelled"].includes(b.status)) throw new ApiError(409, "BROADCAST_ACTIVE", "Cancel the broadcast before deleting it");
      await deleteBroadcast(db, businessId, b.id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({ method: "post", path: "/{id}/start", tags: ["broadcasts"], security, request: { params: IdParam }, responses: { 200: jsonContent(BroadcastSchema), ...authErrors, ...notFoundError, ...conflictError } }),
    async (c) => {
      const db = database(c.env.DB);
      const business = c.var.auth.business;
      const b = await getBroadcast(db, business.id, c.req.valid("param").id);
      if (!b) throw notFound("Broadcast");
      const started = await startBroadcast(c.env, db, business, b, Audience.parse(b.audience));
      return c.json(json(started, await broadcastProgress(c.env.DB, b.id)), 200);
    },
  )
  .openapi(control("pause"), async (c) => c.json(json(await controlBroadcast(c.env, database(c.env.DB), c.var.auth.business, c.req.valid("param").id, "pause")), 200))
  .openapi(control("resume"), async (c) => c.json(json(await controlBroadcast(c.env, database(c.env.DB), c.var.auth.business, c.req.valid("param").id, "resume")), 200))
  .openapi(control("cancel"), async (c) => c.json(json(await controlBroadcast(c.env, database(c.env.DB), c.var.auth.business, c.req.valid("param").id, "cancel")), 200));

