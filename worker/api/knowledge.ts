// Knowledge the AI agent answers from: FAQ entries, free text and products (price in rupiah, link).
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { database } from "../db/client";
import { deleteKnowledge, insertKnowledge, type KnowledgeEntry, listKnowledge, updateKnowledge } from "../db/knowledge";
import { KNOWLEDGE_KINDS } from "../db/schema";
import { notFound } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import { apiRouter, authErrors, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";

const EntrySchema = z
  .object({
    id: z.string(),
    kind: z.enum(KNOWLEDGE_KINDS),
    title: z.string(),
    body: z.string(),
    price: z.number().nullable().openapi({ description: "Rupiah (products)" }),
    link: z.string().nullable(),
    created_at: z.number(),
    updated_at: z.number().nullable(),
  })
  .openapi("KnowledgeEntry");
const Fields = {
  kind: z.enum(KNOWLEDGE_KINDS),
  title: z.string().trim().min(1).max(200),
  body: z.string().max(8000),
  price: z.number().int().min(0).max(1e12).nullable(),
  link: z.string().trim().url().max(500).nullable(),
};
const Create = z.strictObject({ ...Fields, body: Fields.body.default(""), price: Fields.price.default(null), link: Fields.link.default(null) }).openapi("CreateKnowledgeEntry");
const Patch = z.strictObject(Fields).partial().openapi("UpdateKnowledgeEntry");
const IdParam = z.object({ id: z.uuid() });

const toJson = (e: KnowledgeEntry): z.infer<typeof EntrySchema> => ({ id: e.id, kind: e.kind, title: e.title, body: e.body, price: e.price, link: e.link, created_at: e.createdAt, updated_at: e.updatedAt });

export const knowledgeApi = apiRouter();
knowledgeApi.on(["POST", "PATCH", "DELETE"], "*", requireRole("admin"));

knowledgeApi
  .openapi(
    createRoute({ method: "get", path: "/", tags: ["ai"], security, request: { query: ListQuery }, responses: { 200: jsonContent(listOf(EntrySchema, "KnowledgeList")), ...authErrors } }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listKnowledge(database(c.env.DB), c.var.auth.business.id, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (e) => e.id);
      return c.json({ items: p.items.map(toJson), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({ method: "post", path: "/", tags: ["ai"], security, request: jsonBody(Create), responses: { 201: jsonContent(EntrySchema, "Created"), ...authErrors } }),
    async (c) => c.json(toJson(await insertKnowledge(database(c.env.DB), c.var.auth.business.id, c.req.valid("json"))), 201),
  )
  .openapi(
    createRoute({ method: "patch", path: "/{id}", tags: ["ai"], security, request: { params: IdParam, ...jsonBody(Patch) }, responses: { 200: jsonContent(EntrySchema), ...authErrors, ...notFoundError } }),
    async (c) => {
      const e = await updateKnowledge(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id, c.req.valid("json"));
      if (!e) throw notFound("Knowledge entry");
      return c.json(toJson(e), 200);
    },
  )
  .openapi(
    createRoute({ method: "delete", path: "/{id}", tags: ["ai"], security, request: { params: IdParam }, responses: { 200: jsonContent(z.object({ deleted: z.literal(true) })), ...authErrors, ...notFoundError } }),
    async (c) => {
      if (!(await deleteKnowledge(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id))) throw notFound("Knowledge entry");
      return c.json({ deleted: true as const }, 200);
    },
  );
