// DeviceSession: one per device (WhatsApp number), the single owner of that number's outbox and live status.
// This is the foundation skeleton: it accepts jobs idempotently by message id and delivers sandbox
// messages; pacing, lanes and the gateway channel are built on it by the messaging and gateway issues.
import { DurableObject } from "cloudflare:workers";
import { database } from "../db/client";
import { getDeviceByKey } from "../db/devices";
import { setMessageStatus } from "../db/messages";
import type { OutboundJob } from "../messaging/jobs";

export class DeviceSession extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS outbox (
        message_id TEXT PRIMARY KEY,
        business_id TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        accepted_at INTEGER NOT NULL
      )`);
    });
  }

  /** Takes a job into this number's outbox. Accepting the same message twice is a no-op. */
  async accept(job: OutboundJob): Promise<{ accepted: boolean }> {
    const inserted = this.ctx.storage.sql
      .exec(
        "INSERT INTO outbox (message_id, business_id, accepted_at) VALUES (?, ?, ?) ON CONFLICT(message_id) DO NOTHING RETURNING message_id",
        job.message_id,
        job.business_id,
        Date.now(),
      )
      .toArray();
    if (inserted.length === 0) return { accepted: false };
    await this.deliver(job);
    return { accepted: true };
  }

  private async deliver(job: OutboundJob): Promise<void> {
    const db = database(this.env.DB);
    const device = await getDeviceByKey(db, job.device_key);
    if (!device || device.businessId !== job.business_id) {
      await setMessageStatus(db, job.message_id, ["queued"], { status: "failed", error: "device not found" });
    } else if (device.provider === "sandbox") {
      // The sandbox "delivers" inside Ping at once.
      await setMessageStatus(db, job.message_id, ["queued"], { status: "sent", providerMessageId: `sandbox-${job.message_id}` });
      await setMessageStatus(db, job.message_id, ["sent"], { status: "delivered" });
    } else {
      // Real providers arrive with the messaging and gateway issues; until then the job stays pending here.
      return;
    }
    this.ctx.storage.sql.exec("UPDATE outbox SET state = 'done' WHERE message_id = ?", job.message_id);
  }
}
