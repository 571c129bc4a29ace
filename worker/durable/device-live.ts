// Live inbox publishing for one DeviceSession: one RPC to the business's InboxHub per accepted batch or flushed
// write-back, never awaited by the pipeline, chained so the hub sees a message's creation before its status, and
// bounded so a stalled hub cannot make the object hold events without end (failures are only logged).
import type { InboxEvent } from "../inbox/events";
import { publishInbox } from "../inbox/publish";

/** Inbox publishes waiting on the hub before new ones are dropped. */
export const LIVE_PUBLISH_BACKLOG = 200;

export type Publish = (events: InboxEvent[]) => void;

export class LivePublisher {
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(
    private readonly env: Env,
    private readonly waitUntil: (p: Promise<unknown>) => void,
  ) {}

  publish(businessId: string | undefined, events: InboxEvent[]): void {
    if (!businessId || events.length === 0) return;
    // Live updates are best effort: clients reload state over the REST API when they reconnect.
    if (this.queued >= LIVE_PUBLISH_BACKLOG) {
      console.warn(JSON.stringify({ level: "warn", msg: "inbox publish backlog full; events dropped", business_id: businessId, events: events.length }));
      return;
    }
    this.queued += 1;
    this.chain = this.chain
      .then(() => publishInbox(this.env, businessId, events))
      .finally(() => {
        this.queued -= 1;
      });
    this.waitUntil(this.chain);
  }
}
