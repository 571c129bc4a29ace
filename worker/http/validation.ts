// Validation glue: zod failures become VALIDATION_ERROR with the exact failing paths;
// unreadable JSON and oversized bodies are rejected before any handler runs.
import type { Context, MiddlewareHandler } from "hono";
import type { $ZodError } from "zod/v4/core";
import { ApiError } from "./errors";

export function zodIssues(error: $ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

export function validationError(error: $ZodError, target = "body"): ApiError {
  const issues = zodIssues(error);
  const first = issues[0];
  const where = first && first.path ? `${target}.${first.path}` : target;
  return new ApiError(400, "VALIDATION_ERROR", `Invalid ${where}: ${first?.message ?? "invalid input"}`, issues);
}

/** The defaultHook for OpenAPIHono / zValidator: turns a failed parse into our error. */
export function validationHook(
  result: { success: true } | { success: false; error: $ZodError; target?: string },
  _c: Context,
): void {
  if (!result.success) throw validationError(result.error, result.target === "json" ? "body" : result.target);
}

/**
 * Reads the body once with a size cap and checks it is JSON, so validators downstream never
 * see a stream error or a half-read body. Content-Length is checked first, then the actual bytes.
 */
export function jsonBody(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "DELETE" || method === "OPTIONS") return next();
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > maxBytes) throw tooLarge(maxBytes);
    const raw = await c.req.raw.clone().arrayBuffer();
    if (raw.byteLength > maxBytes) throw tooLarge(maxBytes);
    const type = c.req.header("content-type") ?? "";
    if (raw.byteLength === 0) return next();
    if (!type.toLowerCase().includes("application/json")) {
      throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
    }
    try {
      JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw));
    } catch {
      throw new ApiError(400, "INVALID_JSON", "Request body is not valid JSON");
    }
    return next();
  };
}

export function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, "PAYLOAD_TOO_LARGE", `Request body exceeds ${maxBytes} bytes`);
}
