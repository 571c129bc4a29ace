// Meta's WhatsApp Cloud API: sends with fetch to the Graph API. Configuration is per device, encrypted at rest.
import { z } from "zod";
import { mediaKey } from "../../inbound/media";
import { decryptSecret } from "../../lib/crypto";
import type { OutboundContent } from "../content";
import type { SendOutcome } from "./types";

export const CloudApiConfig = z.strictObject({
  phone_number_id: z.string().regex(/^\d{5,30}$/, "phone_number_id is the numeric id from Meta's dashboard"),
  access_token: z.string().min(10).max(1000),
  /** The Meta app's secret: checks X-Hub-Signature-256 on webhooks. */
  app_secret: z.string().min(8).max(200),
  /** Chosen by the user, entered in Meta's webhook settings: answers the verify-token challenge. */
  verify_token: z.string().min(8).max(200),
  /** The WhatsApp Business Account id: where the message templates live (template sync, broadcasts). */
  waba_id: z.string().regex(/^\d{5,30}$/, "waba_id is the numeric WhatsApp Business Account id from Meta's dashboard").optional(),
  /** Graph API base (tests and local development only; refused unless ALLOW_GRAPH_API_OVERRIDE=true). */
  graph_api_base: z.url().optional(),
});
export type CloudApiConfig = z.infer<typeof CloudApiConfig>;

export async function readCloudApiConfig(env: Env, sealed: string | null): Promise<CloudApiConfig | null> {
  if (!sealed) return null;
  const parsed = CloudApiConfig.safeParse(JSON.parse(await decryptSecret(env.SECRETS_KEY, sealed)));
  return parsed.success ? parsed.data : null;
}

export function graphBase(env: Env, cfg: CloudApiConfig): string {
  const base = env.ALLOW_GRAPH_API_OVERRIDE === "true" && cfg.graph_api_base ? cfg.graph_api_base : env.GRAPH_API_BASE;
  return base.replace(/\/+$/, "");
}

type MediaContent = Extract<OutboundContent, { kind: "image" | "video" | "audio" | "document" }>;

/**
 * The Graph API request body for one message (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages).
 * Media goes by the id Meta gave our upload of the R2 copy (`metaMediaId`), never by a link Meta would fetch.
 */
export function cloudApiBody(to: string, c: OutboundContent, metaMediaId?: string): Record<string, unknown> {
  const base = { messaging_product: "whatsapp", recipient_type: "individual", to };
  switch (c.kind) {
    case "text":
      return { ...base, type: "text", text: { body: c.text, preview_url: false } };
    case "meta_template":
      return {
        ...base,
        type: "template",
        template: {
          name: c.name,
          language: { code: c.language },
          components: c.components ?? (c.params.length ? [{ type: "body", parameters: c.params.map((text) => ({ type: "text", text })) }] : []),
        },
      };
    case "location":
      return { ...base, type: "location", location: { latitude: c.latitude, longitude: c.longitude, name: c.name, address: c.address } };
    case "document":
      return { ...base, type: "document", document: { id: metaMediaId, caption: c.caption, filename: c.file_name } };
    case "audio":
      return { ...base, type: "audio", audio: { id: metaMediaId } };
    default:
      return { ...base, type: c.kind, [c.kind]: { id: metaMediaId, caption: c.caption } };
  }
}

const GraphError = z.object({ error: z.object({ message: z.string(), code: z.number().optional(), error_subcode: z.number().optional() }) });
const GraphSent = z.object({ messages: z.array(z.object({ id: z.string() })).min(1) });

// Meta's throttling and transient codes; everything else in 4xx is the request's fault and will not improve.
const RETRYABLE_CODES = new Set([1, 2, 4, 17, 80007, 130429, 131000, 131016, 131048, 131056, 133004]);

/** Meta's answer to a failed call: the reason, and whether the same call may pass later. */
function graphFailure(res: Response, body: unknown, what: string): { ok: false; retryable: boolean; reason: string } {
  const err = GraphError.safeParse(body);
  const code = err.success ? err.data.error.code : undefined;
  const reason = err.success ? `${what} error ${code ?? res.status}: ${err.data.error.message}` : `${what} HTTP ${res.status}`;
  const retryable = res.status >= 500 || res.status === 429 || (code !== undefined && RETRYABLE_CODES.has(code));
  return { ok: false, retryable, reason };
}

const GraphUploaded = z.object({ id: z.string().min(1) });

/**
 * Uploads the R2 copy of a send's media to Meta (POST /{phone-number-id}/media, multipart, as Meta documents:
 * https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media) and answers Meta's media id. An
 * upload creates no message, so a retry after a failed send simply uploads again.
 */
export async function cloudApiUploadMedia(
  env: Env,
  cfg: CloudApiConfig,
  businessId: string,
  c: MediaContent,
): Promise<{ ok: true; id: string } | { ok: false; retryable: boolean; reason: string }> {
  const obj = await env.MEDIA.get(mediaKey(businessId, c.media_id));
  if (!obj) return { ok: false, retryable: false, reason: `media ${c.media_id} is no longer stored` };
  const form = new FormData();
  form.set("messaging_product", "whatsapp");
  form.set("type", c.mime_type);
  form.set("file", new File([await obj.arrayBuffer()], c.file_name ?? `${c.kind}`, { type: c.mime_type }));
  let res: Response;
  try {
    res = await fetch(`${graphBase(env, cfg)}/${env.GRAPH_API_VERSION}/${cfg.phone_number_id}/media`, {
      method: "POST",
      headers: { authorization: `Bearer ${cfg.access_token}` },
      body: form,
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    return { ok: false, retryable: true, reason: `Graph API media upload failed: ${String(e)}` };
  }
  const body: unknown = await res.json().catch(() => null);
  const uploaded = GraphUploaded.safeParse(body);
  if (res.ok && uploaded.success) return { ok: true, id: uploaded.data.id };
  return graphFailure(res, body, "Cloud API media upload");
}

export async function cloudApiSend(env: Env, cfg: CloudApiConfig, toDigits: string, c: OutboundContent, businessId: string): Promise<SendOutcome> {
  let metaMediaId: string | undefined;
  if (c.kind === "image" || c.kind === "video" || c.kind === "audio" || c.kind === "document") {
    // A row from before media objects has no media_id: the upload finds nothing and the send fails, never a link.
    const uploaded = await cloudApiUploadMedia(env, cfg, businessId, c);
    if (!uploaded.ok) return uploaded;
    metaMediaId = uploaded.id;
  }
  let res: Response;
  try {
    res = await fetch(`${graphBase(env, cfg)}/${env.GRAPH_API_VERSION}/${cfg.phone_number_id}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${cfg.access_token}`, "content-type": "application/json" },
      body: JSON.stringify(cloudApiBody(toDigits, c, metaMediaId)),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    // A timeout is ambiguous (Meta may have sent it), and Meta has no idempotency key: never resend then.
    if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) {
      return { ok: false, retryable: false, reason: "No answer from the Graph API within 15 s; not retried so the customer cannot get it twice" };
    }
    return { ok: false, retryable: true, reason: `Graph API unreachable: ${String(e)}` };
  }
  const body: unknown = await res.json().catch(() => null);
  const sent = GraphSent.safeParse(body);
  if (res.ok && sent.success) return { ok: true, providerMessageId: sent.data.messages[0]?.id ?? "" };
  return graphFailure(res, body, "Cloud API");
}

/** Inbound media: look the id up, then download it with the same token (two Graph API calls, as Meta documents). */
export async function cloudApiDownloadMedia(env: Env, cfg: CloudApiConfig, mediaId: string): Promise<{ body: ArrayBuffer; mimeType: string } | null> {
  const auth = { authorization: `Bearer ${cfg.access_token}` };
  const meta = await fetch(`${graphBase(env, cfg)}/${env.GRAPH_API_VERSION}/${encodeURIComponent(mediaId)}`, { headers: auth, signal: AbortSignal.timeout(15_000) });
  const info = z.object({ url: z.url(), mime_type: z.string() }).safeParse(await meta.json().catch(() => null));
  if (!meta.ok || !info.success) return null;
  const file = await fetch(info.data.url, { headers: auth, signal: AbortSignal.timeout(30_000) });
  if (!file.ok) return null;
  return { body: await file.arrayBuffer(), mimeType: info.data.mime_type };
}
