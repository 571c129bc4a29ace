// The package a business is on. Payment is handled outside Ping for now: the platform operator
// extends packages through /internal (see docs/billing.md); super admins see the state here.
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { isPackageActive } from "../db/businesses";
import { apiRouter, authErrors, jsonContent, security } from "./openapi";

export const billingApi = apiRouter();
billingApi.use(requireRole("super_admin"));

billingApi.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["billing"],
    security,
    responses: {
      200: jsonContent(z.object({ package: z.string(), active_until: z.number(), package_active: z.boolean() })),
      ...authErrors,
    },
  }),
  (c) => {
    const b = c.var.auth.business;
    return c.json({ package: b.package, active_until: b.activeUntil, package_active: isPackageActive(b) }, 200);
  },
);
