// Custom contact field definitions (typed: text, number, date, choice). Admins define them; values are set
// on contacts (PATCH /contacts/{id} custom_fields) and by imports.
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { database } from "../db/client";
import { type ContactField, createField, deleteField, listFields, updateField } from "../db/contact-fields";
import { CONTACT_FIELD_TYPES } from "../db/schema";
import { ApiError, notFound } from "../http/errors";
import { apiRouter, authErrors, conflictError, jsonBody, jsonContent, listOf, notFoundError, security } from "./openapi";

const FieldSchema = z
  .object({ id: z.string(), key: z.string(), label: z.string(), type: z.enum(CONTACT_FIELD_TYPES), options: z.array(z.string()), created_at: z.number() })
  .openapi("ContactField");
const Options = z.array(z.string().trim().min(1).max(100)).max(100);
const Create = z
  .strictObject({
    key: z.string().regex(/^[a-z0-9_]{1,40}$/, "key: lower-case letters, digits and _ (max 40)"),
    label: z.string().trim().min(1).max(100),
    type: z.enum(CONTACT_FIELD_TYPES),
    options: Options.default([]),
  })
  .refine((f) => f.type !== "choice" || f.options.length > 0, { message: "a choice field needs options" })
  .openapi("CreateContactField");
const IdParam = z.object({ id: z.uuid() });
const json = (f: ContactField) => ({ id: f.id, key: f.key, label: f.label, type: f.type, options: f.options, created_at: f.createdAt });

export const contactFieldsApi = apiRouter();
contactFieldsApi.on(["POST", "PATCH", "DELETE"], "*", requireRole("admin"));

contactFieldsApi
  .openapi(
    createRoute({ method: "get", path: "/", tags: ["contacts"], security, responses: { 200: jsonContent(listOf(FieldSchema, "ContactFieldList")), ...authErrors } }),
    async (c) => c.json({ items: (await listFields(database(c.env.DB), c.var.auth.business.id)).map(json), next_cursor: null }, 200),
  )
  .openapi(
    createRoute({ method: "post", path: "/", tags: ["contacts"], security, request: jsonBody(Create), responses: { 201: jsonContent(FieldSchema, "Created"), ...authErrors, ...conflictError } }),
    async (c) => {
      const f = await createField(database(c.env.DB), c.var.auth.business.id, c.req.valid("json"));
      if (!f) throw new ApiError(409, "FIELD_KEY_TAKEN", "A custom field with this key already exists");
      return c.json(json(f), 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["contacts"],
      security,
      request: { params: IdParam, ...jsonBody(z.strictObject({ label: z.string().trim().min(1).max(100).optional(), options: Options.optional() }).openapi("UpdateContactField")) },
      responses: { 200: jsonContent(FieldSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const f = await updateField(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id, c.req.valid("json"));
      if (!f) throw notFound("Custom field");
      return c.json(json(f), 200);
    },
  )
  .openapi(
    createRoute({ method: "delete", path: "/{id}", tags: ["contacts"], security, request: { params: IdParam }, responses: { 204: { description: "Deleted" }, ...authErrors, ...notFoundError } }),
    async (c) => {
      if (!(await deleteField(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id))) throw notFound("Custom field");
      return c.body(null, 204);
    },
  );
