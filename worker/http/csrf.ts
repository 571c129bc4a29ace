// CSRF for cookie-authenticated writes. Hono's csrf() decides on Origin / Sec-Fetch-Site but only for the
// content types an HTML form can send; a browser can also send JSON cross-site (fetch with credentials, or a
// form whose enctype the server ignores), so every non-GET request carrying the session cookie goes through it,
// whatever its Content-Type. Requests with `Authorization: Bearer` are API-key requests, not cookie ones.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { csrf } from "hono/csrf";
import { SESSION_COOKIE } from "../auth/session-cookie";
import { ApiError } from "./errors";

const SAFE = /^(GET|HEAD|OPTIONS)$/;

/** The dashboard's own origin: PUBLIC_BASE_URL's scheme, host and port. */
export function publicOrigin(env: Pick<Env, "PUBLIC_BASE_URL">): string | null {
  try {
    return new URL(env.PUBLIC_BASE_URL).origin;
  } catch {
    return null;
  }
}

function cookieAuthenticated(c: Context): boolean {
  return !c.req.header("authorization") && getCookie(c, SESSION_COOKIE) !== undefined;
}

// Both must hold: Origin is ours, and Sec-Fetch-Site (sent by every current browser) says same-origin when
// present. Hono's csrf() accepts a request when EITHER check passes, so the Sec-Fetch-Site rule is applied in the
// origin handler and the sec-fetch-site handler alone never lets a request through.
const honoCsrf = csrf({
  origin: (origin, c) => {
    const site = c.req.header("sec-fetch-site");
    return origin === publicOrigin(c.env) && (site === undefined || site === "same-origin");
  },
  secFetchSite: () => false,
});

const rejected = () => new ApiError(403, "CSRF_REJECTED", "Cross-site request refused: writes signed in with a cookie must come from the dashboard's own origin");

export const cookieCsrf: MiddlewareHandler = async (c, next) => {
  if (SAFE.test(c.req.method) || !cookieAuthenticated(c)) return next();
  // csrf() only looks at form content types; for the rest its decision is asked with the content type it checks.
  const type = c.req.header("content-type") ?? "";
  const headers = new Headers(c.req.raw.headers);
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i.test(type)) headers.set("content-type", "text/plain");
  // The probe carries exactly what csrf() and the handlers above read: method, url, headers and env.
  const probe = { env: c.env, req: { method: c.req.method, url: c.req.url, header: (n: string) => headers.get(n) ?? undefined } } as unknown as Context;
  try {
    await honoCsrf(probe, async () => {});
  } catch (e) {
    if (e instanceof HTTPException && e.status === 403) throw rejected();
    throw e;
  }
  return next();
};
