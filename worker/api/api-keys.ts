// API keys: shown once on creation, stored as SHA-256 (they are 256-bit random, so a fast hash is enough).
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { deleteApiKey, insertApiKey, listApiKeys, publicApiKey } from "../db/api-keys";
import { database } from "../db/client";
import { API_KEY_SCOPES } from "../db/schema";
import { ApiError, notFound } from "../http/errors";
import { closeSockets, socketTag } from "../inbox/socket-access";
import { decodeCursor, page } from "../lib/cursor";
import { randomToken, sha256Hex } from "../lib/crypto";
import { apiRouter, authErrors, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";

const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scope: z.enum(API_KEY_SCOPES),
    expires_at: z.number().nullable(),
    created_at: z.number(),
    last_used_at: z.number().nullable(),
  })
  .openapi("ApiKey");

const CreateApiKey = z
  .strictObject({
    name: z.string().trim().min(1).max(80).default("API key"),
    scope: z.enum(API_KEY_SCOPES).default("full").openapi({ description: "`read_only` keys may only call GET routes" }),
    expires_at: z.number().int().positive().nullable().default(null).openapi({ description: "Epoch ms after which the key stops working; null never expires" }),
  })
  .openapi("CreateApiKey");

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
      request: jsonBody(CreateApiKey),
      responses: {
        201: jsonContent(z.object({ id: z.string(), api_key: z.string(), name: z.string(), prefix: z.string(), scope: z.enum(API_KEY_SCOPES), expires_at: z.number().nullable() })),
        ...authErrors,
      },
    }),
    async (c) => {
      const { name, scope, expires_at } = c.req.valid("json");
      if (expires_at !== null && expires_at <= Date.now()) throw new ApiError(400, "INVALID_EXPIRY", "expires_at must be in the future");
      const key = `pk_${randomToken(32)}`;
      const row = await insertApiKey(database(c.env.DB), {
        id: crypto.randomUUID(),
        businessId: c.var.auth.business.id,
        name,
        prefix: key.slice(0, 10),
        keyHash: await sha256Hex(key),
        createdBy: c.var.auth.user?.id ?? null,
        scope,
        expiresAt: expires_at,
      });
      return c.json({ id: row.id, api_key: key, name: row.name, prefix: row.prefix, scope: row.scope, expires_at: row.expiresAt }, 201);
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
      const { id } = c.req.valid("param");
      const ok = await deleteApiKey(database(c.env.DB), c.var.auth.business.id, id);
      if (!ok) throw notFound("API key");
      await closeSockets(c.env, c.var.auth.business.id, socketTag.apiKey(id), "API key revoked");
      return c.json({ deleted: true as const }, 200);
    },
  );
