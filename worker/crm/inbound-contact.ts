// The inbound path's CRM step: the sender becomes (or merges into) a contact, and the message lands in the
// conversation of that contact on the device's channel.
import type { Db } from "../db/client";
import { whatsappChannel } from "../db/channels";
import { type Contact, recordContact, updateContact } from "../db/contacts";
import { type Conversation, upsertConversation } from "../db/conversations";
import type { Device } from "../db/devices";

export type InboundChat = { chatJid: string; senderName: string | null; isGroup: boolean };

export async function contactConversation(db: Db, device: Device, m: InboundChat, now: number): Promise<{ contact: Contact; conversation: Conversation }> {
  const recorded = await recordContact(db, device.businessId, {
    waJid: m.chatJid,
    // A group's name is not the sender's: a group contact is named by a person, not by its members.
    name: m.isGroup ? null : m.senderName,
    isGroup: m.isGroup,
    source: "whatsapp",
    at: now,
  });
  if (!recorded) throw new Error(`inbound chat ${m.chatJid} names no contact`);
  let contact = recorded.contact;
  // They just wrote from WhatsApp: the number is on WhatsApp.
  if (contact.onWhatsapp !== "yes" && contact.phone) contact = (await updateContact(db, device.businessId, contact.id, { onWhatsapp: "yes" })) ?? contact;
  const channel = await whatsappChannel(db, device);
  const conversation = await upsertConversation(db, device.businessId, channel, contact.id, now);
  return { contact, conversation };
}
