// Meta's WhatsApp Cloud API webhook for one device: GET answers the verify-token challenge; POST carries
// messages and status callbacks, signed with X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the
// app secret), which is checked on the exact bytes before anything is parsed.
import { Hono } from "hono";
import { z } from "zod";
import { database } from "../db/client";
import { type Device, getDeviceByKey } from "../db/devices";
import { setStatusByProviderId } from "../db/messages";
import { readCappedBody } from "../http/capped-body";
import { ApiError, notFound } from "../http/errors";
import type { InboxEvent } from "../inbox/events";
import { publishInbox } from "../inbox/publish";
import type { AppEnv } from "../http/types";
import { hmacSha256, safeEqual, toHex } from "../lib/crypto";
import { cloudApiDownloadMedia, type CloudApiConfig, readCloudApiConfig } from "../messaging/providers/cloud-api";
import { storeMedia, type StoredMedia } from "./media";
import { type InboundKind, receiveInbound } from "./receive";

const MAX_WEBHOOK_BYTES = 1024 * 1024;

const MediaRef = z.object({ id: z.string(), mime_type: z.string().optional(), caption: z.string().optional(), filename: z.string().optional() });

const MetaMessage = z.object({
  from: z.string(),
  id: z.string(),
  timestamp: z.string(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  image: MediaRef.optional(),
  video: MediaRef.optional(),
  audio: MediaRef.optional(),
  document: MediaRef.optional(),
  sticker: MediaRef.optional(),
  reaction: z.object({ message_id: z.string(), emoji: z.string().optional() }).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }).optional(),
  button: z.object({ text: z.string() }).optional(),
  interactive: z.unknown().optional(),
});

const MetaStatus = z.object({
  id: z.string(),
  status: z.enum(["sent", "delivered", "read", "failed"]).or(z.string()),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z.array(z.object({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional(), error_data: z.object({ details: z.string() }).optional() })).optional(),
});

const MetaWebhook = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      changes: z.array(
        z.object({
          field: z.string(),
          value: z.object({
            metadata: z.object({ phone_number_id: z.string() }).optional(),
            contacts: z.array(z.object({ wa_id: z.string(), profile: z.object({ name: z.string() }).optional() })).optional(),
            messages: z.array(MetaMessage).optional(),
            statuses: z.array(MetaStatus).optional(),
          }),
        }),
      ),
    }),
  ),
});
type MetaMessage = z.infer<typeof MetaMessage>;

async function cloudDevice(env: Env, key: string): Promise<{ device: Device; cfg: CloudApiConfig }> {
  if (!/^[0-9a-f-]{36}$/.test(key)) throw notFound("Device");
  const device = await getDeviceByKey(database(env.DB), key);
  if (!device || device.provider !== "cloud_api") throw notFound("Device");
  const cfg = await readCloudApiConfig(env, device.providerConfigEnc);
  if (!cfg) throw new ApiError(409, "NOT_CONFIGURED", "Cloud API credentials are not set for this device");
  return { device, cfg };
}

export async function validHubSignature(appSecret: string, raw: Uint8Array, header: string | undefined): Promise<boolean> {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(header ?? "")?.[1]?.toLowerCase() ?? "";
  const expected = toHex(await hmacSha256(appSecret, raw));
  return (await safeEqual(given, expected)) && given.length === 64;
}

const KnownKind = z.enum(["text", "image", "video", "audio", "document", "sticker", "reaction", "location"]);

function kindOf(m: MetaMessage): InboundKind {
  if (m.type === "button") return "text";
  const k = KnownKind.safeParse(m.type);
  return k.success ? k.data : "other";
}

async function inboundMedia(env: Env, device: Device, cfg: CloudApiConfig, m: MetaMessage): Promise<StoredMedia | undefined> {
  const ref = m.image ?? m.video ?? m.audio ?? m.document;
  if (!ref) return undefined;
  const file = await cloudApiDownloadMedia(env, cfg, ref.id);
  if (!file) return undefined;
  return storeMedia(env, device.businessId, file.body, ref.mime_type ?? file.mimeType, ref.filename);
}

export const metaWebhookApi = new Hono<AppEnv>()
  .get("/:device_key", async (c) => {
    const { cfg } = await cloudDevice(c.env, c.req.param("device_key"));
    const mode = c.req.query("hub.mode");
    const token = c.req.query("hub.verify_token") ?? "";
    const challenge = c.req.query("hub.challenge") ?? "";
    if (mode !== "subscribe" || !(await safeEqual(token, cfg.verify_token))) throw new ApiError(403, "VERIFY_TOKEN_MISMATCH", "hub.verify_token does not match");
    return c.text(challenge, 200);
  })
  .post("/:device_key", async (c) => {
    const { device, cfg } = await cloudDevice(c.env, c.req.param("device_key"));
    // Capped while reading: a huge body is cut off at MAX_WEBHOOK_BYTES, not buffered first.
    const raw = await readCappedBody(c.req.raw, MAX_WEBHOOK_BYTES);
    if (!raw) throw new ApiError(413, "PAYLOAD_TOO_LARGE", "Webhook body too large");
    if (!(await validHubSignature(cfg.app_secret, raw, c.req.header("x-hub-signature-256")))) {
      throw new ApiError(401, "INVALID_SIGNATURE", "X-Hub-Signature-256 does not match the body");
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      throw new ApiError(400, "INVALID_JSON", "Body is not JSON");
    }
    const parsed = MetaWebhook.safeParse(json);
    if (!parsed.success) throw new ApiError(400, "VALIDATION_ERROR", "Not a WhatsApp Business webhook body");
    const db = database(c.env.DB);
    let messages = 0;
    let statuses = 0;
    const live: InboxEvent[] = [];
    for (const entry of parsed.data.entry) {
      for (const change of entry.changes) {
        if (change.field !== "messages") continue;
        const v = change.value;
        // One app can serve several numbers: only this device's number is ours to take.
        if (v.metadata && v.metadata.phone_number_id !== cfg.phone_number_id) continue;
        for (const s of v.statuses ?? []) {
          if (s.status !== "sent" && s.status !== "delivered" && s.status !== "read" && s.status !== "failed") continue;
          const err = s.errors?.[0];
          const reason = err ? `Cloud API error ${err.code ?? ""}: ${err.error_data?.details ?? err.message ?? err.title ?? "failed"}`.trim() : undefined;
          const error = s.status === "failed" ? (reason ?? "failed") : undefined;
          const moved = await setStatusByProviderId(db, device.deviceKey, s.id, s.status, error);
          if (moved) live.push({ type: "message.status", message: { id: moved, device_key: device.deviceKey, status: s.status, error: error ?? null } });
          statuses++;
        }
        for (const m of v.messages ?? []) {
          const jid = `${m.from}@s.whatsapp.net`;
          const name = v.contacts?.find((ct) => ct.wa_id === m.from)?.profile?.name ?? null;
          const media = await inboundMedia(c.env, device, cfg, m);
          const ref = m.image ?? m.video ?? m.audio ?? m.document;
          await receiveInbound(
            c.env,
            device,
            {
              providerMessageId: m.id,
              chatJid: jid,
              senderJid: jid,
              senderName: name,
              timestamp: Number(m.timestamp) * 1000,
              kind: kindOf(m),
              text: m.text?.body ?? m.button?.text ?? ref?.caption ?? (m.location ? (m.location.name ?? `${m.location.latitude},${m.location.longitude}`) : null),
              ...(media ? { media } : {}),
              isGroup: false,
              isEphemeral: false,
            },
            { sendReply: true, waitUntil: (p) => c.executionCtx.waitUntil(p) },
          );
          messages++;
        }
      }
    }
    c.executionCtx.waitUntil(publishInbox(c.env, device.businessId, live));
    return c.json({ received: true, messages, statuses });
  });
