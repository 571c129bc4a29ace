// The DeviceSession's send loop: takes what the outbox allows (pacing decides), hands it to the gateway holding
// the device lease (within its credits) or sends it directly (sandbox, Cloud API), then always flushes the
// write-back and sets the one alarm that covers every timer. A throw anywhere never skips the alarm (issue 8,
// item 10): a job can wait, never strand.
import type { OutboundContent } from "../messaging/content";
import { sendDirect } from "../messaging/providers/direct";
import type { DeviceConfig } from "./device-config";
import type { GatewayLink } from "./device-gateway-link";
import type { Outbox, Pace } from "./device-outbox";
import type { WriteBack } from "./device-write-back";

export type PumpParts = {
  env: Env;
  storage: DurableObjectStorage;
  outbox: Outbox;
  link: GatewayLink;
  writes: WriteBack;
  /** The device's config (cached by the owner); null when the device is gone. */
  config: () => Promise<DeviceConfig | null>;
  cachedConfig: () => DeviceConfig | null;
};

/** Direct providers take this many due jobs per round when unpaced. */
const DIRECT_BATCH = 100;

export function paceOf(cfg: DeviceConfig): Pace {
  // The sandbox "delivers" at once: its rows go straight to delivered.
  return { settings: cfg.settings, timeZone: cfg.timeZone, finishedStatus: cfg.provider === "sandbox" ? "delivered" : "sent" };
}

export class Pump {
  private pumping = false;
  private again = false;

  constructor(private readonly p: PumpParts) {}

  async run(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        await this.once();
      } while (this.again);
    } finally {
      this.pumping = false;
      const key = this.p.cachedConfig()?.deviceKey;
      if (key) await this.p.writes.flushSafely(key);
      await this.schedule();
    }
  }

  private async once(): Promise<void> {
    const { env, outbox, link } = this.p;
    const cfg = await this.p.config();
    if (!cfg) return;
    const pace = paceOf(cfg);
    // The gateway's socket is looked up once; its credits are kept in memory and saved once at the end.
    const holder = cfg.provider === "baileys" ? link.holder() : null;
    if (cfg.provider === "baileys" && !holder) return;
    try {
      for (;;) {
        const now = Date.now();
        const budget = holder ? holder.state.credits : DIRECT_BATCH;
        if (budget <= 0) return;
        const leaseUntil = now + Number(env.GATEWAY_JOB_LEASE_MS);
        const jobs = outbox.take(pace, now, budget, leaseUntil);
        if (jobs.length === 0) return;
        for (const job of jobs) {
          const content = JSON.parse(job.content) as OutboundContent;
          if (holder) {
            if (content.kind === "meta_template") {
              outbox.fail(job.message_id, "Meta templates can only be sent from a cloud_api device", now);
              continue;
            }
            holder.state.credits -= 1;
            link.send(holder.ws, { type: "job", job_id: job.message_id, message_id: job.message_id, to: job.to_jid, content, attempt: job.attempt, lease_until: leaseUntil, typing_ms: 0 });
            continue;
          }
          const outcome = await sendDirect(env, cfg.device, { messageId: job.message_id, toJid: job.to_jid, content }, now);
          outbox.applyOutcome(job.message_id, outcome, pace, Date.now());
        }
      }
    } finally {
      if (holder) link.saveCredits(holder);
    }
  }

  /** One alarm covers every timer: pacing, retry backoff, job leases, the gateway's device lease and write-back. */
  async schedule(): Promise<void> {
    const { outbox, link, writes, storage } = this.p;
    const cfg = this.p.cachedConfig();
    const now = Date.now();
    const times: number[] = [];
    if (writes.pending()) times.push(now + 1000);
    const lease = outbox.nextLeaseExpiry();
    if (lease !== null) times.push(lease);
    const holder = link.holder();
    if (holder) times.push(link.leaseUntil(now) + 1);
    const gatewayCanTake = cfg?.provider !== "baileys" || (holder !== null && holder.state.credits > 0);
    if (cfg && gatewayCanTake) times.push(...outbox.dueTimes(paceOf(cfg), now));
    if (times.length === 0) {
      await storage.deleteAlarm();
      return;
    }
    const at = Math.max(Math.min(...times), now + 1);
    if ((await storage.getAlarm()) !== at) await storage.setAlarm(at);
  }
}
