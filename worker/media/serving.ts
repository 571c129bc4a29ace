// How a stored file is served, decided when it is served (never from what was stored with it): inline only
// for the INLINE_TYPES allow-list, every other type as an attachment, and every response sandboxed so that
// even a browser that renders it runs no script on Ping's origin. Pure: media-routes.ts does the I/O.
import { INLINE_TYPES, mimeEssence } from "./kinds";

/** Applied to every media response, whatever its type. */
export const MEDIA_CSP = "sandbox; default-src 'none'";

export type ServedFile = { contentType: string | undefined; fileName: string | undefined; size: number; etag: string };

/** RFC 6266 / RFC 8187: an ASCII fallback name and the exact UTF-8 name. */
function dispositionFor(type: "inline" | "attachment", fileName: string | undefined): string {
  if (!fileName) return type;
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function mediaResponseHeaders(file: ServedFile): Headers {
  const essence = mimeEssence(file.contentType);
  const inline = essence !== null && INLINE_TYPES.has(essence);
  const headers = new Headers({
    // A malformed stored type is served as bytes, never sniffed.
    "content-type": essence && file.contentType ? file.contentType.replace(/[\r\n]/g, "") : "application/octet-stream",
    "content-length": String(file.size),
    "content-disposition": dispositionFor(inline ? "inline" : "attachment", file.fileName),
    "content-security-policy": MEDIA_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    etag: file.etag,
    "cache-control": "private, max-age=86400, immutable",
  });
  return headers;
}
