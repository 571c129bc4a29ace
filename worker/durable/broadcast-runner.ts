// BroadcastRunner: one per running broadcast. Its alarm feeds the device's outbox a page at a time, never more
// than the DeviceSession's capacity RPC allows (backpressure), checkpoints its cursor in its own SQLite, and
// hands jobs to the outbox by RPC (not through the queue), so a pause's withdraw finds every job not yet sent.
// Recipient rows and message rows are the truth in D1; this object's state is only the cursor and the mode, so
// eviction or a redeploy mid-page replays the page and the idempotency keys absorb it.
import { DurableObject } from "cloudflare:workers";
import { BroadcastMessage } from "../broadcasts/message";
import { BroadcastSchedule, msUntilSendable } from "../broadcasts/schedule";
import { allSettled, anyPending, feedPage, repend, skipUnaccepted, unacceptedJobs } from "../broadcasts/feed";
import { packageLimits, usageOf } from "../billing/limits";
import { type Broadcast, getBroadcast, updateBroadcast } from "../db/broadcasts";
import { type Business, getBusiness } from "../db/businesses";
import { type Db, database } from "../db/client";
import type { BroadcastStatus } from "../db/schema";
import { deviceSession } from "./stubs";
import { getDevice } from "../db/devices";
import { effectiveSettings } from "../messaging/settings";
import { healthOf } from "../broadcasts/health";
import { deviceStats, laneCounts, recentFinished } from "../broadcasts/lane-stats";
import { afterSend, DEFAULT_PACING, failureTrips, initialState, nextBroadcastAt, type PacerState } from "../broadcasts/pacer";

/**
 * Recipients written per page (unpaced): one D1 batch and one outbox RPC; the capacity RPC bounds it by the
 * outbox's room. A page's cost is flat in the broadcast's size (feed.ts), so the page only trades the runner's
 * memory (one page of rows and texts) against its fixed cost per turn.
 */
export const PAGE = 1000;
/** The failure-rate window: the last this many finished sends of the broadcast. */
const FAILURE_WINDOW = 20;
const WEEK = 7 * 24 * 3_600_000;
/** Device states in which a broadcast stops by itself rather than pile jobs up. */
const DEVICE_DOWN = new Set(["disconnected", "logged_out", "failed"]);

/** How often a broadcast whose recipients are all handed out checks whether the last messages went. */
const SETTLE_CHECK_MS = 2000;
const LIVE: readonly BroadcastStatus[] = ["scheduled", "running", "waiting_window"];

type Mode = "running" | "paused" | "cancelled";

/** How many more recipients the business's package allows this month (Infinity when unlimited). */
async function recipientsLeft(db: Db, business: Business, now: number): Promise<number> {
  const allowed = (await packageLimits(db, business)).broadcast_recipients_per_month;
  return allowed === null ? Number.POSITIVE_INFINITY : allowed - (await usageOf(db, business, "broadcast_recipients_per_month", now));
}

export class BroadcastRunner extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS state (k TEXT PRIMARY KEY, v TEXT)");
  }

  private get(k: string): string | null {
    return this.ctx.storage.sql.exec<{ v: string | null }>("SELECT v FROM state WHERE k = ?", k).toArray()[0]?.v ?? null;
  }

  private set(k: string, v: string | number | null): void {
    this.ctx.storage.sql.exec("INSERT INTO state (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", k, v === null ? null : String(v));
  }

  async start(businessId: string, broadcastId: string): Promise<void> {
    this.set("business_id", businessId);
    this.set("broadcast_id", broadcastId);
    this.set("mode", "running");
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** Stops feeding and withdraws the jobs the outbox has not handed out; at most the one in flight still goes. */
  async pause(): Promise<{ withdrawn: number }> {
    this.set("mode", "paused");
    await this.ctx.storage.deleteAlarm();
    return this.withdraw(true);
  }

  async resume(): Promise<void> {
    this.set("mode", "running");
    // Withdrawn recipients get a fresh key (their old message is `skipped`); the epoch names it.
    this.set("epoch", Number(this.get("epoch") ?? 0) + 1);
    await this.ctx.storage.setAlarm(Date.now());
  }

  async cancel(): Promise<{ withdrawn: number }> {
    this.set("mode", "cancelled");
    await this.ctx.storage.deleteAlarm();
    return this.withdraw(false);
  }

  private pacerState(): PacerState | null {
    const raw = this.get("pacer");
    return raw ? (JSON.parse(raw) as PacerState) : null;
  }

  async cursor(): Promise<{ mode: string | null; cursor: number; epoch: number }> {
    return { mode: this.get("mode"), cursor: Number(this.get("cursor") ?? 0), epoch: Number(this.get("epoch") ?? 0) };
  }

  private async withdraw(keepForResume: boolean): Promise<{ withdrawn: number }> {
    const b = await this.broadcast();
    if (!b) return { withdrawn: 0 };
    const r = await deviceSession(this.env, b.deviceKey).withdraw(`broadcast:${b.id}`);
    if (keepForResume) await repend(this.env.DB, b.id);
    return r;
  }

  private async broadcast(): Promise<Broadcast | undefined> {
    const businessId = this.get("business_id");
    const id = this.get("broadcast_id");
    if (!businessId || !id) return undefined;
    return getBroadcast(database(this.env.DB), businessId, id);
  }

  private async setStatus(b: Broadcast, status: BroadcastStatus, reason: string | null = null): Promise<void> {
    if (b.status === status && b.statusReason === reason) return;
    const done = status === "completed" ? { finishedAt: Date.now() } : {};
    await updateBroadcast(database(this.env.DB), b.businessId, b.id, { status, statusReason: reason, ...done }, LIVE);
  }

  /** Pauses by itself (device gone, failures, package limit); resuming is the user's choice. */
  async autoPause(reason: string): Promise<void> {
    const b = await this.broadcast();
    if (!b || !LIVE.includes(b.status)) return;
    await this.pause();
    await this.setStatus(b, "auto_paused", reason);
  }

  private async dropPage(b: Broadcast, jobs: { message_id: string }[]): Promise<void> {
    await skipUnaccepted(this.env.DB, b.businessId, jobs.map((j) => j.message_id));
    if (this.get("mode") === "paused") await repend(this.env.DB, b.id);
    this.set("feeding", null);
  }

  /** The next turn, soon: the outbox had no room for all of a page. */
  private async again(now: number): Promise<void> {
    await this.ctx.storage.setAlarm(now + 1000);
  }

  override async alarm(): Promise<void> {
    if (this.get("mode") !== "running") return;
    const db = database(this.env.DB);
    // Independent reads go together: a turn's fixed cost is its round trips, paid once per page.
    const [b, business] = await Promise.all([this.broadcast(), getBusiness(db, this.get("business_id") ?? "")]);
    if (!b || !LIVE.includes(b.status) || !business) return;
    const now = Date.now();
    const wait = msUntilSendable(now, BroadcastSchedule.parse(b.schedule), business.timezone);
    if (wait > 0) {
      await this.setStatus(b, b.status === "scheduled" && now < Number(BroadcastSchedule.parse(b.schedule).start_at ?? 0) ? "scheduled" : "waiting_window");
      await this.ctx.storage.setAlarm(now + wait);
      return;
    }
    const [row, recent, left] = await Promise.all([getDevice(db, b.businessId, b.deviceKey), recentFinished(this.env.DB, b.id, FAILURE_WINDOW), recipientsLeft(db, business, now)]);
    if (!row) return this.autoPause("device_deleted");
    if (DEVICE_DOWN.has(row.status)) return this.autoPause(`device_${row.status}`);
    if (failureTrips(recent)) return this.autoPause("failure_rate");
    // Sandbox devices pace at zero unless they opted in (device settings `pacing_enabled`), like the outbox does.
    const paced = effectiveSettings(row.provider, row.settings).pacing_enabled;
    const pacing = BroadcastSchedule.parse(b.schedule).pacing ?? DEFAULT_PACING;
    let pacer: PacerState | null = null;
    if (paced) {
      pacer = this.pacerState() ?? initialState(pacing, Math.random);
      const health = healthOf(await deviceStats(this.env.DB, b.businessId, b.deviceKey, now - WEEK));
      const at = nextBroadcastAt(now, pacer, pacing, await laneCounts(this.env.DB, b.businessId, b.deviceKey, now), (now - row.createdAt) / 86_400_000, health);
      if (at === "pause") return this.autoPause("health");
      if (at > now) {
        await this.setStatus(b, "running");
        await this.ctx.storage.setAlarm(at);
        return;
      }
    }
    await this.setStatus(b, "running");
    const device = deviceSession(this.env, b.deviceKey);
    const cap = await device.capacity(b.deviceKey);
    if (cap.restricted) return this.autoPause("restricted");
    if (cap.available === 0) {
      if (cap.next_at === null) return this.autoPause("device_unavailable");
      await this.ctx.storage.setAlarm(Math.max(cap.next_at, now + 100));
      return;
    }
    // Paced: one message per turn, the pacer's gap between turns. Unpaced: a page, as fast as the outbox takes it;
    // never more than the package has left this month (a page of 1,000 must not stop a broadcast of 300).
    // A package used up exactly by this broadcast's last page completes it rather than pausing it.
    if (left <= 0 && (await anyPending(this.env.DB, b.id))) return this.autoPause("package_limit");
    const limit = Math.max(1, Math.min(cap.available, pacer ? 1 : PAGE, left));
    BroadcastMessage.parse(b.message);
    // A turn that died between its page's D1 batch and the outbox's answer left the page's jobs untaken: they go
    // to the outbox now (it ignores the ones it has), before anything new is fed.
    if (this.get("feeding") !== null) {
      const lost = await unacceptedJobs(this.env.DB, b, PAGE);
      if (lost.length && (await device.acceptBatch(lost)).deferred.length) return this.again(now);
      this.set("feeding", null);
    }
    this.set("feeding", 1);
    const page = await feedPage(this.env.DB, b, limit, Number(this.get("epoch") ?? 0), this.get("last_text"));
    if (page.lastSeq === null) {
      this.set("feeding", null);
      if (await allSettled(this.env.DB, b.id)) {
        await this.setStatus(b, "completed");
        this.set("mode", "done");
        return;
      }
      await this.ctx.storage.setAlarm(now + SETTLE_CHECK_MS);
      return;
    }
    // A pause or cancel that came while the page was written (RPCs interleave at awaits): its jobs never reach the
    // outbox; the withdraw that pause or cancel did saw none of them.
    if (this.get("mode") !== "running") return this.dropPage(b, page.jobs);
    // The page's usage was counted in its own D1 batch (feed.ts), once per message created. Jobs the outbox had
    // no room for (other traffic took it since the capacity answer) are handed again next turn.
    const taken = page.jobs.length ? await device.acceptBatch(page.jobs) : { deferred: [] };
    // …or while the outbox took it: withdrawn again, so at most what was already handed out still goes.
    if (this.get("mode") !== "running") {
      await this.withdraw(this.get("mode") === "paused");
      return;
    }
    if (taken.deferred.length) return this.again(now);
    this.set("feeding", null);
    this.set("cursor", page.lastSeq);
    this.set("last_text", page.lastText);
    if (pacer && page.jobs.length) {
      const next = afterSend(pacer, pacing, Date.now(), Math.random);
      this.set("pacer", JSON.stringify({ sinceRest: next.sinceRest, restAfter: next.restAfter, nextAt: next.nextAt }));
      await this.ctx.storage.setAlarm(next.nextAt);
      return;
    }
    await this.ctx.storage.setAlarm(Date.now());
  }
}
