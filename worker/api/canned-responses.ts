// /api/v1/canned-responses: the inbox's saved replies (`/shortcut` in the reply box). Every member may use and
// manage them (like labels). Texts may hold {{variables}} (worker/livechat/canned.ts).
import { createRoute, z } from "@hono/zod-openapi";
import { type CannedResponse, createCanned, deleteCanned, listCanned, updateCanned } from "../db/canned-responses";
import { database } from "../db/client";
import { ApiError, notFound } from "../http/errors";
import { apiRouter, authErrors, conflictError, jsonBody, jsonContent, listOf, notFoundError, security } from "./openapi";

const CannedSchema = z.object({ id: z.string(), shortcut: z.string(), text: z.string(), created_at: z.number(), updated_at: z.number() }).openapi("CannedResponse");
const Shortcut = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_-]{1,30}$/, "shortcut: 1–30 of a-z, 0-9, - and _");
const Text = z.string().trim().min(1).max(4000);
const IdParam = z.object({ id: z.uuid() });
const taken = () => new ApiError(409, "SHORTCUT_TAKEN", "A canned response with this shortcut already exists");
const json = (r: CannedResponse) => ({ id: r.id, shortcut: r.shortcut, text: r.text, created_at: r.createdAt, updated_at: r.updatedAt });

export const cannedResponsesApi = apiRouter();

cannedResponsesApi
  .openapi(createRoute({ method: "get", path: "/", tags: ["inbox"], security, responses: { 200: jsonContent(listOf(CannedSchema, "CannedResponseList")), ...authErrors } }), async (c) => {
    const rows = await listCanned(database(c.env.DB), c.var.auth.business.id);
    return c.json({ items: rows.map(json), next_cursor: null }, 200);
  })
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["inbox"],
      security,
      request: jsonBody(z.strictObject({ shortcut: Shortcut, text: Text }).openapi("CreateCannedResponse")),
      responses: { 201: jsonContent(CannedSchema, "Created"), ...authErrors, ...conflictError },
    }),
    async (c) => {
      const r = await createCanned(database(c.env.DB), c.var.auth.business.id, c.req.valid("json"));
      if (!r) throw taken();
      return c.json(json(r), 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["inbox"],
      security,
      request: { params: IdParam, ...jsonBody(z.strictObject({ shortcut: Shortcut.optional(), text: Text.optional() }).openapi("UpdateCannedResponse")) },
      responses: { 200: jsonContent(CannedSchema), ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      const r = await updateCanned(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id, c.req.valid("json"));
      if (r === null) throw taken();
      if (!r) throw notFound("Canned response");
      return c.json(json(r), 200);
    },
  )
  .openapi(
    createRoute({ method: "delete", path: "/{id}", tags: ["inbox"], security, request: { params: IdParam }, responses: { 204: { description: "Deleted" }, ...authErrors, ...notFoundError } }),
    async (c) => {
      if (!(await deleteCanned(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id))) throw notFound("Canned response");
      return c.body(null, 204);
    },
  );
