// Headers of every HTML page (dashboard, API reference): Hono's secureHeaders() with a CSP whose only inline
// scripts are the ones carrying this request's nonce. Styles may be inline (style attributes; no script runs
// from CSS). Frames: none may embed us (clickjacking). HSTS and a strict Referrer-Policy come with it.
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { Context } from "hono";

export const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", NONCE],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:", "blob:"],
    mediaSrc: ["'self'", "blob:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
  strictTransportSecurity: "max-age=31536000; includeSubDomains",
  referrerPolicy: "strict-origin-when-cross-origin",
});

/** The nonce secureHeaders() made for this request, for `<script nonce>`. */
export function scriptNonce(c: Context): string {
  const n: unknown = c.get("secureHeadersNonce");
  return typeof n === "string" ? n : "";
}
