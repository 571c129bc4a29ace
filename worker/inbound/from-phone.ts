// Messages the business sends from the phone itself (WhatsApp app or Web on the same number), forwarded by a
// v2 gateway as `inbound` frames with `from_me`: stored as outbound messages in the customer's conversation,
// status `sent`, source `agent` (a human wrote them), and shown in the inbox. A message Ping sent itself comes
// back the same way on some gateways: its provider id is already on a row, so it is not stored twice.
import { silenceAfterHuman } from "../ai/bot-state";
import { contactConversation } from "../crm/inbound-contact";
import { getAiSettings } from "../db/ai-settings";
import { database } from "../db/client";
import type { Device } from "../db/devices";
import { getMessageByProviderId, insertMessagesIdempotent } from "../db/messages";
import { messageCreated, publishInbox, type WaitUntil } from "../inbox/publish";

export type FromPhone = { providerMessageId: string; chatJid: string; text: string | null; kind: string; isGroup: boolean; timestamp: number };

export async function recordFromPhone(env: Env, device: Device, m: FromPhone, waitUntil: WaitUntil): Promise<boolean> {
  const db = database(env.DB);
  if (await getMessageByProviderId(db, device.deviceKey, m.providerMessageId)) return false;
  const now = Date.now();
  const { conversation } = await contactConversation(db, device, { chatJid: m.chatJid, senderName: null, isGroup: m.isGroup }, now);
  const [row] = await insertMessagesIdempotent(db, [
    {
      id: crypto.randomUUID(),
      businessId: device.businessId,
      deviceKey: device.deviceKey,
      direction: "out",
      idempotencyKey: `phone:${device.deviceKey}:${m.providerMessageId}`,
      to: m.chatJid,
      text: m.text,
      content: { kind: m.kind, from_phone: true },
      source: "agent",
      status: "sent",
      providerMessageId: m.providerMessageId,
      conversationId: conversation.id,
      // Already on WhatsApp: the outbox sweep must never pick it up.
      acceptedAt: now,
      // Arrival time, like inbound rows (the phone's clock is not trusted for ordering).
      createdAt: now,
    },
  ]);
  if (!row) return false;
  // Issue 12: a human replied from the phone, so the bot keeps quiet for a while.
  await silenceAfterHuman(db, device.businessId, conversation.id, (await getAiSettings(db, device.businessId)).humanSilenceMinutes, now);
  waitUntil(publishInbox(env, device.businessId, [messageCreated(row, device)]));
  return true;
}
