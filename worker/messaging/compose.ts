// One outbound message from a caller (REST API, the seed's send-message, the sandbox chat): resolve the
// device and the recipient, check the Cloud API window, then write the row and queue the job.
import { assertWithinLimit } from "../billing/limits";
import type { Business } from "../db/businesses";
import { isPackageActive } from "../db/businesses";
import type { Db } from "../db/client";
import { connectedDevices, type Device, getDevice } from "../db/devices";
import { getMessageByKey, type Message } from "../db/messages";
import { ApiError } from "../http/errors";
import { sha256Hex } from "../lib/crypto";
import { normalizePhone, toJid } from "../lib/phone";
import { ingestMediaUrl, type MediaByUrl } from "../media/send-media";
import { type OutboundContent, previewText } from "./content";
import { queueMessages } from "./enqueue";
import type { Lane } from "./pacing";
import { checkServiceWindow } from "./service-window";

const GROUP_ID = /^[0-9]{5,30}(-[0-9]{5,20})?@g\.us$/;

/** The seed: device_key is optional when the business has exactly one connected device; required for groups. */
export async function resolveDevice(db: Db, business: Business, deviceKey: string | null | undefined, isGroup: boolean): Promise<Device> {
  if (deviceKey) {
    const d = await getDevice(db, business.id, deviceKey);
    if (!d) throw new ApiError(404, "DEVICE_NOT_FOUND", "Device not found");
    if (d.status === "logged_out") throw new ApiError(409, "DEVICE_LOGGED_OUT", "This device is logged out of WhatsApp; pair it again");
    return d;
  }
  if (isGroup) throw new ApiError(400, "DEVICE_KEY_REQUIRED", "device_key is required when sending to a group");
  const candidates = await connectedDevices(db, business.id);
  if (candidates.length !== 1 || !candidates[0]) {
    throw new ApiError(400, "DEVICE_KEY_REQUIRED", "device_key is required: the business does not have exactly one connected device");
  }
  return candidates[0];
}

/** A phone in any common form (08…, +62 …, 62…) or a group id (…@g.us) → the WhatsApp JID. */
export function resolveRecipient(to: string, isGroup: boolean, country: string): string {
  const trimmed = to.trim();
  if (isGroup || trimmed.endsWith("@g.us")) {
    const id = trimmed.includes("@") ? trimmed : `${trimmed}@g.us`;
    if (!GROUP_ID.test(id)) throw new ApiError(400, "INVALID_GROUP_ID", `"${to}" is not a WhatsApp group id (…@g.us)`);
    return id;
  }
  // A WhatsApp @lid id (a contact whose number WhatsApp hides) is addressed as it is, never as a phone.
  if (/^\d{5,30}@lid$/.test(trimmed)) return trimmed;
  const p = normalizePhone(trimmed.replace(/@s\.whatsapp\.net$/, ""), country);
  if (!p.ok) throw new ApiError(400, "INVALID_PHONE", p.reason);
  return toJid(p.digits);
}

export type ComposeInput = {
  deviceKey?: string | null;
  to: string;
  isGroup: boolean;
  /** Media by URL is fetched into R2 here, after the idempotency and recipient checks, before the row is written. */
  content: OutboundContent | MediaByUrl;
  /** Caller's key (Idempotency-Key); a fresh one makes the send unique. */
  idempotencyKey: string;
  /** SHA-256 of the caller's request (idempotencyRequestHash): the same key with a different request is refused. */
  requestHash?: string | null;
  source: Message["source"];
  lane?: Lane;
  conversationId?: string | null;
};

export async function composeAndQueue(env: Env, db: Db, business: Business, input: ComposeInput): Promise<{ message: Message; created: boolean }> {
  if (!isPackageActive(business)) throw new ApiError(403, "PACKAGE_NOT_ACTIVE", "Your package is not active. Renew it to use this feature.");
  const existing = await getMessageByKey(db, business.id, input.idempotencyKey);
  if (existing) return { message: replayOf(existing, input), created: false };
  await assertWithinLimit(db, business, "messages_per_day");
  const device = await resolveDevice(db, business, input.deviceKey, input.isGroup);
  const to = resolveRecipient(input.to, input.isGroup, business.country);
  if (input.content.kind === "meta_template" && device.provider !== "cloud_api") {
    throw new ApiError(400, "TEMPLATE_NEEDS_CLOUD_API", "Meta templates can only be sent from a cloud_api device");
  }
  if (device.provider === "cloud_api") {
    const problem = await checkServiceWindow(db, business.id, device.deviceKey, to, input.content, Date.now());
    if (problem) throw new ApiError(422, "OUTSIDE_SERVICE_WINDOW", problem);
  }
  const content = input.content.kind === "media_url" ? await ingestMediaUrl(env, business.id, device.deviceKey, input.content) : input.content;
  const text = content.kind === "text" ? content.text : previewText(content);
  const [created] = await queueMessages(db, env.OUTBOUND, [
    {
      id: crypto.randomUUID(),
      businessId: business.id,
      deviceKey: device.deviceKey,
      idempotencyKey: input.idempotencyKey,
      to,
      text,
      content: content.kind === "text" ? null : content,
      source: input.source,
      lane: input.lane ?? "transactional",
      conversationId: input.conversationId ?? null,
      requestHash: input.requestHash ?? null,
    },
  ]);
  if (created) return { message: created, created: true };
  // A concurrent request with the same key won the insert.
  const raced = await getMessageByKey(db, business.id, input.idempotencyKey);
  if (!raced) throw new ApiError(409, "IDEMPOTENCY_CONFLICT", "A message with this idempotency key is being created; retry");
  return { message: replayOf(raced, input), created: false };
}

/** Stripe's rule: a key replays its first request only; reused with a different request it is refused. */
function replayOf(existing: Message, input: ComposeInput): Message {
  if (existing.requestHash && input.requestHash && existing.requestHash !== input.requestHash) {
    throw new ApiError(409, "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was already used with a different request; use a new key for a new message");
  }
  return existing;
}

/** The fingerprint of a send request for the Idempotency-Key check: its validated body, with the route it came to. */
export async function idempotencyRequestHash(route: string, body: unknown): Promise<string> {
  return sha256Hex(`${route}\n${JSON.stringify(body)}`);
}
