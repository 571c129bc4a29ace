// Inbound media lives in R2 under the business, at a URL that carries a random id (not guessable).
import { randomToken } from "../lib/crypto";

export type StoredMedia = { media_id: string; mime_type: string; size: number; file_name?: string };

export const MAX_MEDIA_BYTES = 64 * 1024 * 1024;

export function mediaKey(businessId: string, mediaId: string): string {
  return `media/${businessId}/${mediaId}`;
}

export function mediaUrl(env: Env, businessId: string, mediaId: string): string {
  return `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/media/${businessId}/${mediaId}`;
}

export async function storeMedia(
  env: Env,
  businessId: string,
  body: ReadableStream | ArrayBuffer,
  mimeType: string,
  fileName?: string,
): Promise<StoredMedia> {
  const mediaId = randomToken(24);
  const obj = await env.MEDIA.put(mediaKey(businessId, mediaId), body, {
    httpMetadata: { contentType: mimeType, ...(fileName ? { contentDisposition: `inline; filename="${fileName.replace(/["\\\r\n]/g, "_")}"` } : {}) },
    customMetadata: fileName ? { fileName } : {},
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
