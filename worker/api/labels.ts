// Labels (contacts and conversations now; broadcasts and campaigns when they land). Staff may manage them.
import { createRoute, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { createLabel, deleteLabel, listLabels, updateLabel } from "../db/labels";
import { ApiError, notFound } from "../http/errors";
import { apiRouter, authErrors, conflictError, jsonBody, jsonContent, listOf, notFoundError, security } from "./openapi";

const LabelSchema = z
  .object({ id: z.string(), name: z.string(), color: z.string(), contact_count: z.number(), created_at: z.number() })
  .openapi("Label");
const Name = z.string().trim().min(1).max(50);
const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, "colour must be #rrggbb");
const IdParam = z.object({ id: z.uuid() });
const taken = () => new ApiError(409, "LABEL_NAME_TAKEN", "A label with this name already exists");

export const labelsApi = apiRouter();

labelsApi
  .openapi(
    createRoute({ method: "get", path: "/", tags: ["labels"], security, responses: { 200: jsonContent(listOf(LabelSchema, "LabelList")), ...authErrors } }),
    async (c) => {
      const rows = await listLabels(database(c.env.DB), c.var.auth.business.id);
      const items = rows.map((l) => ({ id: l.id, name: l.name, color: l.color, contact_count: l.contactCount, created_at: l.createdAt }));
      return c.json({ items, next_cursor: null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["labels"],
      security,
      request: jsonBody(z.strictObject({ name: Name, color: Color.optional() }).openapi("CreateLabel")),
      responses: { 201: jsonContent(LabelSchema, "Created"), ...authErrors, ...conflictError },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const l = await createLabel(database(c.env.DB), c.var.auth.business.id, b.name, b.color);
      if (!l) throw taken();
      return c.json({ id: l.id, name: l.name, color: l.color, contact_count: 0, created_at: l.createdAt }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["labels"],
      security,
      request: { params: IdParam, ...jsonBody(z.strictObject({ name: Name.optional(), color: Color.optional() }).openapi("UpdateLabel")) },
      responses: { 200: jsonContent(LabelSchema), ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const l = await updateLabel(db, businessId, c.req.valid("param").id, c.req.valid("json"));
      if (l === null) throw taken();
      if (!l) throw notFound("Label");
      const count = (await listLabels(db, businessId)).find((x) => x.id === l.id)?.contactCount ?? 0;
      return c.json({ id: l.id, name: l.name, color: l.color, contact_count: count, created_at: l.createdAt }, 200);
    },
  )
  .openapi(
    createRoute({ method: "delete", path: "/{id}", tags: ["labels"], security, request: { params: IdParam }, responses: { 204: { description: "Deleted" }, ...authErrors, ...notFoundError } }),
    async (c) => {
      if (!(await deleteLabel(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id))) throw notFound("Label");
      return c.body(null, 204);
    },
  );
