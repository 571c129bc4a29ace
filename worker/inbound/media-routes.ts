// Inbound media served from R2 at /media/:business_id/:media_id. The media id is 192 random bits, so the
// URL is the capability (the device webhook's receivers have no Ping login); it never changes.
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { notFound } from "../http/errors";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { mediaKey } from "./media";

export const mediaApi = new Hono<AppEnv>().get(
  "/:business_id/:media_id",
  zValidator("param", z.object({ business_id: z.uuid(), media_id: z.string().regex(/^[A-Za-z0-9_-]{32}$/) }), validationHook),
  async (c) => {
    const { business_id, media_id } = c.req.valid("param");
    const obj = await c.env.MEDIA.get(mediaKey(business_id, media_id));
    if (!obj) throw notFound("Media");
    const headers = new Headers();
    obj.writeHttpMetadata(headers);
    headers.set("etag", obj.httpEtag);
    headers.set("cache-control", "private, max-age=86400, immutable");
    headers.set("x-content-type-options", "nosniff");
    return new Response(obj.body, { headers });
  },
);
