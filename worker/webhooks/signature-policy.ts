// Who may fire a business's webhook rules: the per-source signature policy (docs/security.md). Pure, so the
// endpoint and the settings page decide with the same function.
//
// - A source whose secret the business saved must carry a valid signature (verified by its adapter).
// - Once the business has ANY credential (a signing secret or the secret token URL), a source without a secret is
//   refused (403 UNSIGNED_SOURCE) unless the business explicitly allows unsigned events from that source, or the
//   request came through the secret token URL.
// - A business with no credential at all keeps the seed's behaviour: the URL is the credential (the dashboard
//   warns about it).
import type { Business } from "../db/businesses";
import type { WebhookSignature, WebhookSource } from "../db/schema";
import { SOURCES } from "./sources";

export type SignatureDecision =
  | { verdict: "verify" }
  | { verdict: "accept"; signature: Exclude<WebhookSignature, "signed" | "refused"> }
  | { verdict: "refuse"; code: "UNSIGNED_SOURCE"; message: string };

type PolicyBusiness = Pick<Business, "scalevSigningSecretEnc" | "lynkMerchantKeyEnc" | "customWebhookSecretEnc" | "webhookUnsignedAllowed" | "webhookTokenHash">;

export function hasAnyCredential(b: PolicyBusiness): boolean {
  return b.webhookTokenHash !== null || SOURCES.some((s) => b[s.secretColumn] !== null);
}

export function decideSignature(b: PolicyBusiness, source: WebhookSource, viaToken: boolean): SignatureDecision {
  const adapter = SOURCES.find((s) => s.id === source);
  if (adapter && b[adapter.secretColumn] !== null) return { verdict: "verify" };
  if (viaToken) return { verdict: "accept", signature: "token" };
  if (!hasAnyCredential(b) || b.webhookUnsignedAllowed.includes(source)) return { verdict: "accept", signature: "unsigned_allowed" };
  return {
    verdict: "refuse",
    code: "UNSIGNED_SOURCE",
    message: `Unsigned ${source} events are refused: this business signs its webhooks. Save the ${source} secret, use the secret token URL, or allow unsigned ${source} events in Settings.`,
  };
}

/** What the settings page shows per source. */
export type SourceState = "signed" | "unsigned_allowed" | "refused" | "open";

export function sourceState(b: PolicyBusiness, source: WebhookSource): SourceState {
  const d = decideSignature(b, source, false);
  if (d.verdict === "verify") return "signed";
  if (d.verdict === "refuse") return "refused";
  return hasAnyCredential(b) ? "unsigned_allowed" : "open";
}
