// Resolves what a broadcast's message refers to (a saved template, a media object, a synced Meta template), all
// read through the business, and checks it fits the device: a cloud_api device sends only approved Meta
// templates (business-initiated messages outside the 24 h window), other devices never send Meta templates.
import { listFields } from "../db/contact-fields";
import type { Db } from "../db/client";
import { type Device, getDevice } from "../db/devices";
import { getMediaObject } from "../db/media-objects";
import { getMetaTemplate } from "../db/meta-templates";
import type { MediaKind } from "../db/schema";
import { getTemplate } from "../db/templates";
import { ApiError } from "../http/errors";
import { mimeEssence, SEND_MEDIA_RULES, typeFitsKind } from "../media/kinds";
import { acceptMediaUrl, ingestMediaUrl } from "../media/send-media";
import { type BroadcastMessage, type BroadcastMessageInput, messageType, type Plan, planOf, type ResolvedMessage } from "./message";

const bad = (code: string, message: string) => new ApiError(400, code, message);

/** Inbound files carry no kind: the one a send of their type would be. */
function kindOf(stored: MediaKind | null, essence: string): MediaKind {
  if (stored) return stored;
  const top = essence.split("/")[0];
  return top === "image" || top === "video" || top === "audio" ? top : "document";
}

/** Cloud API numbers send only Meta templates to people outside the 24 h window; other numbers cannot send them. */
function assertKindFits(device: Pick<Device, "provider">, type: ReturnType<typeof messageType>): void {
  if (device.provider === "cloud_api" && type !== "meta_template") {
    throw bad("TEMPLATE_REQUIRED", "Cloud API devices can broadcast only approved Meta templates: use message type meta_template");
  }
  if (device.provider !== "cloud_api" && type === "meta_template") throw bad("TEMPLATE_NEEDS_CLOUD_API", "Meta templates can only be broadcast from a cloud_api device");
}

export async function resolveMessage(db: Db, businessId: string, device: Pick<Device, "provider" | "deviceKey">, m: BroadcastMessage): Promise<ResolvedMessage> {
  assertKindFits(device, messageType(m));
  switch (m.type) {
    case "meta_template": {
      const t = await getMetaTemplate(db, businessId, device.deviceKey, m.name, m.language);
      if (!t) throw bad("UNKNOWN_TEMPLATE", `No template ${m.name} (${m.language}) on this device: sync its templates first`);
      if (t.status !== "APPROVED") throw bad("TEMPLATE_NOT_APPROVED", `Template ${m.name} (${m.language}) is ${t.status}; only APPROVED templates can be broadcast`);
      return { ...m, resolved: { category: t.category, components: t.components } };
    }
    case "template": {
      const t = await getTemplate(db, businessId, m.template_id);
      if (!t) throw bad("UNKNOWN_TEMPLATE", `No saved template ${m.template_id}`);
      return { ...m, resolved: { name: t.name, body: t.body } };
    }
    case "media": {
      const o = await getMediaObject(db, businessId, m.media_id);
      if (!o) throw bad("UNKNOWN_MEDIA", `No media ${m.media_id} in this business`);
      const essence = mimeEssence(o.mimeType) ?? "";
      const kind = kindOf(o.kind, essence);
      if (!typeFitsKind(kind, essence)) throw bad("MEDIA_TYPE_MISMATCH", `A ${o.mimeType} file cannot be sent as ${kind}`);
      if (o.size > SEND_MEDIA_RULES[kind].maxBytes) throw bad("MEDIA_TOO_LARGE", `The file is ${o.size} bytes; a ${kind} may be at most ${SEND_MEDIA_RULES[kind].maxBytes}`);
      if (kind === "audio" && (m.caption || m.captions?.length)) throw bad("CAPTION_NOT_ALLOWED", "WhatsApp sends audio without a caption");
      return { ...m, resolved: { kind, mime_type: o.mimeType, size: o.size, ...(o.fileName ? { file_name: o.fileName } : {}) } };
    }
    default:
      return { type: "text", texts: m.texts, variable_defaults: m.variable_defaults };
  }
}

/** Resolves and checks every variable against the business's custom fields: the renderer, or a 400. */
export async function checkedPlan(db: Db, businessId: string, broadcastId: string, device: Pick<Device, "provider" | "deviceKey">, m: BroadcastMessage): Promise<{ resolved: ResolvedMessage; plan: Plan }> {
  const resolved = await resolveMessage(db, businessId, device, m);
  const fields = new Set((await listFields(db, businessId)).map((f) => f.key));
  const p = planOf(resolved, broadcastId, fields);
  if (!p.ok) throw bad(p.code, p.message);
  return { resolved, plan: p.plan };
}

/**
 * A media message given by URL becomes one by id: the URL guard's checks, then the Worker fetches the file once
 * into R2 as a media object of the business and device (worker/media/send-media.ts). Other messages pass as they are.
 */
export async function ingestMessageMedia(env: Env, db: Db, businessId: string, deviceKey: string, m: BroadcastMessageInput): Promise<BroadcastMessage> {
  if (m.type !== "media" || !("url" in m)) return m;
  const { url, media_kind, mime_type, file_name, ...rest } = m;
  const accepted = acceptMediaUrl(env, { media_kind, url, mime_type, ...(file_name ? { file_name } : {}) });
  // Nothing is fetched for a device that could not send it.
  const device = await getDevice(db, businessId, deviceKey);
  if (!device) throw bad("UNKNOWN_DEVICE", "No such device in this business");
  assertKindFits(device, "media");
  const stored = await ingestMediaUrl(env, businessId, deviceKey, accepted);
  if (stored.kind === "text" || stored.kind === "location") throw bad("MEDIA_TYPE_MISMATCH", "not a media file");
  return { ...rest, media_id: stored.media_id };
}
