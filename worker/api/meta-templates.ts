// Meta message templates of a cloud_api device: POST /devices/{device_key}/templates/sync reads them from the
// Graph API (the configured base only) and replaces the device's stored set; GET lists them with whether a
// broadcast can use each (APPROVED, and only text placeholders, which contact fields can fill).
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { selectability } from "../broadcasts/meta-template";
import { database } from "../db/client";
import { getDevice } from "../db/devices";
import { listMetaTemplates, type MetaTemplate, replaceMetaTemplates } from "../db/meta-templates";
import { ApiError, notFound } from "../http/errors";
import { readCloudApiConfig } from "../messaging/providers/cloud-api";
import { fetchMetaTemplates } from "../messaging/providers/cloud-api-templates";
import { apiRouter, authErrors, conflictError, ErrorSchema, jsonContent, notFoundError, security } from "./openapi";

const KeyParam = z.object({ device_key: z.uuid() });
const MetaTemplateSchema = z
  .object({
    name: z.string(),
    language: z.string(),
    status: z.string().openapi({ description: "Meta's status: APPROVED, PENDING, REJECTED, PAUSED, DISABLED…" }),
    category: z.string().nullable(),
    meta_id: z.string().nullable(),
    components: z.array(z.unknown()),
    body_variables: z.array(z.string()).openapi({ description: "Body placeholders in send order ({{1}} → \"1\")" }),
    header_variables: z.array(z.string()),
    selectable: z.boolean().openapi({ description: "APPROVED and fillable from contact fields: a broadcast may use it" }),
    not_selectable_reason: z.string().nullable(),
    synced_at: z.number(),
  })
  .openapi("MetaTemplate");
const ListSchema = z.object({ items: z.array(MetaTemplateSchema) }).openapi("MetaTemplateList");
const SyncSchema = z.object({ synced: z.number(), approved: z.number(), items: z.array(MetaTemplateSchema) }).openapi("MetaTemplateSync");

function json(t: MetaTemplate): z.infer<typeof MetaTemplateSchema> {
  const sel = selectability(t.status, t.components);
  return {
    name: t.name,
    language: t.language,
    status: t.status,
    category: t.category,
    meta_id: t.metaId,
    components: t.components,
    body_variables: sel.body,
    header_variables: sel.header,
    selectable: sel.selectable,
    not_selectable_reason: sel.reason,
    synced_at: t.syncedAt,
  };
}

export const metaTemplatesApi = apiRouter();
metaTemplatesApi.on(["POST"], "/:device_key/templates/sync", requireRole("admin"));

metaTemplatesApi
  .openapi(
    createRoute({
      method: "post",
      path: "/{device_key}/templates/sync",
      tags: ["devices"],
      summary: "Read the device's WhatsApp Business Account message templates from Meta and store them",
      security,
      request: { params: KeyParam },
      responses: { 200: jsonContent(SyncSchema), ...authErrors, ...notFoundError, ...conflictError, 422: jsonContent(ErrorSchema, "Meta refused the request (token, account id)"), 502: jsonContent(ErrorSchema, "Meta unreachable") },
    }),
    async (c) => {
      const businessId = c.var.auth.business.id;
      const db = database(c.env.DB);
      const d = await getDevice(db, businessId, c.req.valid("param").device_key);
      if (!d) throw notFound("Device");
      if (d.provider !== "cloud_api") throw new ApiError(400, "NOT_A_CLOUD_API_DEVICE", "Only cloud_api devices have Meta message templates");
      const cfg = await readCloudApiConfig(c.env, d.providerConfigEnc);
      if (!cfg) throw new ApiError(409, "CLOUD_API_NOT_CONFIGURED", "Set the device's Cloud API credentials first");
      if (!cfg.waba_id) throw new ApiError(400, "WABA_ID_REQUIRED", "Add waba_id (the WhatsApp Business Account id) to the device's Cloud API credentials");
      const r = await fetchMetaTemplates(c.env, cfg, cfg.waba_id);
      if (!r.ok) throw new ApiError(r.rejected ? 422 : 502, r.rejected ? "GRAPH_API_REJECTED" : "GRAPH_API_UNAVAILABLE", r.reason);
      await replaceMetaTemplates(c.env.DB, businessId, d.deviceKey, r.templates, Date.now());
      const items = (await listMetaTemplates(db, businessId, d.deviceKey)).map(json);
      return c.json({ synced: items.length, approved: items.filter((t) => t.status === "APPROVED").length, items }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{device_key}/templates",
      tags: ["devices"],
      summary: "The device's synced Meta message templates",
      security,
      request: { params: KeyParam, query: z.object({ status: z.string().regex(/^[A-Z_]{2,40}$/).optional() }) },
      responses: { 200: jsonContent(ListSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const businessId = c.var.auth.business.id;
      const db = database(c.env.DB);
      const d = await getDevice(db, businessId, c.req.valid("param").device_key);
      if (!d) throw notFound("Device");
      return c.json({ items: (await listMetaTemplates(db, businessId, d.deviceKey, c.req.valid("query").status)).map(json) }, 200);
    },
  );
