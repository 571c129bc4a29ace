// Visitor file uploads (images and PDF): the type is declared by Content-Type and must match the file's first
// bytes (a "PNG" that is HTML is refused); at most MAX_UPLOAD_BYTES. Stored through the media path (R2 +
// media_objects) and served inert by /media (sandbox CSP, nosniff, attachment for non-images).
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

const MAGIC: Record<string, (b: Uint8Array) => boolean> = {
  "image/png": (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
  "image/jpeg": (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  "image/gif": (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38,
  "image/webp": (b) => String.fromCharCode(...b.slice(0, 4)) === "RIFF" && String.fromCharCode(...b.slice(8, 12)) === "WEBP",
  "application/pdf": (b) => String.fromCharCode(...b.slice(0, 5)) === "%PDF-",
};

export const UPLOAD_TYPES = Object.keys(MAGIC);

/** null when the bytes are what the declared type says, else the reason. */
export function checkUpload(mime: string, bytes: Uint8Array): string | null {
  const check = MAGIC[mime];
  if (!check) return `only ${UPLOAD_TYPES.join(", ")}`;
  if (bytes.byteLength === 0) return "empty file";
  return check(bytes) ? null : "the file is not what its type says";
}

/** A safe display name: no path, no control characters, at most 100 characters. */
export function uploadName(raw: string | undefined, mime: string): string {
  const base = (raw ?? "").split(/[\\/]/).pop()?.replace(/[\u0000-\u001f\u007f"<>]/g, "").trim().slice(0, 100);
  return base || (mime === "application/pdf" ? "dokumen.pdf" : "gambar");
}
