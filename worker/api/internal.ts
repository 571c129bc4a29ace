// Operator endpoints (Bearer PLATFORM_ADMIN_TOKEN): set a business's package after payment.
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import { getBusiness, updateBusiness } from "../db/businesses";
import { database } from "../db/client";
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
  );
