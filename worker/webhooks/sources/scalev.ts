// Scalev (scalev.id) order events. Signed with base64(HMAC-SHA256(raw body, signing secret)).
import { hmacSha256, safeEqual, toBase64 } from "../../lib/crypto";
import { resolvePath } from "../path";
import { idText, type SourceAdapter, userAgentIs } from "./types";

/** The seed's sample payload ("Payload Scalev"). */
export const SCALEV_SAMPLE = {
  event: "order.created",
  unique_id: "event_I7fkiBF4YksYDsKbVe5ZOEyZ",
  timestamp: "2025-01-29T20:28:25.046183Z",
  data: {
    order_id: "250130JQHFZG",
    status: "pending",
    payment_status: "unpaid",
    payment_method: "bank_transfer",
    total_quantity: 1,
    net_revenue: "149724.00",
    gross_revenue: "168724.00",
    destination_address: {
      name: "Example Person",
      phone: "628112345678",
      email: "person@example.com",
      address: "This is not a real address.",
      city: "Kota Surabaya",
      province: "Jawa Timur",
    },
    business: { username: "username" },
    store: { name: "Example Store" },
  },
};

export const scalev: SourceAdapter = {
  id: "scalev",
  label: "Scalev",
  claims: (headers) => userAgentIs(headers, "Scalev-Webhook") || headers.has("x-scalev-hmac-sha256"),
  looksLike: (payload) => typeof payload.unique_id === "string" && resolvePath(payload, ["data", "order_id"]) !== undefined,
  secretColumn: "scalevSigningSecretEnc",
  async verify({ headers, raw }, secret) {
    const given = headers.get("x-scalev-hmac-sha256");
    if (!given) return "X-Scalev-Hmac-Sha256 header is missing";
    const expected = toBase64(await hmacSha256(secret, raw));
    return (await safeEqual(given.trim(), expected)) ? null : "X-Scalev-Hmac-Sha256 does not match the signing secret";
  },
  eventId: ({ payload }) => idText(payload.unique_id),
  customer: { name: "data.destination_address.name", phone: "data.destination_address.phone" },
  sample: SCALEV_SAMPLE,
};
