// Authentication for /api/v1 (session cookie or Bearer API key), role checks and package gating.
import type { MiddlewareHandler } from "hono";
import { findApiKeyByHash, touchApiKey } from "../db/api-keys";
import { isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import type { Role } from "../db/schema";
import { findSessionUser } from "../db/sessions";
import { getBusiness } from "../db/businesses";
import { ApiError } from "../http/errors";
import type { AppEnv, Auth } from "../http/types";
import { sha256Hex } from "../lib/crypto";
import { roleAtLeast } from "./roles";
import { sessionTokenHash } from "./session-cookie";

/** Resolves an API key to its business, rate-limited per key. Shared by Bearer auth and the seed's api_key field. */
export async function authenticateApiKey(env: Env, rawKey: string, ctx?: ExecutionContext): Promise<Auth> {
  const db = database(env.DB);
  const found = await findApiKeyByHash(db, await sha256Hex(rawKey));
  if (!found) throw new ApiError(401, "INVALID_API_KEY", "API key is not valid");
  const now = Date.now();
  if (found.key.expiresAt !== null && found.key.expiresAt <= now) throw new ApiError(401, "API_KEY_EXPIRED", "This API key has expired; create a new one");
  const { success } = await env.API_KEY_LIMITER.limit({ key: found.key.id });
  if (!success) {
    throw new ApiError(429, "RATE_LIMITED", "Too many requests for this API key", undefined, { "Retry-After": "60" });
  }
  // last_used_at is informational: refresh at most once a minute, off the request path.
  if (!found.key.lastUsedAt || now - found.key.lastUsedAt > 60_000) {
    const touch = touchApiKey(db, found.key.id, now);
    if (ctx) ctx.waitUntil(touch);
    else await touch;
  }
  return { business: found.business, role: "admin", user: null, apiKeyId: found.key.id, apiKeyScope: found.key.scope };
}

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;

/** A read-only API key may call every GET route and nothing that changes anything. */
export function assertCanWrite(auth: Auth): void {
  if (auth.apiKeyScope === "read_only") throw new ApiError(403, "READ_ONLY_KEY", "This API key is read-only");
}

export async function authenticateSession(env: Env, tokenHash: string): Promise<Auth | null> {
  const db = database(env.DB);
  const user = await findSessionUser(db, tokenHash, Date.now());
  if (!user) return null;
  const business = await getBusiness(db, user.businessId);
  if (!business) return null;
  return { business, role: user.role, user, apiKeyId: null, apiKeyScope: null };
}

function executionCtx(c: { readonly executionCtx: unknown }): ExecutionContext | undefined {
  try {
    return c.executionCtx as ExecutionContext;
  } catch {
    return undefined;
  }
}

export const requireAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) throw new ApiError(401, "UNAUTHORIZED", "Authorization header must be 'Bearer <api_key>'");
    const auth = await authenticateApiKey(c.env, m[1], executionCtx(c));
    if (!SAFE_METHOD.test(c.req.method)) assertCanWrite(auth);
    c.set("auth", auth);
    c.set("sessionTokenHash", null);
    return next();
  }
  const tokenHash = await sessionTokenHash(c);
  const auth = tokenHash ? await authenticateSession(c.env, tokenHash) : null;
  if (!auth) throw new ApiError(401, "UNAUTHORIZED", "Sign in or send an API key");
  c.set("auth", auth);
  c.set("sessionTokenHash", tokenHash);
  return next();
};

export function requireRole(min: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roleAtLeast(c.var.auth.role, min)) {
      throw new ApiError(403, "FORBIDDEN", `This action needs the ${min} role`);
    }
    return next();
  };
}

/** Every sending feature is gated on the business's package, with the seed's error code. */
export const requireActivePackage: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!isPackageActive(c.var.auth.business)) {
    throw new ApiError(403, "PACKAGE_NOT_ACTIVE", "Your package is not active. Renew it to use this feature.");
  }
  return next();
};
