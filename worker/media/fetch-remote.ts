// The Worker fetching a tenant's media URL, once, when the send is accepted: every hop checked by the URL guard
// (redirects followed by hand, each new target checked again), no credentials, a size cap per kind, and the
// content type checked against the declared kind. Nothing downstream (gateway, Meta) ever sees the URL.
import type { MediaKind } from "../db/schema";
import { ApiError } from "../http/errors";
import { readCapped } from "../lib/read-capped";
import { guardUrl } from "../lib/url-guard";
import { mimeEssence, SEND_MEDIA_RULES, typeFitsKind } from "./kinds";

export const MAX_MEDIA_REDIRECTS = 5;
export const MEDIA_FETCH_TIMEOUT_MS = 20_000;

export type FetchedMedia = { bytes: Uint8Array; mimeType: string };

const invalidUrl = (reason: string) => new ApiError(400, "INVALID_MEDIA_URL", `media.url: ${reason}`);
const fetchFailed = (reason: string) => new ApiError(422, "MEDIA_FETCH_FAILED", `media.url could not be fetched: ${reason}`);

function tooLarge(kind: MediaKind): ApiError {
  return new ApiError(413, "MEDIA_TOO_LARGE", `A ${kind} may be at most ${SEND_MEDIA_RULES[kind].maxBytes / 1024 / 1024} MB`);
}

/**
 * Fetches `rawUrl` as media of `kind`. Throws ApiError: 400 INVALID_MEDIA_URL (the URL or a redirect target is
 * not public http(s)), 413 MEDIA_TOO_LARGE, 422 MEDIA_TYPE_MISMATCH or MEDIA_FETCH_FAILED.
 */
export async function fetchRemoteMedia(env: Env, rawUrl: string, kind: MediaKind): Promise<FetchedMedia> {
  const rules = SEND_MEDIA_RULES[kind];
  const signal = AbortSignal.timeout(MEDIA_FETCH_TIMEOUT_MS);
  let url = rawUrl;
  for (let hop = 0; ; hop++) {
    const verdict = await guardUrl(env, "media", url);
    if (!verdict.ok) throw invalidUrl(hop === 0 ? verdict.reason : `redirected to a refused target (${verdict.reason})`);
    let res: Response;
    try {
      res = await fetch(verdict.url, { redirect: "manual", headers: { accept: "*/*", "user-agent": "Ping-Media/1.0" }, signal });
    } catch (e) {
      const timeout = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
      throw fetchFailed(timeout ? `no complete answer within ${MEDIA_FETCH_TIMEOUT_MS / 1000} s` : "the server could not be reached");
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const location = res.headers.get("location");
      if (!location) throw fetchFailed(`HTTP ${res.status} without a Location`);
      if (hop >= MAX_MEDIA_REDIRECTS) throw fetchFailed(`more than ${MAX_MEDIA_REDIRECTS} redirects`);
      url = new URL(location, verdict.url).toString();
      continue;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw fetchFailed(`HTTP ${res.status}`);
    }
    const essence = mimeEssence(res.headers.get("content-type"));
    if (!essence || !typeFitsKind(kind, essence)) {
      await res.body.cancel();
      throw new ApiError(422, "MEDIA_TYPE_MISMATCH", `media.url serves ${essence ?? "no valid Content-Type"}, which is not a ${kind} WhatsApp accepts`);
    }
    const declared = Number(res.headers.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > rules.maxBytes) {
      await res.body.cancel();
      throw tooLarge(kind);
    }
    let bytes: Uint8Array | null;
    try {
      bytes = await readCapped(res.body, rules.maxBytes);
    } catch {
      throw fetchFailed("the download was interrupted");
    }
    if (!bytes) throw tooLarge(kind);
    if (bytes.byteLength === 0) throw fetchFailed("the file is empty");
    return { bytes, mimeType: essence };
  }
}
