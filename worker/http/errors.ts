// The one error shape of the API: {"status":"error","message","error_code"}; a 4xx for caller mistakes.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorBody = { status: "error"; message: string; error_code: string; details?: unknown };

export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(status, { message });
  }
}

export const notFound = (what = "Resource") => new ApiError(404, "NOT_FOUND", `${what} not found`);

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return details === undefined
    ? { status: "error", message, error_code: code }
    : { status: "error", message, error_code: code, details };
}

const codeForStatus: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
};

/** app.onError: every thrown error becomes the JSON error shape; unknown errors are logged, never echoed. */
export function handleError(err: Error, c: Context): Response {
  if (err instanceof ApiError) {
    return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = codeForStatus[status] ?? (status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST");
    return c.json(errorBody(code, err.message || code), status);
  }
  console.error(JSON.stringify({ level: "error", msg: "unhandled", path: c.req.path, error: String(err), stack: err.stack }));
  return c.json(errorBody("INTERNAL_ERROR", "Internal error"), 500);
}
