import { createRoute, z } from "@hono/zod-openapi";
import { emailToken } from "../auth/recovery";
import { isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { pickLocale } from "../dashboard/i18n";
import { ApiError } from "../http/errors";
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

export const meApi = apiRouter();

meApi.openapi(
  createRoute({
    method: "post",
    path: "/verification-email",
    tags: ["auth"],
    summary: "Email the signed-in user a new verification link",
    security,
    responses: { 202: jsonContent(z.object({ status: z.literal("ok") }), "Accepted"), ...authErrors },
  }),
  async (c) => {
    const user = c.var.auth.user;
    if (!user) throw new ApiError(400, "NOT_A_USER", "Only a signed-in user has an email to verify");
    if (user.emailVerifiedAt !== null) throw new ApiError(409, "ALREADY_VERIFIED", "This email is already confirmed");
    const { success } = await c.env.MAIL_LIMITER.limit({ key: `verify:${user.id}` });
    if (!success) throw new ApiError(429, "RATE_LIMITED", "Too many emails; try again in a minute", undefined, { "Retry-After": "60" });
    await emailToken(c.env, database(c.env.DB), user, "email_verification", pickLocale(user.locale, c.var.auth.business.locale));
    return c.json({ status: "ok" as const }, 202);
  },
);

meApi.openapi(
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
