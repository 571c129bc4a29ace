// Channel jobs → Baileys message content, the recipient JID, and the typing delay before a send.
import type { AnyMessageContent } from "@whiskeysockets/baileys";
import type { FailCode, JobContent } from "../../../protocol/gateway-protocol";

export type TypingPolicy = { msPerChar: number; minMs: number; maxMs: number };

/** A job's `to` is a phone number (digits, as the Worker normalised it) or a full JID. */
export function recipientJid(to: string): string {
  if (to.includes("@")) return to;
  const digits = to.replace(/\D/g, "");
  if (digits.length < 6) throw new SendError(`invalid recipient "${to}"`, false);
  return `${digits}@s.whatsapp.net`;
}

/**
 * How long to show "typing…" before a send: the Worker's value when it set one, otherwise proportional
 * to the text's length and bounded, like a person typing. 0 = no typing indicator.
 */
export function typingDelay(content: JobContent, fromWorker: number, policy: TypingPolicy): number {
  if (fromWorker > 0) return fromWorker;
  if (policy.msPerChar <= 0) return 0;
  const text = content.kind === "text" ? content.text : content.kind === "location" ? "" : (content.caption ?? "");
  return Math.min(policy.maxMs, Math.max(policy.minMs, text.length * policy.msPerChar));
}

/**
 * A send that did not happen. `retryable` tells the Worker whether to hand the job out again; `code` why, in the
 * protocol's machine-readable form (v2 `fail.code`).
 */
export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code: FailCode = "other",
  ) {
    super(message);
  }
}

/** Downloads a job's media from the Worker by its id (never from a URL: the job carries none). */
export type MediaFetcher = (mediaId: string) => Promise<Buffer>;

export async function messageContent(content: JobContent, fetchMedia: MediaFetcher): Promise<AnyMessageContent> {
  switch (content.kind) {
    case "text":
      return { text: content.text };
    case "location":
      return {
        location: { degreesLatitude: content.latitude, degreesLongitude: content.longitude, name: content.name, address: content.address },
      };
    case "image":
      return { image: await fetchMedia(content.media_id), mimetype: content.mime_type, caption: content.caption };
    case "video":
      return { video: await fetchMedia(content.media_id), mimetype: content.mime_type, caption: content.caption };
    case "audio":
      return { audio: await fetchMedia(content.media_id), mimetype: content.mime_type, ptt: content.mime_type.includes("ogg") };
    case "document":
      return {
        document: await fetchMedia(content.media_id),
        mimetype: content.mime_type,
        fileName: content.file_name ?? "document",
        caption: content.caption,
      };
  }
}
