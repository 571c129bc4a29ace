// Webhook logs: every request to /webhook/:business_id, newest first, filterable. Admins only.
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { database } from "../db/client";
import { WEBHOOK_LOG_STATUSES, WEBHOOK_SIGNATURES, WEBHOOK_SOURCES } from "../db/schema";
import { getLog, listLogs, type WebhookLog } from "../db/webhook-logs";
import { notFound } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import { zonedDayBoundary } from "../lib/zoned-dates";
import { apiRouter, authErrors, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";

const LogSchema = z
  .object({
    id: z.string(),
    created_at: z.number(),
    source: z.enum(WEBHOOK_SOURCES),
    status: z.enum(WEBHOOK_LOG_STATUSES),
    signature: z.enum(WEBHOOK_SIGNATURES).openapi({ description: "How the event was authenticated: signed, token (secret token URL), unsigned_allowed, or refused" }),
    event_key: z.string().nullable(),
    rules: z.array(z.string()).openapi({ description: "Names of the rules that matched" }),
    message: z.string(),
    payload: z.string().openapi({ description: "The raw body, cut to 16 KB" }),
    payload_truncated: z.boolean(),
  })
  .openapi("WebhookLog");

const Time = z
  .string()
  .max(40)
  .refine((s) => /^\d{1,15}$/.test(s) || /^\d{4}-\d{2}-\d{2}$/.test(s) || !Number.isNaN(Date.parse(s)), "use epoch milliseconds, YYYY-MM-DD or an ISO 8601 time")
  .openapi({ description: "Epoch ms, ISO 8601 time, or a date YYYY-MM-DD (a whole day in the business's time zone)" });

const LogQuery = ListQuery.extend({
  source: z.enum(WEBHOOK_SOURCES).optional(),
  status: z.enum(WEBHOOK_LOG_STATUSES).optional(),
  from: Time.optional(),
  to: Time.optional(),
});

/** Parses a validated time filter; a bare date means the start (from) or the end (to) of that local day. */
export function timeFilter(v: string | undefined, timeZone: string, end: boolean): number | undefined {
  if (v === undefined) return undefined;
  if (/^\d{1,15}$/.test(v)) return Number(v);
  return zonedDayBoundary(v, timeZone, end) ?? Date.parse(v);
}

export function logJson(l: WebhookLog): z.infer<typeof LogSchema> {
  return {
    id: l.id,
    created_at: l.createdAt,
    source: l.source,
    status: l.status,
    signature: l.signature,
    event_key: l.eventKey,
    rules: l.ruleNames,
    message: l.message,
    payload: l.payload,
    payload_truncated: l.payloadTruncated,
  };
}

export const webhookLogsApi = apiRouter();
webhookLogsApi.use("*", requireRole("admin"));

webhookLogsApi
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["webhook logs"],
      summary: "List webhook logs (kept for the business's webhook_log_retention_days, see settings)",
      security,
      request: { query: LogQuery },
      responses: { 200: jsonContent(listOf(LogSchema, "WebhookLogList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const tz = c.var.auth.business.timezone;
      const rows = await listLogs(
        database(c.env.DB),
        c.var.auth.business.id,
        { source: q.source, status: q.status, from: timeFilter(q.from, tz, false), to: timeFilter(q.to, tz, true) },
        q.limit,
        decodeCursor(q.cursor),
      );
      const p = page(rows, q.limit, (l) => l.id);
      return c.json({ items: p.items.map(logJson), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["webhook logs"],
      security,
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: jsonContent(LogSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const l = await getLog(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!l) throw notFound("Webhook log");
      return c.json(logJson(l), 200);
    },
  );
