// Media files live in R2 under the business (`media/<business_id>/<id>`), each recorded as a media object in D1.
// The id is 192 random bits: the /media URL carries it and is the capability (not guessable).
import { database } from "../db/client";
import { insertMediaObject } from "../db/media-objects";
import type { MediaKind } from "../db/schema";
import { randomToken } from "../lib/crypto";

export type StoredMedia = { media_id: string; mime_type: string; size: number; file_name?: string };

/** Who a stored file belongs to: the business, the device it came in on or goes out from, and where from. */
export type MediaOwner = { businessId: string; deviceKey: string | null; direction: "in" | "out"; kind?: MediaKind; sourceUrl?: string };

export const MAX_MEDIA_BYTES = 64 * 1024 * 1024;

export function mediaKey(businessId: string, mediaId: string): string {
  return `media/${businessId}/${mediaId}`;
}

/** The link to a file: on MEDIA_BASE_URL when a separate media origin is configured, else on PUBLIC_BASE_URL. */
export function mediaUrl(env: Pick<Env, "PUBLIC_BASE_URL" | "MEDIA_BASE_URL">, businessId: string, mediaId: string): string {
  const base = env.MEDIA_BASE_URL && URL.canParse(env.MEDIA_BASE_URL) ? env.MEDIA_BASE_URL : env.PUBLIC_BASE_URL;
  return `${base.replace(/\/+$/, "")}/media/${businessId}/${mediaId}`;
}

/**
 * Stores a file in R2 and records it. No Content-Disposition is stored: how a file is served (inline or as an
 * attachment) is decided when it is served (worker/media/serving.ts), so the rule applies to old files too.
 */
export async function storeMedia(
  env: Env,
  owner: MediaOwner,
  body: ReadableStream | ArrayBuffer | Uint8Array,
  mimeType: string,
  fileName?: string,
): Promise<StoredMedia> {
  const mediaId = randomToken(24);
  const obj = await env.MEDIA.put(mediaKey(owner.businessId, mediaId), body, {
    httpMetadata: { contentType: mimeType },
    customMetadata: fileName ? { fileName } : {},
  });
  await insertMediaObject(database(env.DB), {
    id: mediaId,
    businessId: owner.businessId,
    deviceKey: owner.deviceKey,
    direction: owner.direction,
    kind: owner.kind ?? null,
    mimeType,
    size: obj.size,
    fileName: fileName ?? null,
    sourceUrl: owner.sourceUrl ?? null,
  });
  return { media_id: mediaId, mime_type: mimeType, size: obj.size, ...(fileName ? { file_name: fileName } : {}) };
}

/** The seed's file_category: image, video, audio, pdf or file. */
export function fileCategory(mime: string): "image" | "video" | "audio" | "pdf" | "file" {
  if (mime.startsWith("image/")) return "image";
  if (mime.startsWith("video/")) return "video";
  if (mime.startsWith("audio/")) return "audio";
  if (mime === "application/pdf") return "pdf";
  return "file";
}
