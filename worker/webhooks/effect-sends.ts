// The customer-effect queue messages of the webhooks one isolate answers within SEND_WINDOW_MS leave as one
// `sendBatch`, sent by the request that opened the window (in its waitUntil). A queue send is an RPC of its own,
// as dear as the D1 batch on the request path; at webhook rates one per event was a second RPC per request
// (docs/benchmarks.md, bench:webhook). Nothing here is needed for correctness: each message only hurries an effect
// row already committed in its event's batch, and a send that fails or never happens (the isolate dies in the
// window) leaves the row for the cron sweep. No promise crosses requests — later requests only add plain data.
import { type CustomerEffectMessage } from "./customer-effects";

/** How long a window stays open; the customer row is that much later, the queue sees a fraction of the sends. */
export const SEND_WINDOW_MS = 20;
/** Queues take at most 100 messages per sendBatch. */
const MAX_PER_SEND = 100;

/** A window whose flush has not run after this long is taken as lost (its request's context went away). */
const LOST_WINDOW_MS = 1000;

const pending: CustomerEffectMessage[] = [];
/** When the open window started, or null when none is open. */
let windowSince: number | null = null;

export function sendCustomerEffect(
  queue: Queue<CustomerEffectMessage>,
  waitUntil: (p: Promise<unknown>) => void,
  message: CustomerEffectMessage,
): void {
  pending.push(message);
  const now = Date.now();
  if (windowSince !== null && now - windowSince < LOST_WINDOW_MS) return;
  windowSince = now;
  waitUntil(flushAfterWindow(queue));
}

async function flushAfterWindow(queue: Queue<CustomerEffectMessage>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, SEND_WINDOW_MS));
  windowSince = null;
  while (pending.length > 0) {
    const batch = pending.splice(0, MAX_PER_SEND);
    try {
      await queue.sendBatch(batch.map((body) => ({ body, contentType: "json" as const })));
    } catch (e) {
      console.warn(
        JSON.stringify({
          level: "warn",
          msg: "webhook effects not queued; the sweep runs them",
          log_ids: batch.map((m) => m.log_id),
          error: String(e),
        }),
      );
    }
  }
}
