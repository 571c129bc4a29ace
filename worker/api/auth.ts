// Sign-up, login, logout and account recovery. Login answers a wrong password and an unknown email identically
// (same status, body and work), and brute force is slowed per (email, client address) with an exponential
// backoff, so nobody can lock an owner out from elsewhere. Password reset and email verification go by email
// (worker/auth/recovery.ts); a reset ends every session of the account.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { backoffAfter, backoffConfig, throttleKey } from "../auth/login-backoff";
import { emailToken, redeemToken } from "../auth/recovery";
import { clearSessionCookie, sessionTokenHash, startSession } from "../auth/session-cookie";
import { resolveReferrer } from "../billing/affiliate";
import { database } from "../db/client";
import { blockUntil, clearThrottle, getThrottle, recordFailure } from "../db/login-throttles";
import { deleteSession, deleteUserSessions } from "../db/sessions";
import { createBusinessWithOwner, findUserByEmail, getUserById, markEmailVerified, publicUser, setPassword } from "../db/users";
import { pickLocale } from "../dashboard/i18n";
import { ApiError } from "../http/errors";
import type { AppEnv } from "../http/types";
import { closeSockets, socketTag } from "../inbox/socket-access";
import { DUMMY_PASSWORD_HASH, hashPassword, sha256Hex, verifyPassword } from "../lib/crypto";
import { MailError } from "../mail/send";
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
const Token = z.string().min(20).max(200);
const Ok = z.object({ status: z.literal("ok") });

function clientIp(req: Request): string {
  return req.headers.get("cf-connecting-ip") ?? "local";
}

async function limitOrThrow(limiter: RateLimit, key: string, what: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw new ApiError(429, "RATE_LIMITED", `Too many ${what}; try again in a minute`, undefined, { "Retry-After": "60" });
}

const throttled = (retryMs: number) =>
  new ApiError(429, "LOGIN_THROTTLED", "Too many failed logins from this address for this email; try again later", undefined, {
    "Retry-After": String(Math.max(1, Math.ceil(retryMs / 1000))),
  });

/** Sends a mail without failing the request that asked for it: the mail is a side effect the user can request again. */
async function mailQuietly(send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (e) {
    if (!(e instanceof MailError) && !(e instanceof TypeError) && !(e instanceof DOMException)) throw e;
    console.error(JSON.stringify({ level: "error", msg: "mail not sent", error: String(e) }));
  }
}

function locale(c: Context<AppEnv>) {
  return pickLocale(c.req.query("lang"), c.req.header("accept-language")?.slice(0, 2));
}

export const authApi = apiRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/signup",
      tags: ["auth"],
      summary: "Create a business and its super admin; starts a session and emails a verification link",
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
      const created = user;
      await mailQuietly(() => emailToken(c.env, db, created, "email_verification", locale(c)));
      return c.json({ business_id: businessId, user: publicUser(user) }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/login",
      tags: ["auth"],
      summary: "Sign in with email and password; sets the session cookie",
      description: "A wrong password and an unknown email get the same 401. After LOGIN_FREE_FAILURES failures from one address for one email, that pair waits (429 LOGIN_THROTTLED, Retry-After), doubling per failure.",
      request: jsonBody(LoginBody),
      responses: { 200: jsonContent(z.object({ business_id: z.string(), user: UserSchema })), ...authErrors },
    }),
    async (c) => {
      const ip = clientIp(c.req.raw);
      await limitOrThrow(c.env.LOGIN_IP_LIMITER, ip, "login attempts from this address");
      const { email, password } = c.req.valid("json");
      const db = database(c.env.DB);
      const now = Date.now();
      // Keyed to the email as typed, not to the account: an unknown email is throttled exactly like a known one.
      const key = await sha256Hex(throttleKey(email, ip));
      const throttle = await getThrottle(db, key);
      if (throttle && throttle.blockedUntil > now) throw throttled(throttle.blockedUntil - now);
      const user = await findUserByEmail(db, email);
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
      if (!user || !ok) {
        const failures = await recordFailure(db, key, now);
        const wait = backoffAfter(failures, backoffConfig(c.env));
        if (wait > 0) await blockUntil(db, key, now + wait);
        throw new ApiError(401, "INVALID_CREDENTIALS", "Email or password is wrong");
      }
      if (throttle) await clearThrottle(db, key);
      await startSession(c, db, user.id, user.businessId);
      return c.json({ business_id: user.businessId, user: publicUser(user) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/logout",
      tags: ["auth"],
      summary: "End the current session (its open inbox sockets close too)",
      responses: { 200: jsonContent(Ok) },
    }),
    async (c) => {
      const tokenHash = await sessionTokenHash(c);
      if (tokenHash) {
        const db = database(c.env.DB);
        const session = await deleteSession(db, tokenHash);
        if (session) await closeSockets(c.env, session.businessId, socketTag.session(tokenHash), "signed out");
      }
      clearSessionCookie(c);
      return c.json({ status: "ok" as const }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/password-reset",
      tags: ["auth"],
      summary: "Email a password-reset link (valid 30 minutes, single use)",
      description: "Always answers 202, whether or not the email has an account.",
      request: jsonBody(z.strictObject({ email: Email }).openapi("PasswordResetRequest")),
      responses: { 202: jsonContent(Ok, "Accepted"), ...authErrors },
    }),
    async (c) => {
      const { email } = c.req.valid("json");
      await limitOrThrow(c.env.MAIL_LIMITER, `ip:${clientIp(c.req.raw)}`, "reset requests from this address");
      await limitOrThrow(c.env.MAIL_LIMITER, `reset:${await sha256Hex(email)}`, "reset requests for this email");
      const db = database(c.env.DB);
      const user = await findUserByEmail(db, email);
      if (user) await mailQuietly(() => emailToken(c.env, db, user, "password_reset", pickLocale(user.locale, locale(c))));
      return c.json({ status: "ok" as const }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/password-reset/confirm",
      tags: ["auth"],
      summary: "Set a new password with the emailed token; ends every session of the account",
      request: jsonBody(z.strictObject({ token: Token, password: Password }).openapi("PasswordResetConfirm")),
      responses: { 200: jsonContent(Ok), ...authErrors },
    }),
    async (c) => {
      const { token, password } = c.req.valid("json");
      const db = database(c.env.DB);
      const userId = await redeemToken(db, token, "password_reset", Date.now());
      const user = userId ? await getUserById(db, userId) : undefined;
      if (!user) throw new ApiError(400, "INVALID_TOKEN", "This link is invalid, used or expired; ask for a new one");
      await setPassword(db, user.id, await hashPassword(password));
      // The reset proves the address, too.
      if (user.emailVerifiedAt === null) await markEmailVerified(db, user.id, Date.now());
      await deleteUserSessions(db, user.id);
      await closeSockets(c.env, user.businessId, socketTag.user(user.id), "password reset");
      clearSessionCookie(c);
      return c.json({ status: "ok" as const }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/verify-email",
      tags: ["auth"],
      summary: "Confirm the account's email address with the emailed token",
      request: jsonBody(z.strictObject({ token: Token }).openapi("VerifyEmailRequest")),
      responses: { 200: jsonContent(Ok), ...authErrors },
    }),
    async (c) => {
      const { token } = c.req.valid("json");
      const db = database(c.env.DB);
      const userId = await redeemToken(db, token, "email_verification", Date.now());
      if (!userId) throw new ApiError(400, "INVALID_TOKEN", "This link is invalid, used or expired; ask for a new one");
      await markEmailVerified(db, userId, Date.now());
      return c.json({ status: "ok" as const }, 200);
    },
  );
