// Media served from R2 at /media/:business_id/:media_id. The media id is 192 random bits, so the URL is the
// capability (the device webhook's receivers have no Ping login); it never changes. Files are served inert
// (worker/media/serving.ts). With MEDIA_BASE_URL set, media lives on that origin only: a /media link on the
// dashboard's origin redirects there, and that origin serves nothing but /media (docs/security.md, "Media").
import { zValidator } from "@hono/zod-validator";
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { ApiError, notFound } from "../http/errors";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { mediaResponseHeaders } from "../media/serving";
import { mediaKey, mediaUrl } from "./media";

/** The separate media origin's host, when one is configured and differs from the dashboard's. */
function separateMediaHost(env: Env): string | null {
  if (!env.MEDIA_BASE_URL) return null;
  const media = URL.parse(env.MEDIA_BASE_URL)?.host;
  if (!media) {
    console.error(JSON.stringify({ level: "error", msg: "MEDIA_BASE_URL is not a URL; media is served on PUBLIC_BASE_URL" }));
    return null;
  }
  return media === URL.parse(env.PUBLIC_BASE_URL)?.host ? null : media;
}

/** Mounted before every route: the media origin answers /media/* and nothing else (no dashboard, no API, no cookies). */
export const mediaOriginOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const host = separateMediaHost(c.env);
  if (host && new URL(c.req.url).host === host && !c.req.path.startsWith("/media/")) {
    throw new ApiError(404, "NOT_FOUND", "The media origin serves media only");
  }
  return next();
};

export const mediaApi = new Hono<AppEnv>().get(
  "/:business_id/:media_id",
  zValidator("param", z.object({ business_id: z.uuid(), media_id: z.string().regex(/^[A-Za-z0-9_-]{32}$/) }), validationHook),
  async (c) => {
    const { business_id, media_id } = c.req.valid("param");
    const host = separateMediaHost(c.env);
    if (host && new URL(c.req.url).host !== host) return c.redirect(mediaUrl(c.env, business_id, media_id), 301);
    const obj = await c.env.MEDIA.get(mediaKey(business_id, media_id));
    if (!obj) throw notFound("Media");
    const headers = mediaResponseHeaders({
      contentType: obj.httpMetadata?.contentType,
      fileName: obj.customMetadata?.fileName,
      size: obj.size,
      etag: obj.httpEtag,
    });
    return new Response(obj.body, { headers });
  },
);
