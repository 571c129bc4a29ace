// CampaignEngine: one per business, the clock of its campaigns. Enrollments live in D1 with `next_at` (tenants list
// and count them); this object only keeps its alarm at the earliest due one, and the broadcast-lane pacer state of
// each number it sends on (in its SQLite). Each alarm runs one turn (worker/campaigns/turn.ts), hands the new
// messages straight to the numbers' outboxes by RPC (like a broadcast runner, so a pause's withdraw finds them),
// and sets the alarm again. Triggers `wake` it; the cron wakes any business whose alarm was lost.
import { DurableObject } from "cloudflare:workers";
import { afterSend, type PacerState } from "../broadcasts/pacer";
import { recordUsage } from "../billing/limits";
import { getBusiness, isPackageActive } from "../db/businesses";
import { nextDueAt } from "../db/campaign-enrollments";
import { database } from "../db/client";
import type { CreatedMessage } from "../db/messages";
import { runTurn } from "../campaigns/turn";
import type { OutboundJob } from "../messaging/jobs";
import { deviceSession } from "./stubs";

/** A business whose package lapsed looks again after this long (renewing does not need to wake it). */
const INACTIVE_RETRY_MS = 3_600_000;

export class CampaignEngine extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS state (k TEXT PRIMARY KEY, v TEXT)");
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS pacer (device_key TEXT PRIMARY KEY, state TEXT NOT NULL)");
  }

  private get(k: string): string | null {
    return this.ctx.storage.sql.exec<{ v: string | null }>("SELECT v FROM state WHERE k = ?", k).toArray()[0]?.v ?? null;
  }

  private set(k: string, v: string): void {
    this.ctx.storage.sql.exec("INSERT INTO state (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", k, v);
  }

  private pacer(deviceKey: string): PacerState | null {
    const raw = this.ctx.storage.sql.exec<{ state: string }>("SELECT state FROM pacer WHERE device_key = ?", deviceKey).toArray()[0]?.state;
    return raw ? (JSON.parse(raw) as PacerState) : null;
  }

  private savePacer(deviceKey: string, s: PacerState): void {
    const state = JSON.stringify({ sinceRest: s.sinceRest, restAfter: s.restAfter, nextAt: s.nextAt });
    this.ctx.storage.sql.exec("INSERT INTO pacer (device_key, state) VALUES (?, ?) ON CONFLICT (device_key) DO UPDATE SET state = excluded.state", deviceKey, state);
  }

  /**
   * Something may be due: run a turn now. `ifIdle` (the cron's backstop) only sets an alarm when none is set, so a
   * waiting engine is not hurried past its pacer.
   */
  async wake(businessId: string, ifIdle = false): Promise<void> {
    this.set("business_id", businessId);
    const current = await this.ctx.storage.getAlarm();
    if (ifIdle && current !== null) return;
    const now = Date.now();
    if (current === null || current > now) await this.ctx.storage.setAlarm(now);
  }

  override async alarm(): Promise<void> {
    const businessId = this.get("business_id");
    if (!businessId) return;
    const db = database(this.env.DB);
    const business = await getBusiness(db, businessId);
    if (!business) return;
    const now = Date.now();
    if (!isPackageActive(business, now)) {
      await this.ctx.storage.setAlarm(now + INACTIVE_RETRY_MS);
      return;
    }
    const turn = await runTurn(this.env, db, business, (k) => this.pacer(k), now);
    const byDevice = new Map<string, CreatedMessage[]>();
    for (const m of turn.jobs) byDevice.set(m.deviceKey, [...(byDevice.get(m.deviceKey) ?? []), m]);
    for (const [deviceKey, rows] of byDevice) {
      const jobs: OutboundJob[] = rows.map((m) => ({ v: 1, message_id: m.id, business_id: m.businessId, device_key: m.deviceKey }));
      // A crash before this hand-over leaves the rows `queued` and never accepted: the outbox sweep queues them.
      await deviceSession(this.env, deviceKey).acceptBatch(jobs);
    }
    if (turn.jobs.length) await recordUsage(db, business, "broadcast_recipients_per_month", turn.jobs.length, now);
    for (const [deviceKey, p] of turn.pacers) this.savePacer(deviceKey, byDevice.has(deviceKey) ? afterSend(p.state, p.pacing, Date.now(), Math.random) : p.state);
    if (turn.full) {
      await this.ctx.storage.setAlarm(Date.now());
      return;
    }
    const next = await nextDueAt(this.env.DB, businessId);
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }
}
