// Sign-up, login, logout. Brute force is limited per account (failure counter in D1) and per IP (generous,
// so a busy office behind one address keeps working); sign-ups are limited per IP.
import { createRoute, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { createBusinessWithOwner, clearLoginFailures, findUserByEmail, publicUser, recordLoginFailure } from "../db/users";
import { deleteSession } from "../db/sessions";
import { clearSessionCookie, sessionTokenHash, startSession } from "../auth/session-cookie";
import { resolveReferrer } from "../billing/affiliate";
import { ApiError } from "../http/errors";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../lib/crypto";
import { UserSchema } from "./users";
import { apiRouter, authErrors, conflictError, Email, jsonBody, jsonContent, Password } from "./openapi";

const SignupBody = z
  .strictObject({
    business_name: z.string().trim().min(1).max(120),
    name: z.string().trim().min(1).max(120),
    email: Email,
    password: Password,
    // The affiliate code from /app/signup?ref=CODE; fixed at sign-up (worker/billing/affiliate.ts).
    referral_code: z.string().trim().min(4).max(32).optional(),
  })
  .openapi("SignupRequest");

const LoginBody = z.strictObject({ email: Email, password: z.string().min(1).max(200) }).openapi("LoginRequest");

function clientIp(req: Request): string {
  return req.headers.get("cf-connecting-ip") ?? "local";
}

async function limitOrThrow(limiter: RateLimit, key: string, what: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw new ApiError(429, "RATE_LIMITED", `Too many ${what}; try again in a minute`, undefined, { "Retry-After": "60" });
}

export const authApi = apiRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/signup",
      tags: ["auth"],
      summary: "Create a business and its super admin; starts a session",
      request: jsonBody(SignupBody),
      responses: {
        201: jsonContent(z.object({ business_id: z.string(), user: UserSchema }), "Created"),
        ...authErrors,
        ...conflictError,
      },
    }),
    async (c) => {
      await limitOrThrow(c.env.SIGNUP_LIMITER, clientIp(c.req.raw), "sign-ups from this address");
      const body = c.req.valid("json");
      const db = database(c.env.DB);
      if (await findUserByEmail(db, body.email)) throw new ApiError(409, "EMAIL_TAKEN", "This email is already registered");
      const referredBy = body.referral_code ? await resolveReferrer(db, body.referral_code, body.email, await sessionTokenHash(c), Date.now()) : null;
      const businessId = crypto.randomUUID();
      const trialMs = Number(c.env.TRIAL_DAYS) * 24 * 3600 * 1000;
      let user;
      try {
        user = await createBusinessWithOwner(db, {
          businessId,
          businessName: body.business_name,
          activeUntil: Date.now() + trialMs,
          referredBy,
          userId: crypto.randomUUID(),
          name: body.name,
          email: body.email,
          passwordHash: await hashPassword(body.password),
        });
      } catch (e) {
        // Two sign-ups racing for one email: the unique index decides.
        if (String(e).includes("UNIQUE")) throw new ApiError(409, "EMAIL_TAKEN", "This email is already registered");
        throw e;
      }
      await startSession(c, db, user.id, businessId);
      return c.json({ business_id: businessId, user: publicUser(user) }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/login",
      tags: ["auth"],
      summary: "Sign in with email and password; sets the session cookie",
      request: jsonBody(LoginBody),
      responses: { 200: jsonContent(z.object({ business_id: z.string(), user: UserSchema })), ...authErrors },
    }),
    async (c) => {
      await limitOrThrow(c.env.LOGIN_IP_LIMITER, clientIp(c.req.raw), "login attempts from this address");
      const { email, password } = c.req.valid("json");
      const db = database(c.env.DB);
      const user = await findUserByEmail(db, email);
      const now = Date.now();
      if (user?.lockedUntil && user.lockedUntil > now) {
        const retry = Math.ceil((user.lockedUntil - now) / 1000);
        throw new ApiError(429, "ACCOUNT_LOCKED", "Too many failed logins; try again later", undefined, {
          "Retry-After": String(retry),
        });
      }
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
      if (!user || !ok) {
        if (user) {
          await recordLoginFailure(
            db,
            user.id,
            Number(c.env.LOGIN_MAX_FAILURES),
            Number(c.env.LOGIN_LOCK_MINUTES) * 60_000,
            now,
          );
        }
        throw new ApiError(401, "INVALID_CREDENTIALS", "Email or password is wrong");
      }
      if (user.failedLogins > 0) await clearLoginFailures(db, user.id);
      await startSession(c, db, user.id, user.businessId);
      return c.json({ business_id: user.businessId, user: publicUser(user) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/logout",
      tags: ["auth"],
      summary: "End the current session",
      responses: { 200: jsonContent(z.object({ status: z.literal("ok") })) },
    }),
    async (c) => {
      const tokenHash = await sessionTokenHash(c);
      if (tokenHash) await deleteSession(database(c.env.DB), tokenHash);
      clearSessionCookie(c);
      return c.json({ status: "ok" as const }, 200);
    },
  );
