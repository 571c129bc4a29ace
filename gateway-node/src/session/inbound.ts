// WhatsApp messages (Baileys' WAMessage) → the channel's InboundMessage. Pure; media bytes are fetched and
// uploaded by the session, which then fills `media`.
import { getContentType, isJidGroup, isLidUser, jidNormalizedUser, normalizeMessageContent, proto, type WAMessage } from "@whiskeysockets/baileys";
import type { InboundMessage } from "../../../protocol/gateway-protocol";

export type InboundKind = InboundMessage["kind"];
export type MediaRef = { kind: "image" | "video" | "audio" | "document" | "sticker"; mime_type: string; file_name?: string };
export type MappedInbound = { message: InboundMessage; media: MediaRef | null };

/** Resolves an `@lid` JID to the phone JID when WhatsApp told us the pair (key.*Alt or the LID mapping store). */
export type LidResolver = (lid: string) => Promise<string | null>;

const IGNORED_CHATS = new Set(["status@broadcast"]);

function textOf(m: proto.IMessage): string | null {
  return (
    m.conversation ??
    m.extendedTextMessage?.text ??
    m.imageMessage?.caption ??
    m.videoMessage?.caption ??
    m.documentMessage?.caption ??
    m.reactionMessage?.text ??
    m.locationMessage?.name ??
    null
  );
}

function contextOf(m: proto.IMessage): proto.IContextInfo | null | undefined {
  return (
    m.extendedTextMessage?.contextInfo ??
    m.imageMessage?.contextInfo ??
    m.videoMessage?.contextInfo ??
    m.audioMessage?.contextInfo ??
    m.documentMessage?.contextInfo ??
    m.stickerMessage?.contextInfo ??
    m.locationMessage?.contextInfo
  );
}

function kindAndMedia(m: proto.IMessage): { kind: InboundKind; media: MediaRef | null } {
  const type = getContentType(m);
  switch (type) {
    case "conversation":
    case "extendedTextMessage":
      return { kind: "text", media: null };
    case "imageMessage":
      return { kind: "image", media: { kind: "image", mime_type: m.imageMessage?.mimetype ?? "image/jpeg" } };
    case "videoMessage":
      return { kind: "video", media: { kind: "video", mime_type: m.videoMessage?.mimetype ?? "video/mp4" } };
    case "audioMessage":
      return { kind: "audio", media: { kind: "audio", mime_type: m.audioMessage?.mimetype ?? "audio/ogg" } };
    case "documentMessage":
      return {
        kind: "document",
        media: { kind: "document", mime_type: m.documentMessage?.mimetype ?? "application/octet-stream", file_name: m.documentMessage?.fileName ?? undefined },
      };
    case "stickerMessage":
      return { kind: "sticker", media: { kind: "sticker", mime_type: m.stickerMessage?.mimetype ?? "image/webp" } };
    case "reactionMessage":
      return { kind: "reaction", media: null };
    case "locationMessage":
    case "liveLocationMessage":
      return { kind: "location", media: null };
    default:
      return { kind: "other", media: null };
  }
}

function timestampOf(msg: WAMessage): number {
  const t = msg.messageTimestamp;
  if (typeof t === "number") return t;
  if (t && typeof t === "object" && "toNumber" in t) return t.toNumber();
  return Math.floor(Date.now() / 1000);
}

async function phoneJid(jid: string, alt: string | undefined, resolve: LidResolver): Promise<{ jid: string; lid?: string }> {
  if (!isLidUser(jid)) return { jid: jidNormalizedUser(jid) };
  if (alt && !isLidUser(alt)) return { jid: jidNormalizedUser(alt), lid: jid };
  const pn = await resolve(jid);
  return pn ? { jid: jidNormalizedUser(pn), lid: jid } : { jid, lid: jid };
}

/**
 * Maps one upserted message, or returns null for what is not a chat message: status broadcasts, protocol
 * messages (deletes, edits, key distribution) and empty stubs. A message the business sent from the phone itself
 * (`fromMe`, arriving as a new message) is mapped with `from_me: true` (protocol v2); the session forwards those
 * only to a v2 Worker, and never the echo of a send of its own (Baileys upserts those as `append`, not `notify`).
 */
export async function toInbound(msg: WAMessage, resolve: LidResolver): Promise<MappedInbound | null> {
  const key = msg.key;
  const remote = key.remoteJid;
  if (!remote || !key.id || IGNORED_CHATS.has(remote)) return null;
  const content = normalizeMessageContent(msg.message);
  if (!content || content.protocolMessage || content.senderKeyDistributionMessage && Object.keys(content).length === 1) return null;
  const isGroup = isJidGroup(remote) === true;
  const chat = isGroup ? { jid: remote } : await phoneJid(remote, key.remoteJidAlt, resolve);
  // The business's own message: the sender is the device itself (its JID is the Worker's to know).
  const sender: { jid: string; lid?: string } = key.fromMe ? { jid: "" } : isGroup ? await phoneJid(key.participant ?? remote, key.participantAlt, resolve) : chat;
  const { kind, media } = kindAndMedia(content);
  const ctx = contextOf(content);
  const reaction = content.reactionMessage;
  const ephemeral = (msg.message?.ephemeralMessage ?? null) !== null || (ctx?.expiration ?? 0) > 0;
  const message: InboundMessage = {
    wa_message_id: key.id,
    chat_jid: chat.jid,
    sender_jid: sender.jid,
    ...(sender.lid ? { sender_lid: sender.lid } : {}),
    ...(msg.pushName && !key.fromMe ? { push_name: msg.pushName } : {}),
    timestamp: timestampOf(msg),
    kind,
    text: kind === "location" ? (content.locationMessage?.name ?? content.locationMessage?.address ?? `${content.locationMessage?.degreesLatitude},${content.locationMessage?.degreesLongitude}`) : textOf(content),
    ...(ctx?.stanzaId ? { quoted_wa_message_id: ctx.stanzaId } : {}),
    ...(reaction?.key?.id ? { reaction_to: reaction.key.id } : {}),
    is_group: isGroup,
    is_ephemeral: ephemeral,
    ...(key.fromMe ? { from_me: true } : {}),
  };
  return { message, media };
}

/** Message status updates on our own sends → channel receipts. Status 3 = delivered, 4/5 = read/played. */
export function receiptStatus(status: number | null | undefined): "delivered" | "read" | null {
  if (status === proto.WebMessageInfo.Status.DELIVERY_ACK) return "delivered";
  if (status === proto.WebMessageInfo.Status.READ || status === proto.WebMessageInfo.Status.PLAYED) return "read";
  return null;
}
