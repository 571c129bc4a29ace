// Operator endpoints (Bearer PLATFORM_ADMIN_TOKEN): set a business's package after payment.
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import { getBusiness, updateBusiness } from "../db/businesses";
import { database } from "../db/client";
import { assignGateway, getDeviceByKey } from "../db/devices";
import { gatewayIds } from "../gateway/auth";
import { deviceSession } from "../durable/stubs";
import { ApiError, notFound } from "../http/errors";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { safeEqual } from "../lib/crypto";
import { forgetWebhookContext } from "../webhooks/context-cache";

export const internalApi = new Hono<AppEnv>()
  .use(async (c, next) => {
    const token = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    if (!c.env.PLATFORM_ADMIN_TOKEN || !(await safeEqual(token, c.env.PLATFORM_ADMIN_TOKEN))) {
      throw new ApiError(401, "UNAUTHORIZED", "Operator token required");
    }
    return next();
  })
  .put(
    "/businesses/:id/package",
    zValidator("param", z.object({ id: z.uuid() }), validationHook),
    zValidator("json", z.strictObject({ package: z.string().min(1).max(40), active_until: z.number().int().positive() }), validationHook),
    async (c) => {
      const db = database(c.env.DB);
      const { id } = c.req.valid("param");
      if (!(await getBusiness(db, id))) throw notFound("Business");
      const body = c.req.valid("json");
      const b = await updateBusiness(db, id, { package: body.package, activeUntil: body.active_until });
      forgetWebhookContext(id);
      return c.json({ business_id: id, package: b?.package, active_until: b?.activeUntil });
    },
  )
  // Moves a baileys device to another gateway (e.g. its gateway is gone). The current gateway's socket is
  // closed with 4001 and the new gateway picks the device up from GET /gateway/v1/devices.
  .put(
    "/devices/:device_key/gateway",
    zValidator("param", z.object({ device_key: z.uuid() }), validationHook),
    zValidator("json", z.strictObject({ gateway_id: z.string().min(1).max(100).nullable() }), validationHook),
    async (c) => {
      const db = database(c.env.DB);
      const { device_key } = c.req.valid("param");
      const { gateway_id } = c.req.valid("json");
      const device = await getDeviceByKey(db, device_key);
      if (!device) throw notFound("Device");
      if (device.provider !== "baileys") throw new ApiError(400, "NOT_A_GATEWAY_DEVICE", "Only baileys devices are hosted by gateways");
      if (gateway_id !== null && !gatewayIds(c.env).includes(gateway_id)) throw new ApiError(400, "UNKNOWN_GATEWAY", `No gateway ${gateway_id} in GATEWAY_SECRETS`);
      await assignGateway(db, device_key, gateway_id);
      if (device.gatewayId !== gateway_id) await deviceSession(c.env, device_key).revokeGateway("reassigned");
      return c.json({ device_key, gateway_id });
    },
  );
