// The business and its active rules, kept in isolate memory for a few seconds: the webhook path then costs
// one D1 round trip (the write batch) instead of two. Writes that change what a webhook does (rules,
// settings, package) forget the entry at once in the isolate that made them; other isolates see the change
// within CONTEXT_TTL_MS. Only resolved values are kept (never promises shared across requests).
import type { Db } from "../db/client";
import { loadWebhookContext } from "../db/webhook-rules";

export const CONTEXT_TTL_MS = 5000;
const MAX_ENTRIES = 1000;

type Context = Awaited<ReturnType<typeof loadWebhookContext>>;
const entries = new Map<string, { at: number; value: Context }>();

export async function webhookContext(db: Db, businessId: string, now = Date.now()): Promise<Context> {
  const hit = entries.get(businessId);
  if (hit && now - hit.at < CONTEXT_TTL_MS) return hit.value;
  const value = await loadWebhookContext(db, businessId);
  entries.delete(businessId);
  if (entries.size >= MAX_ENTRIES) {
    const oldest = entries.keys().next();
    if (!oldest.done) entries.delete(oldest.value);
  }
  entries.set(businessId, { at: now, value });
  return value;
}

/** Call after any write that changes how a business's webhooks are processed. */
export function forgetWebhookContext(businessId: string): void {
  entries.delete(businessId);
}
