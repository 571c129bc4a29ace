// API keys: shown once on creation, stored as SHA-256 (they are 256-bit random, so a fast hash is enough).
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { deleteApiKey, insertApiKey, listApiKeys, publicApiKey } from "../db/api-keys";
import { database } from "../db/client";
import { notFound } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import { randomToken, sha256Hex } from "../lib/crypto";
import { apiRouter, authErrors, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";

const ApiKeySchema = z
  .object({ id: z.string(), name: z.string(), prefix: z.string(), created_at: z.number(), last_used_at: z.number().nullable() })
  .openapi("ApiKey");

export const apiKeysApi = apiRouter();
apiKeysApi.use(requireRole("super_admin"));

apiKeysApi
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["api-keys"],
      summary: "Create an API key; the key is in this response only",
      security,
      request: jsonBody(z.strictObject({ name: z.string().trim().min(1).max(80).default("API key") })),
      responses: { 201: jsonContent(z.object({ id: z.string(), api_key: z.string(), name: z.string(), prefix: z.string() })), ...authErrors },
    }),
    async (c) => {
      const { name } = c.req.valid("json");
      const key = `pk_${randomToken(32)}`;
      const row = await insertApiKey(database(c.env.DB), {
        id: crypto.randomUUID(),
        businessId: c.var.auth.business.id,
        name,
        prefix: key.slice(0, 10),
        keyHash: await sha256Hex(key),
        createdBy: c.var.auth.user?.id ?? null,
      });
      return c.json({ id: row.id, api_key: key, name: row.name, prefix: row.prefix }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["api-keys"],
      security,
      request: { query: ListQuery },
      responses: { 200: jsonContent(listOf(ApiKeySchema, "ApiKeyList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listApiKeys(database(c.env.DB), c.var.auth.business.id, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (k) => k.id);
      return c.json({ items: p.items.map(publicApiKey), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["api-keys"],
      summary: "Revoke an API key",
      security,
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: jsonContent(z.object({ deleted: z.literal(true) })), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const ok = await deleteApiKey(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!ok) throw notFound("API key");
      return c.json({ deleted: true as const }, 200);
    },
  );
