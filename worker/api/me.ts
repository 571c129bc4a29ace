import { createRoute, z } from "@hono/zod-openapi";
import { isPackageActive } from "../db/businesses";
import { publicUser } from "../db/users";
import { ROLES } from "../db/schema";
import { UserSchema } from "./users";
import { apiRouter, authErrors, jsonContent, security } from "./openapi";

export const BusinessSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    timezone: z.string(),
    country: z.string(),
    locale: z.enum(["id", "en"]),
    package: z.string(),
    active_until: z.number(),
    package_active: z.boolean(),
  })
  .openapi("BusinessSummary");

export const meApi = apiRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["auth"],
    summary: "Who is calling: the user (null for an API key), the role and the business",
    security,
    responses: {
      200: jsonContent(z.object({ user: UserSchema.nullable(), role: z.enum(ROLES), business: BusinessSummary })),
      ...authErrors,
    },
  }),
  async (c) => {
    const { business: b, user, role } = c.var.auth;
    return c.json(
      {
        user: user ? publicUser(user) : null,
        role,
        business: {
          id: b.id,
          name: b.name,
          timezone: b.timezone,
          country: b.country,
          locale: b.locale,
          package: b.package,
          active_until: b.activeUntil,
          package_active: isPackageActive(b),
        },
      },
      200,
    );
  },
);
