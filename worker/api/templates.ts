// Message templates (`{name}` variables), used by the seed's `method: "template"` and the REST API.
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { database } from "../db/client";
import { deleteTemplate, getTemplate, insertTemplate, listTemplates, type Template, updateTemplate } from "../db/templates";
import { ApiError, notFound } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import { templateVariables } from "../messaging/template-render";
import { apiRouter, authErrors, conflictError, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";

const TemplateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    body: z.string(),
    variables: z.array(z.string()).openapi({ description: "The `{name}` placeholders found in the body" }),
    created_at: z.number(),
    updated_at: z.number().nullable(),
  })
  .openapi("Template");

const Name = z.string().trim().min(1).max(100);
const Body = z.string().min(1).max(4096);
const CreateTemplate = z.strictObject({ name: Name, body: Body }).openapi("CreateTemplate");
const PatchTemplate = z.strictObject({ name: Name.optional(), body: Body.optional() }).openapi("UpdateTemplate");
const IdParam = z.object({ id: z.uuid() });

function templateJson(t: Template): z.infer<typeof TemplateSchema> {
  return { id: t.id, name: t.name, body: t.body, variables: templateVariables(t.body), created_at: t.createdAt, updated_at: t.updatedAt };
}

const nameTaken = () => new ApiError(409, "TEMPLATE_NAME_TAKEN", "A template with this name already exists");

export const templatesApi = apiRouter();
templatesApi.on(["POST", "PATCH", "DELETE"], "*", requireRole("admin"));

templatesApi
  .openapi(
    createRoute({ method: "get", path: "/", tags: ["templates"], security, request: { query: ListQuery }, responses: { 200: jsonContent(listOf(TemplateSchema, "TemplateList")), ...authErrors } }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listTemplates(database(c.env.DB), c.var.auth.business.id, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (t) => t.id);
      return c.json({ items: p.items.map(templateJson), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["templates"],
      security,
      request: jsonBody(CreateTemplate),
      responses: { 201: jsonContent(TemplateSchema, "Created"), ...authErrors, ...conflictError },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const t = await insertTemplate(database(c.env.DB), c.var.auth.business.id, body.name, body.body);
      if (!t) throw nameTaken();
      return c.json(templateJson(t), 201);
    },
  )
  .openapi(
    createRoute({ method: "get", path: "/{id}", tags: ["templates"], security, request: { params: IdParam }, responses: { 200: jsonContent(TemplateSchema), ...authErrors, ...notFoundError } }),
    async (c) => {
      const t = await getTemplate(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!t) throw notFound("Template");
      return c.json(templateJson(t), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["templates"],
      security,
      request: { params: IdParam, ...jsonBody(PatchTemplate) },
      responses: { 200: jsonContent(TemplateSchema), ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      let t: Template | undefined;
      try {
        t = await updateTemplate(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id, c.req.valid("json"));
      } catch (e) {
        if (String(e).includes("UNIQUE")) throw nameTaken();
        throw e;
      }
      if (!t) throw notFound("Template");
      return c.json(templateJson(t), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["templates"],
      security,
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ deleted: z.literal(true) })), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      if (!(await deleteTemplate(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id))) throw notFound("Template");
      return c.json({ deleted: true as const }, 200);
    },
  );
