// Media of an outbound send, given by URL: checked when the send is accepted, fetched by the Worker into R2
// once, recorded as a media object of the business and the device, and from then on only its id travels
// (the message row, the device's outbox, the gateway job, the Cloud API upload). Every producer of media
// sends (the REST API today; broadcasts later) goes through acceptMediaUrl, then ingestMediaUrl.
import type { JobContent } from "../../protocol/gateway-protocol";
import type { MediaKind } from "../db/schema";
import { ApiError } from "../http/errors";
import { storeMedia } from "../inbound/media";
import { checkUrl, guardPolicy } from "../lib/url-guard";
import { fetchRemoteMedia } from "./fetch-remote";
import { mimeEssence, typeFitsKind } from "./kinds";

/** A caller's media by URL, before the Worker has fetched it. */
export type MediaByUrl = { kind: "media_url"; media_kind: MediaKind; url: string; mime_type: string; file_name?: string; caption?: string };

/**
 * The checks that need no network, for an immediate 400: the URL's scheme, host form and address (the guard's
 * literal check) and the declared type against the declared kind. DNS and the fetch come in ingestMediaUrl.
 */
export function acceptMediaUrl(env: Env, m: Omit<MediaByUrl, "kind">): MediaByUrl {
  const verdict = checkUrl(m.url, guardPolicy(env, "media"));
  if (!verdict.ok) throw new ApiError(400, "INVALID_MEDIA_URL", `media.url: ${verdict.reason}`);
  const declared = mimeEssence(m.mime_type);
  if (!declared || !typeFitsKind(m.media_kind, declared)) {
    throw new ApiError(400, "MEDIA_TYPE_MISMATCH", `media.mime_type ${m.mime_type} is not a ${m.media_kind} WhatsApp accepts`);
  }
  return { kind: "media_url", ...m };
}

/** Fetches the file through the guard into R2 and answers the job content that carries its id. */
export async function ingestMediaUrl(env: Env, businessId: string, deviceKey: string, m: MediaByUrl): Promise<JobContent> {
  const fetched = await fetchRemoteMedia(env, m.url, m.media_kind);
  // The declared type keeps its parameters (audio/ogg; codecs=opus) when the server agrees on the type itself.
  const mimeType = mimeEssence(m.mime_type) === fetched.mimeType ? m.mime_type : fetched.mimeType;
  const stored = await storeMedia(env, { businessId, deviceKey, direction: "out", kind: m.media_kind, sourceUrl: m.url.slice(0, 2000) }, fetched.bytes, mimeType, m.file_name);
  return {
    kind: m.media_kind,
    media_id: stored.media_id,
    mime_type: mimeType,
    size: stored.size,
    ...(m.file_name !== undefined ? { file_name: m.file_name } : {}),
    ...(m.caption !== undefined ? { caption: m.caption } : {}),
  };
}
