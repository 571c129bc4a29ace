// A gateway's `inbound` frame into the one inbound path: a customer's message through receiveInbound, or (v2,
// `from_me`) a message the business wrote from the phone itself, stored as outbound (from-phone.ts).
import type { InboundMessage } from "../../protocol/gateway-protocol";
import type { Device } from "../db/devices";
import type { WaitUntil } from "../inbox/publish";
import { recordFromPhone } from "./from-phone";
import { receiveInbound } from "./receive";

export async function storeGatewayInbound(env: Env, device: Device, m: InboundMessage, waitUntil: WaitUntil): Promise<void> {
  // Gateways send seconds (WhatsApp's own unit); milliseconds are accepted too.
  const timestamp = m.timestamp * (m.timestamp < 1e12 ? 1000 : 1);
  if (m.from_me) {
    await recordFromPhone(env, device, { providerMessageId: m.wa_message_id, chatJid: m.chat_jid, text: m.text, kind: m.kind, isGroup: m.is_group, timestamp }, waitUntil);
    return;
  }
  await receiveInbound(
    env,
    device,
    {
      providerMessageId: m.wa_message_id,
      chatJid: m.chat_jid,
      senderJid: m.sender_jid,
      senderName: m.push_name ?? null,
      timestamp,
      kind: m.kind,
      text: m.text,
      ...(m.media ? { media: m.media } : {}),
      isGroup: m.is_group,
      isEphemeral: m.is_ephemeral,
    },
    { sendReply: true, waitUntil },
  );
}
