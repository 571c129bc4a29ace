// What Ping needs to know about one webhook sender. Adding a platform is one new file implementing this,
// registered in sources/index.ts.
import type { Business } from "../../db/businesses";
import type { WebhookSource } from "../../db/schema";

export type Incoming = {
  raw: Uint8Array;
  payload: Record<string, unknown>;
  headers: Headers;
};

export type SourceAdapter = {
  id: WebhookSource;
  label: string;
  /** True when the headers say the request comes from the platform (User-Agent, signature header). */
  claims(headers: Headers): boolean;
  /** True when the payload has the platform's shape (used when no header claims the request). */
  looksLike(payload: Record<string, unknown>): boolean;
  /** The business column holding this platform's encrypted secret. */
  secretColumn: keyof Pick<Business, "scalevSigningSecretEnc" | "lynkMerchantKeyEnc" | "customWebhookSecretEnc">;
  /** Null when the signature is right, else why it is not. Called only when the business saved a secret. */
  verify(req: Incoming, secret: string, now: number): Promise<string | null>;
  /** The event's own id, for exactly-once processing; undefined falls back to a hash of the body. */
  eventId(req: Incoming): string | undefined;
  /** Where the customer's name and phone usually are, for the rule editor's defaults. */
  customer: { name: string; phone: string };
  /** A realistic payload, for the editor's live preview and for "can this placeholder ever resolve?" warnings. */
  sample: Record<string, unknown> | null;
};

/** A short string id from a payload or header value, or undefined. */
export function idText(v: unknown): string | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  return s === "" || s.length > 200 ? undefined : s;
}

export function userAgentIs(headers: Headers, product: string): boolean {
  return (headers.get("user-agent") ?? "").toLowerCase().startsWith(`${product.toLowerCase()}/`);
}
