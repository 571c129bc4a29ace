// Lynk (lynk.id) payment events. Signed with hex(SHA-256(grandTotal + refId + message_id + merchant key)).
import { safeEqual, sha256Hex } from "../../lib/crypto";
import { resolvePath } from "../path";
import { idText, type SourceAdapter, userAgentIs } from "./types";

/** The seed's sample payload ("Payload Lynk"). */
export const LYNK_SAMPLE = {
  event: "payment.received",
  data: {
    message_action: "SUCCESS",
    message_code: "0",
    message_data: {
      refId: "13f8d23beeb2aacbbc01c94060cc88d7",
      createdAt: "2025-04-10T14:30:45",
      customer: { name: "Lynk User", email: "user@example.com", phone: "0812345677889" },
      totals: { grandTotal: 72000, totalPrice: 25000, totalAddon: 50000, discount: 0, totalShipping: 0 },
      items: [{ title: "Digital Produk", price: 25000, qty: 1 }],
    },
  },
};

const part = (v: unknown): string => (typeof v === "string" || typeof v === "number" ? String(v) : "");

export const lynk: SourceAdapter = {
  id: "lynk",
  label: "Lynk",
  claims: (headers) => userAgentIs(headers, "Lynk-Webhook") || headers.has("x-lynk-signature"),
  looksLike: (payload) => resolvePath(payload, ["data", "message_data", "refId"]) !== undefined,
  secretColumn: "lynkMerchantKeyEnc",
  async verify({ headers, payload }, merchantKey) {
    const given = headers.get("x-lynk-signature");
    if (!given) return "X-Lynk-Signature header is missing";
    const grandTotal = part(resolvePath(payload, ["data", "message_data", "totals", "grandTotal"]));
    const refId = part(resolvePath(payload, ["data", "message_data", "refId"]));
    const messageId = part(resolvePath(payload, ["data", "message_id"]));
    const expected = await sha256Hex(grandTotal + refId + messageId + merchantKey);
    return (await safeEqual(given.trim().toLowerCase(), expected)) ? null : "X-Lynk-Signature does not match the merchant key";
  },
  eventId: ({ payload }) => {
    const refId = idText(resolvePath(payload, ["data", "message_data", "refId"]));
    const messageId = idText(resolvePath(payload, ["data", "message_id"]));
    if (!refId && !messageId) return undefined;
    return `${refId ?? ""}:${messageId ?? ""}`;
  },
  customer: { name: "data.message_data.customer.name", phone: "data.message_data.customer.phone" },
  sample: LYNK_SAMPLE,
};
