// The gateway channel between gateway-node and a device's DeviceSession Durable Object.
// Both sides import this module; docs/gateway-protocol.md explains every frame. JSON text frames only.
//
// Transport: one WebSocket per device, opened by the gateway at
//   GET /gateway/v1/devices/:device_key/ws   with   Authorization: Bearer <gateway_id>:<gateway_secret>
// The Worker authenticates the upgrade before forwarding it to the device's DeviceSession.
import { z } from "zod";

/** The newest version this code speaks. */
export const PROTOCOL_VERSION = 2;
/**
 * Versions the Worker accepts in `hello` during a rollout (docs/gateway-protocol.md, "Versioning"): a v1 gateway
 * keeps working while gateways are upgraded one by one; the Worker answers `welcome` with the gateway's version
 * and sends it only frames that version knows.
 */
export const SUPPORTED_VERSIONS = [1, 2] as const;
export const ProtocolVersion = z.union([z.literal(1), z.literal(2)]);
export type ProtocolVersion = z.infer<typeof ProtocolVersion>;

/**
 * Why a send failed, machine-readable (v2): `not_on_whatsapp` can be cached on the contact, `restricted` pauses
 * broadcasts on the number, `timeout` is WhatsApp not acknowledging, `media` the job's media could not be prepared.
 */
export const FailCode = z.enum(["not_on_whatsapp", "restricted", "blocked", "timeout", "media", "other"]);
export type FailCode = z.infer<typeof FailCode>;

export const SessionStatus = z.enum(["starting", "qr", "pairing_code", "connected", "logged_out", "failed", "disconnected"]);
export type SessionStatus = z.infer<typeof SessionStatus>;

const WaMessageId = z.string().min(1).max(200);
const JobId = z.string().min(1).max(100);

/** A media object's id in the Worker (192 random bits, base64url). */
export const MediaId = z.string().regex(/^[A-Za-z0-9_-]{32}$/);

/**
 * Outbound content a job carries. Media is never a URL: the Worker fetched it when the send was accepted and
 * the gateway downloads it by `media_id` from GET /gateway/v1/devices/:device_key/media/:media_id.
 */
export const JobContent = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), text: z.string().min(1).max(65536) }),
  z.object({
    kind: z.enum(["image", "video", "audio", "document"]),
    media_id: MediaId,
    mime_type: z.string().max(200),
    /** Bytes of the stored file. */
    size: z.number().int().nonnegative(),
    file_name: z.string().max(255).optional(),
    caption: z.string().max(4096).optional(),
  }),
  z.object({
    kind: z.literal("location"),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().max(200).optional(),
    address: z.string().max(500).optional(),
  }),
]);
export type JobContent = z.infer<typeof JobContent>;

export const InboundMessage = z.object({
  wa_message_id: WaMessageId,
  /** Chat JID: `62812…@s.whatsapp.net`, or `…@g.us` for groups. */
  chat_jid: z.string().max(200),
  /** Sender phone JID (resolved from `@lid` where WhatsApp gives both). */
  sender_jid: z.string().max(200),
  sender_lid: z.string().max(200).optional(),
  push_name: z.string().max(200).optional(),
  timestamp: z.number().int(),
  kind: z.enum(["text", "image", "video", "audio", "document", "sticker", "reaction", "location", "other"]),
  text: z.string().max(65536).nullable(),
  /** Set after the gateway uploaded the media with POST /gateway/v1/devices/:device_key/media. */
  media: z
    .object({ media_id: z.string().max(200), mime_type: z.string().max(200), size: z.number().int().nonnegative(), file_name: z.string().max(255).optional() })
    .optional(),
  quoted_wa_message_id: WaMessageId.optional(),
  reaction_to: WaMessageId.optional(),
  is_group: z.boolean(),
  is_ephemeral: z.boolean().default(false),
  /** v2: sent by the business from the phone (WhatsApp app or Web), not by a customer; stored as outbound. */
  from_me: z.boolean().optional(),
});
export type InboundMessage = z.infer<typeof InboundMessage>;

// ── gateway → DeviceSession ────────────────────────────────────────────────────────────────────────

export const GatewayFrame = z.discriminatedUnion("type", [
  /** First frame after the upgrade. Takes the device lease; a second gateway's hello is refused while it is held. */
  z.object({ type: z.literal("hello"), v: ProtocolVersion, gateway_id: z.string().max(100), status: SessionStatus }),
  /** Grants the object `n` more jobs (credit-based pull). Credits are not carried over a reconnect. */
  z.object({ type: z.literal("credit"), n: z.number().int().min(1).max(1000) }),
  /** The job was handed to WhatsApp; the message is `sent` with this id. Idempotent by job_id. */
  z.object({ type: z.literal("ack"), job_id: JobId, wa_message_id: WaMessageId }),
  /**
   * Several acks in one frame (added in v1, optional): a gateway that sends fast may batch the acks of the jobs
   * it sent in the same moment. Each item means exactly what an `ack` frame means.
   */
  z.object({
    type: z.literal("acks"),
    items: z.array(z.object({ job_id: JobId, wa_message_id: WaMessageId })).min(1).max(1000),
  }),
  /**
   * The job failed. retryable=true: handed out again later; false: the message is `failed` with the reason.
   * `code` (v2; absent from a v1 gateway, read as `other`) says why in a form the Worker acts on.
   */
  z.object({ type: z.literal("fail"), job_id: JobId, retryable: z.boolean(), reason: z.string().max(500), code: FailCode.optional() }),
  /** Session state for the dashboard; `qr` carries the QR string, `pairing_code` the code. */
  z.object({
    type: z.literal("status"),
    status: SessionStatus,
    qr: z.string().max(2000).optional(),
    pairing_code: z.string().max(20).optional(),
    phone: z.string().max(30).optional(),
    reason: z.string().max(500).optional(),
  }),
  /**
   * A message the device received, or (v2, `message.from_me`) one the business sent from the phone itself.
   * Answered by `inbound_ack` once stored; resent until then.
   */
  z.object({ type: z.literal("inbound"), event_id: z.string().max(200), message: InboundMessage }),
  /** Delivery/read receipt for a message this device sent. */
  z.object({ type: z.literal("receipt"), wa_message_id: WaMessageId, status: z.enum(["delivered", "read"]), timestamp: z.number().int() }),
  /** Keeps the device lease (and the socket) alive; sent every `heartbeat_ms`. */
  z.object({ type: z.literal("ping"), t: z.number() }),
]);
export type GatewayFrame = z.infer<typeof GatewayFrame>;

// ── DeviceSession → gateway ────────────────────────────────────────────────────────────────────────

export const ServerFrame = z.discriminatedUnion("type", [
  /** Answer to hello: the lease is held; renew it with ping within lease_ms. */
  z.object({ type: z.literal("welcome"), v: ProtocolVersion, lease_ms: z.number().int(), heartbeat_ms: z.number().int(), job_lease_ms: z.number().int() }),
  /**
   * One send. `job_id` is stable across redeliveries: a job whose lease expires unacked is sent again
   * with the same id and attempt+1, so the gateway can drop one it already sent (it keeps recent job ids).
   */
  z.object({
    type: z.literal("job"),
    job_id: JobId,
    message_id: z.string(),
    to: z.string().max(200),
    content: JobContent,
    attempt: z.number().int().min(1),
    lease_until: z.number().int(),
    /** Simulated typing before the send, ms (0 = none). */
    typing_ms: z.number().int().min(0).max(15000).default(0),
  }),
  /**
   * v2: show `composing` ("typing…") or `paused` in a chat, e.g. while a reply is being generated. Best effort:
   * no answer; the gateway drops it while WhatsApp is not connected.
   */
  z.object({ type: z.literal("presence"), to: z.string().max(200), state: z.enum(["composing", "paused"]) }),
  /** Start pairing: QR, or a pairing code for `phone`. */
  z.object({ type: z.literal("pair"), method: z.enum(["qr", "code"]), phone: z.string().max(30).optional() }),
  /** The admin logged the device out or deleted it: close the WhatsApp session and wipe its keys. */
  z.object({ type: z.literal("logout") }),
  z.object({ type: z.literal("inbound_ack"), event_id: z.string() }),
  z.object({ type: z.literal("pong"), t: z.number() }),
  /** A protocol error; `fatal` errors are followed by a close. */
  z.object({ type: z.literal("error"), code: z.string(), message: z.string(), fatal: z.boolean() }),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** A frame's JSON text checked against one side's schema; null for anything that is not a valid frame. */
function parseFrame<T>(schema: z.ZodType<T>, data: string): T | null {
  try {
    const r = schema.safeParse(JSON.parse(data));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export const parseGatewayFrame = (data: string): GatewayFrame | null => parseFrame(GatewayFrame, data);
export const parseServerFrame = (data: string): ServerFrame | null => parseFrame(ServerFrame, data);

/** WebSocket close codes the Worker uses (4000–4999 are application codes). */
export const CloseCode = {
  /** Bad gateway credentials, or the device is not assigned to this gateway: do not retry this device. */
  unauthorized: 4001,
  /** Another gateway holds the lease: back off and retry later. */
  leaseHeld: 4009,
  /** Protocol violation (bad frame, wrong version). */
  protocol: 4002,
  /** The device was deleted: stop hosting it. */
  deviceGone: 4004,
} as const;
