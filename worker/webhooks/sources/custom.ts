// Any other sender. Optional HMAC with the business's custom webhook secret, in either of two schemes:
// Standard Webhooks (webhook-id / webhook-timestamp / webhook-signature: v1,<base64>) or a plain
// X-Webhook-Signature: sha256=<hex HMAC-SHA256(raw body)>.
import { fromBase64, hmacSha256, safeEqual, toBase64, toHex } from "../../lib/crypto";
import { idText, type SourceAdapter } from "./types";

const TOLERANCE_SECONDS = 300;
const enc = new TextEncoder();

function secretBytes(secret: string): Uint8Array {
  if (secret.startsWith("whsec_")) {
    try {
      return fromBase64(secret.slice(6));
    } catch {
      return enc.encode(secret);
    }
  }
  return enc.encode(secret);
}

export const custom: SourceAdapter = {
  id: "custom",
  label: "Custom",
  claims: () => false,
  looksLike: () => true,
  secretColumn: "customWebhookSecretEnc",
  async verify({ headers, raw }, secret, now) {
    const swSig = headers.get("webhook-signature");
    if (swSig) {
      const id = headers.get("webhook-id") ?? "";
      const ts = headers.get("webhook-timestamp") ?? "";
      if (!id || !/^\d{1,12}$/.test(ts)) return "webhook-id and webhook-timestamp headers are required with webhook-signature";
      if (Math.abs(now / 1000 - Number(ts)) > TOLERANCE_SECONDS) return "webhook-timestamp is more than 5 minutes away from now";
      const signed = new Uint8Array([...enc.encode(`${id}.${ts}.`), ...raw]);
      const expected = toBase64(await hmacSha256(secretBytes(secret), signed));
      for (const candidate of swSig.split(" ")) {
        const [version, sig] = candidate.split(",");
        if (version === "v1" && sig && (await safeEqual(sig, expected))) return null;
      }
      return "webhook-signature does not match the custom webhook secret";
    }
    const plain = headers.get("x-webhook-signature");
    if (!plain) return "no signature header (webhook-signature or X-Webhook-Signature)";
    const expected = toHex(await hmacSha256(secret, raw));
    const given = plain.trim().toLowerCase().replace(/^sha256=/, "");
    return (await safeEqual(given, expected)) ? null : "X-Webhook-Signature does not match the custom webhook secret";
  },
  eventId: ({ headers }) => idText(headers.get("webhook-id")) ?? idText(headers.get("id")),
  customer: { name: "customer.name", phone: "customer.phone" },
  sample: null,
};
