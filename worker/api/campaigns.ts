// Upselling campaigns: follow-up sequences started by a webhook rule match, a label put on a contact, or by hand.
// CRUD, activate/deactivate, enrollments (list, manual enrolment) and the funnel. Writes need the admin role
// (a campaign speaks to customers in the business's name), like broadcasts.
import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import { requireActivePackage, requireRole } from "../auth/middleware";
import { validateCampaign, wakeCampaigns, enrolManually } from "../campaigns/service";
import { CampaignSteps, CampaignTriggerInput, CampaignWindow, DEFAULT_WINDOW, triggerColumns, triggerOf } from "../campaigns/steps";
import { type Campaign, deleteCampaign, getCampaign, insertCampaign, listCampaigns, updateCampaign } from "../db/campaigns";
import { campaignFunnel, type Funnel, listEnrollments } from "../db/campaign-enrollments";
import { database } from "../db/client";
import { CAMPAIGN_STATUSES, ENROLLMENT_STATUSES } from "../db/schema";
import { ApiError, notFound } from "../http/errors";
import { decodeCursor, encodeCursor, page } from "../lib/cursor";
import { apiRouter, authErrors, conflictError, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";

const FunnelSchema = z
  .object({
    enrolled: z.number(),
    active: z.number(),
    completed: z.number(),
    replied: z.number(),
    left: z.number(),
    exit_reasons: z.record(z.string(), z.number()),
    /** Enrollments that reached each step (index = step). */
    steps: z.array(z.number()),
  })
  .openapi("CampaignFunnel");

const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    device_key: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    trigger: z.record(z.string(), z.unknown()),
    steps: z.array(z.record(z.string(), z.unknown())),
    window: z.record(z.string(), z.unknown()),
    exit_on_reply: z.boolean(),
    label_ids: z.array(z.string()),
    funnel: FunnelSchema.optional(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi("Campaign");

const Name = z.string().trim().min(1).max(120);
const DeviceKey = z.string().min(1).max(100);
const Labels = z.array(z.uuid()).max(20);
const CreateCampaign = z
  .strictObject({
    name: Name,
    device_key: DeviceKey,
    trigger: CampaignTriggerInput,
    steps: CampaignSteps,
    window: CampaignWindow.default(DEFAULT_WINDOW),
    exit_on_reply: z.boolean().default(true),
    label_ids: Labels.default([]),
  })
  .openapi("CreateCampaign");
const PatchCampaign = z
  .strictObject({
    name: Name.optional(),
    device_key: DeviceKey.optional(),
    trigger: CampaignTriggerInput.optional(),
    steps: CampaignSteps.optional(),
    window: CampaignWindow.optional(),
    exit_on_reply: z.boolean().optional(),
    label_ids: Labels.optional(),
  })
  .openapi("UpdateCampaign");
const IdParam = z.object({ id: z.uuid() });
const ListFilter = ListQuery.extend({ status: z.enum(CAMPAIGN_STATUSES).optional(), label_id: z.uuid().optional() });
const EnrollmentQuery = ListQuery.extend({ status: z.enum(ENROLLMENT_STATUSES).optional() });
const EnrollmentSchema = z
  .object({
    id: z.string(),
    contact_id: z.string(),
    name: z.string().nullable(),
    phone: z.string().nullable(),
    trigger_event: z.string(),
    status: z.enum(ENROLLMENT_STATUSES),
    exit_reason: z.string().nullable(),
    step: z.number(),
    next_at: z.number(),
    replied_at: z.number().nullable(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi("CampaignEnrollment");
const EnrolBody = z
  .strictObject({
    contact_ids: z.array(z.uuid()).min(1).max(1000),
    /** The trigger event's id: the same event never enrols a contact twice (default: a new event per request). */
    event_id: z.string().trim().min(1).max(100).regex(/^[\w.:-]+$/).optional(),
  })
  .openapi("EnrolContacts");

function json(k: Campaign, funnel?: Funnel): z.infer<typeof CampaignSchema> {
  return {
    id: k.id,
    name: k.name,
    device_key: k.deviceKey,
    status: k.status,
    trigger: triggerOf(k),
    steps: k.steps as Record<string, unknown>[],
    window: k.window,
    exit_on_reply: k.exitOnReply,
    label_ids: k.labelIds,
    ...(funnel ? { funnel } : {}),
    created_at: k.createdAt,
    updated_at: k.updatedAt,
  };
}

export const campaignsApi = apiRouter();
campaignsApi.on(["POST", "PATCH", "DELETE"], "*", requireRole("admin"));
campaignsApi.on(["POST"], "/:id/activate", requireActivePackage);

const route = <M extends RouteConfig["method"], P extends string, Q extends NonNullable<RouteConfig["request"]>, O extends RouteConfig["responses"]>(method: M, path: P, request: Q, ok: O) =>
  createRoute({ method, path, tags: ["campaigns"], security, request, responses: { ...ok, ...authErrors, ...notFoundError, ...conflictError } });

async function own(c: { env: Env; var: { auth: { business: { id: string } } } }, id: string): Promise<Campaign> {
  const k = await getCampaign(database(c.env.DB), c.var.auth.business.id, id);
  if (!k) throw notFound("Campaign");
  return k;
}

const setStatus = (status: "active" | "inactive") =>
  campaignsApi.openapi(route("post", `/{id}/${status === "active" ? "activate" : "deactivate"}`, { params: IdParam }, { 200: jsonContent(CampaignSchema) }), async (c) => {
    const k = await own(c, c.req.valid("param").id);
    const updated = await updateCampaign(database(c.env.DB), k.businessId, k.id, { status });
    if (!updated) throw notFound("Campaign");
    // Enrollments that fell due while it was inactive run now (sends still wait for the window and the pacer).
    if (status === "active") await wakeCampaigns(c.env, k.businessId);
    return c.json(json(updated), 200);
  });

campaignsApi
  .openapi(route("get", "/", { query: ListFilter }, { 200: jsonContent(listOf(CampaignSchema, "CampaignList")) }), async (c) => {
    const q = c.req.valid("query");
    const rows = await listCampaigns(database(c.env.DB), c.var.auth.business.id, { status: q.status, labelId: q.label_id }, q.limit + 1, decodeCursor(q.cursor));
    const p = page(rows, q.limit, (k) => k.id);
    return c.json({ items: p.items.map((k) => json(k)), next_cursor: p.next_cursor }, 200);
  })
  .openapi(route("post", "/", jsonBody(CreateCampaign), { 201: jsonContent(CampaignSchema, "Created") }), async (c) => {
    const body = c.req.valid("json");
    const db = database(c.env.DB);
    const businessId = c.var.auth.business.id;
    const steps = await validateCampaign(db, businessId, { deviceKey: body.device_key, trigger: body.trigger, steps: body.steps });
    const k = await insertCampaign(db, {
      id: crypto.randomUUID(),
      businessId,
      name: body.name,
      deviceKey: body.device_key,
      ...triggerColumns(body.trigger),
      steps,
      window: body.window,
      exitOnReply: body.exit_on_reply,
      labelIds: body.label_ids,
      updatedAt: Date.now(),
    });
    return c.json(json(k), 201);
  })
  .openapi(route("get", "/{id}", { params: IdParam }, { 200: jsonContent(CampaignSchema) }), async (c) => {
    const k = await own(c, c.req.valid("param").id);
    return c.json(json(k, await campaignFunnel(c.env.DB, k.id, CampaignSteps.parse(k.steps).length)), 200);
  })
  .openapi(route("patch", "/{id}", { params: IdParam, ...jsonBody(PatchCampaign) }, { 200: jsonContent(CampaignSchema) }), async (c) => {
    const k = await own(c, c.req.valid("param").id);
    const p = c.req.valid("json");
    // The name, labels, window and exit rule may change any time; what runs (steps, trigger, device) only while
    // inactive, so a running contact never finds its step index pointing at another step mid-way.
    const content = p.steps !== undefined || p.trigger !== undefined || p.device_key !== undefined;
    if (content && k.status === "active") throw new ApiError(409, "CAMPAIGN_ACTIVE", "Deactivate the campaign before changing its steps, trigger or device");
    const db = database(c.env.DB);
    const steps = content ? await validateCampaign(db, k.businessId, { deviceKey: p.device_key ?? k.deviceKey, trigger: p.trigger ?? triggerOf(k), steps: p.steps ?? CampaignSteps.parse(k.steps) }) : undefined;
    const updated = await updateCampaign(
      db,
      k.businessId,
      k.id,
      { name: p.name, deviceKey: p.device_key, ...(p.trigger ? triggerColumns(p.trigger) : {}), steps, window: p.window, exitOnReply: p.exit_on_reply, labelIds: p.label_ids },
      content ? "inactive" : undefined,
    );
    if (!updated) throw new ApiError(409, "CAMPAIGN_ACTIVE", "The campaign was activated meanwhile");
    return c.json(json(updated), 200);
  })
  .openapi(route("delete", "/{id}", { params: IdParam }, { 204: { description: "Deleted" } }), async (c) => {
    const k = await own(c, c.req.valid("param").id);
    await deleteCampaign(database(c.env.DB), k.businessId, k.id);
    return c.body(null, 204);
  })
  .openapi(route("get", "/{id}/enrollments", { params: IdParam, query: EnrollmentQuery }, { 200: jsonContent(listOf(EnrollmentSchema, "CampaignEnrollmentList")) }), async (c) => {
    const k = await own(c, c.req.valid("param").id);
    const q = c.req.valid("query");
    const rows = await listEnrollments(c.env.DB, k.id, q.status, q.limit + 1, decodeCursor(q.cursor));
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return c.json({ items, next_cursor: rows.length > q.limit && last ? encodeCursor({ t: last.created_at, id: last.id }) : null }, 200);
  })
  .openapi(
    route("post", "/{id}/enrollments", { params: IdParam, ...jsonBody(EnrolBody) }, { 200: jsonContent(z.object({ enrolled: z.number(), skipped: z.number() }).openapi("EnrolResult")) }),
    async (c) => {
      const k = await own(c, c.req.valid("param").id);
      const body = c.req.valid("json");
      const ids = [...new Set(body.contact_ids)];
      const event = `manual:${body.event_id ?? crypto.randomUUID()}`;
      const enrolled = await enrolManually(c.env, database(c.env.DB), { businessId: k.businessId, contactIds: ids, event, now: Date.now() }, k.id);
      return c.json({ enrolled, skipped: ids.length - enrolled }, 200);
    },
  );
setStatus("active");
setStatus("inactive");
