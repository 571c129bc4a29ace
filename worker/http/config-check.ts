// A deployment missing one of its secrets answers 503 CONFIG_ERROR naming the secret (never a value), instead
// of failing later with a 500 deep inside a handler.
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors";

export const REQUIRED_SECRETS = ["SECRETS_KEY", "GATEWAY_SECRETS", "PLATFORM_ADMIN_TOKEN"] as const;

export function missingSecrets(env: Partial<Record<(typeof REQUIRED_SECRETS)[number], unknown>>): string[] {
  return REQUIRED_SECRETS.filter((name) => {
    const v = env[name];
    return typeof v !== "string" || v.trim() === "";
  });
}

export const requireConfig: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const missing = missingSecrets(c.env);
  if (missing.length > 0) {
    throw new ApiError(503, "CONFIG_ERROR", `The server is not configured: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set`, { missing });
  }
  return next();
};
