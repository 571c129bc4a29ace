// gateway-node authentication: `Authorization: Bearer <gateway_id>:<secret>` against env.GATEWAY_SECRETS
// (JSON {gateway_id: secret}), compared in constant time; an unknown gateway costs the same comparison.
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import { ApiError } from "../http/errors";
import { safeEqual } from "../lib/crypto";

const Secrets = z.record(z.string().min(1).max(100), z.string().min(16));

/** A malformed GATEWAY_SECRETS locks every gateway out (never in): say so loudly, without the values. */
export function gatewaySecrets(env: Env): Record<string, string> {
  let parsed: ReturnType<typeof Secrets.safeParse> | null = null;
  try {
    parsed = Secrets.safeParse(JSON.parse(env.GATEWAY_SECRETS));
  } catch {
    parsed = null;
  }
  if (parsed?.success) return parsed.data;
  console.error(JSON.stringify({ level: "error", msg: "GATEWAY_SECRETS must be JSON {gateway_id: secret (16+ chars)}; no gateway can connect" }));
  return {};
}

export function gatewayIds(env: Env): string[] {
  return Object.keys(gatewaySecrets(env));
}

export async function authenticateGateway(env: Env, header: string | undefined): Promise<string | null> {
  const m = /^Bearer ([^:\s]{1,100}):(\S+)$/.exec(header ?? "");
  if (!m?.[1] || !m[2]) return null;
  const secrets = gatewaySecrets(env);
  const expected = Object.hasOwn(secrets, m[1]) ? secrets[m[1]] : undefined;
  const ok = await safeEqual(m[2], expected ?? "no-such-gateway-secret-placeholder");
  return ok && expected !== undefined ? m[1] : null;
}

export type GatewayEnv = { Bindings: Env; Variables: { gatewayId: string } };

export const requireGateway: MiddlewareHandler<GatewayEnv> = async (c, next) => {
  const id = await authenticateGateway(c.env, c.req.header("authorization"));
  if (!id) throw new ApiError(401, "UNAUTHORIZED", "Gateway credentials required: Authorization: Bearer <gateway_id>:<secret>");
  c.set("gatewayId", id);
  return next();
};
