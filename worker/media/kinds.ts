// What each media kind may be: the content types a send of that kind accepts, its size cap, and which types a
// browser may show inline. Pure; the fetch (fetch-remote.ts) and the serving (serving.ts) apply it.
import type { MediaKind } from "../db/schema";

/** `type/subtype`, lowercased, without parameters; null when the header is not a well-formed media type. */
export function mimeEssence(contentType: string | null | undefined): string | null {
  const essence = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(essence) ? essence : null;
}

const MB = 1024 * 1024;

/**
 * Per kind: WhatsApp's own limits (Cloud API media reference) for images, video and audio. Documents are capped
 * at 32 MB, below WhatsApp's 100 MB, because the Worker holds a file in memory while copying it (128 MB limit).
 * `types: null` = any well-formed type (documents are files of any type; they are always served as attachments).
 */
export const SEND_MEDIA_RULES: Record<MediaKind, { maxBytes: number; types: readonly string[] | null }> = {
  image: { maxBytes: 5 * MB, types: ["image/jpeg", "image/png"] },
  video: { maxBytes: 16 * MB, types: ["video/mp4", "video/3gpp"] },
  audio: { maxBytes: 16 * MB, types: ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"] },
  document: { maxBytes: 32 * MB, types: null },
};

/** Whether a content type fits a declared kind (what a send of that kind may carry). */
export function typeFitsKind(kind: MediaKind, essence: string): boolean {
  const types = SEND_MEDIA_RULES[kind].types;
  return types === null || types.includes(essence);
}

/**
 * Types a browser may render inline from /media: raster images, audio and video, which run no script. Anything
 * else (HTML, SVG, XML, PDF, text…) is served as an attachment. An allow-list: an unknown type is never inline.
 */
export const INLINE_TYPES: ReadonlySet<string> = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "audio/aac",
  "audio/amr",
  "audio/mpeg",
  "audio/mp4",
  "audio/ogg",
  "audio/opus",
  "audio/wav",
  "audio/webm",
  "video/mp4",
  "video/3gpp",
  "video/webm",
  "video/quicktime",
]);
