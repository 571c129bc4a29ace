// GET /api/v1/devices/{device_key}/health: the number's broadcast-lane figures over 24 h and 7 d, its health
// (worker/broadcasts/health.ts), the warm-up stage and the pacing they imply (worker/broadcasts/pacer.ts).
import { createRoute, z } from "@hono/zod-openapi";
import { deviceHealthReport } from "../broadcasts/health-report";
import { database } from "../db/client";
import { getDevice } from "../db/devices";
import { notFound } from "../http/errors";
import { apiRouter, authErrors, jsonContent, notFoundError, security } from "./openapi";

const Window = z.object({ sends: z.number(), failed: z.number(), failures_by_reason: z.record(z.string(), z.number()), replies: z.number(), opt_outs: z.number(), blocks: z.number() });
const HealthSchema = z
  .object({
    device_key: z.string(),
    health: z.number().openapi({ description: "0–1 over the last 7 days: 1 − (2·failed + 10·opt_outs + 20·blocks) / sends (1 under 20 sends)" }),
    cap_factor: z.number().openapi({ description: "1 at health ≥ 0.9, 0.5 at 0.7–0.9, 0 (broadcasts pause) below 0.7" }),
    last_24h: Window,
    last_7d: Window,
    warmup: z.object({ day: z.number(), of: z.number(), day_cap: z.number(), done: z.boolean() }),
    pacing: z.object({ paced: z.boolean(), gap_seconds: z.tuple([z.number(), z.number()]), rest_every: z.tuple([z.number(), z.number()]), rest_seconds: z.tuple([z.number(), z.number()]), max_per_hour: z.number(), max_per_day: z.number() }),
  })
  .openapi("DeviceHealth");

export const deviceHealthApi = apiRouter();
deviceHealthApi.openapi(
  createRoute({ method: "get", path: "/{device_key}/health", tags: ["devices"], security, request: { params: z.object({ device_key: z.string().min(1).max(100) }) }, responses: { 200: jsonContent(HealthSchema), ...authErrors, ...notFoundError } }),
  async (c) => {
    const businessId = c.var.auth.business.id;
    const d = await getDevice(database(c.env.DB), businessId, c.req.valid("param").device_key);
    if (!d) throw notFound("Device");
    return c.json(await deviceHealthReport(c.env.DB, businessId, d, Date.now()), 200);
  },
);
