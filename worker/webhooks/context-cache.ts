// The business and its active rules, kept in isolate memory: the webhook path then costs one D1 round trip
// (the write batch) instead of two. An entry older than REFRESH_AFTER_MS is still served while one background
// refresh (waitUntil) replaces it, so a busy isolate never stalls a burst of requests on the same reload; an
// entry older than MAX_AGE_MS is never served. Writes that change what a webhook does (rules, settings,
// package) forget the entry at once in the isolate that made them; other isolates see the change within
// MAX_AGE_MS. Only resolved values are kept (no promise is shared across requests).
import { database } from "../db/client";
import { usagePeriod } from "../billing/limits";
import { loadWebhookContext } from "../db/webhook-rules";

export const REFRESH_AFTER_MS = 5000;
export const MAX_AGE_MS = 10_000;
const MAX_ENTRIES = 1000;

type Context = Awaited<ReturnType<typeof loadWebhookContext>>;
type Entry = { at: number; value: Context; refreshing: boolean };
const entries = new Map<string, Entry>();

function store(businessId: string, value: Context, at: number): void {
  entries.delete(businessId);
  if (entries.size >= MAX_ENTRIES) {
    const oldest = entries.keys().next();
    if (!oldest.done) entries.delete(oldest.value);
  }
  entries.set(businessId, { at, value, refreshing: false });
}

/** The context of a business; the drizzle handle is only built when D1 must be read. */
export async function webhookContext(d1: D1Database, businessId: string, waitUntil: (p: Promise<unknown>) => void, now = Date.now()): Promise<Context> {
  const hit = entries.get(businessId);
  if (hit && now - hit.at < MAX_AGE_MS) {
    if (now - hit.at >= REFRESH_AFTER_MS && !hit.refreshing) {
      hit.refreshing = true;
      waitUntil(
        loadWebhookContext(database(d1), businessId, usagePeriod("messages_per_day", Date.now())).then(
          (value) => {
            // A write may have forgotten (or replaced) the entry meanwhile; only refresh the one we started from.
            if (entries.get(businessId) === hit) store(businessId, value, now);
          },
          () => {
            hit.refreshing = false;
          },
        ),
      );
    }
    return hit.value;
  }
  const value = await loadWebhookContext(database(d1), businessId, usagePeriod("messages_per_day", Date.now()));
  store(businessId, value, now);
  return value;
}

/** Call after any write that changes how a business's webhooks are processed. */
export function forgetWebhookContext(businessId: string): void {
  entries.delete(businessId);
}
