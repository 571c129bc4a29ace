// GET /api/v1/devices/{device_key}/health: the number's broadcast-lane figures over 24 h and 7 d, its health
// (worker/broadcasts/health.ts), the warm-up stage and the pacing they imply (worker/broadcasts/pacer.ts).
import { createRoute, z } from "@hono/zod-openapi";
import { healthOf } from "../broadcasts/health";
import { deviceStats } from "../broadcasts/lane-stats";
import { capsOf, DEFAULT_PACING, healthFactor, warmupStage } from "../broadcasts/pacer";
import { database } from "../db/client";
import { getDevice } from "../db/devices";
import { notFound } from "../http/errors";
import { effectiveSettings } from "../messaging/settings";
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

const DAY = 86_400_000;

export const deviceHealthApi = apiRouter();
deviceHealthApi.openapi(
  createRoute({ method: "get", path: "/{device_key}/health", tags: ["devices"], security, request: { params: z.object({ device_key: z.string().min(1).max(100) }) }, responses: { 200: jsonContent(HealthSchema), ...authErrors, ...notFoundError } }),
  async (c) => {
    const businessId = c.var.auth.business.id;
    const d = await getDevice(database(c.env.DB), businessId, c.req.valid("param").device_key);
    if (!d) throw notFound("Device");
    const now = Date.now();
    const [day, week] = await Promise.all([deviceStats(c.env.DB, businessId, d.deviceKey, now - DAY), deviceStats(c.env.DB, businessId, d.deviceKey, now - 7 * DAY)]);
    const health = healthOf(week);
    const age = (now - d.createdAt) / DAY;
    const caps = capsOf(DEFAULT_PACING, age, health);
    const p = DEFAULT_PACING;
    return c.json(
      {
        device_key: d.deviceKey,
        health,
        cap_factor: healthFactor(health),
        last_24h: day,
        last_7d: week,
        warmup: warmupStage(p, age),
        pacing: {
          paced: effectiveSettings(d.provider, d.settings).pacing_enabled,
          gap_seconds: [p.gap_min_s, p.gap_max_s] as [number, number],
          rest_every: [p.rest_every_min, p.rest_every_max] as [number, number],
          rest_seconds: [p.rest_min_s, p.rest_max_s] as [number, number],
          max_per_hour: caps.per_hour,
          max_per_day: caps.per_day,
        },
      },
      200,
    );
  },
);
