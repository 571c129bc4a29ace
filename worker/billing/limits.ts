// Package limits: what a business's package allows and the one check every creating or sending path calls.
//
// For modules that come later (broadcasts, AI agent, live chat) — call these, do not re-read the catalogue:
//   broadcast start / each recipient batch:  await assertWithinLimit(db, business, "broadcast_recipients_per_month", n)
//                                           then, once the batch is queued, await recordUsage(db, business, "broadcast_recipients_per_month", n)
//   AI turn, before calling the model:      await assertWithinLimit(db, business, "ai_tokens_per_day", 0)   (budget left?)
//                                           after the model answered:  await recordUsage(db, business, "ai_tokens_per_day", usage.total_tokens)
//   live-chat widget (config/socket):       await assertWithinLimit(db, business, "live_chat")
//   broadcast start / resume:               await assertWithinLimit(db, business, "broadcasts_running", 1)
//                                           (usage = the business's broadcasts scheduled, running or waiting for their window)
//   anything that wants the numbers:        const { limits, usage } = await packageUsage(db, business)
// A breach throws ApiError 403 PACKAGE_LIMIT whose details name the limit: {limit, allowed, used, requested}.
import type { Business } from "../db/businesses";
import type { Db } from "../db/client";
import { countRunningBroadcasts } from "../db/broadcasts";
import { addUsage, countDevices, countUsers, getPackage, type Package, usageAmount } from "../db/packages";
import { ApiError } from "../http/errors";

export const LIMITS = ["devices", "agents", "messages_per_day", "broadcast_recipients_per_month", "ai_tokens_per_day", "broadcasts_running", "live_chat"] as const;
export type LimitName = (typeof LIMITS)[number];
type CountedLimit = Exclude<LimitName, "live_chat">;
/** null = unlimited. */
export type Limits = Record<CountedLimit, number | null> & { live_chat: boolean };
export type Usage = Record<CountedLimit, number>;

/** A business whose package row is missing (deleted by an operator) gets nothing rather than everything. */
const NOTHING: Limits = { devices: 0, agents: 0, messages_per_day: 0, broadcast_recipients_per_month: 0, ai_tokens_per_day: 0, broadcasts_running: 0, live_chat: false };

export function limitsOf(p: Package | undefined): Limits {
  if (!p) return NOTHING;
  return {
    devices: p.devices,
    agents: p.agents,
    messages_per_day: p.messagesPerDay,
    broadcast_recipients_per_month: p.broadcastRecipientsPerMonth,
    ai_tokens_per_day: p.aiTokensPerDay,
    broadcasts_running: p.broadcastsRunning,
    live_chat: p.liveChat,
  };
}

export async function packageLimits(db: Db, business: Pick<Business, "package">): Promise<Limits> {
  return limitsOf(await getPackage(db, business.package));
}

type MeteredLimit = "messages_per_day" | "ai_tokens_per_day" | "broadcast_recipients_per_month";

/**
 * The counter period of a metered limit: `YYYY-MM-DD` (daily) or `YYYY-MM` (monthly), in Asia/Jakarta (UTC+7,
 * no DST) for every business — the messages counter is kept by a D1 trigger (migration 0007), which has no
 * time-zone database, and the periods of all metered limits agree with it.
 */
export function usagePeriod(metric: MeteredLimit, now: number): string {
  const d = new Date(now + 7 * 3_600_000).toISOString();
  return metric === "broadcast_recipients_per_month" ? d.slice(0, 7) : d.slice(0, 10);
}

export async function usageOf(db: Db, business: Pick<Business, "id">, limit: CountedLimit, now = Date.now()): Promise<number> {
  switch (limit) {
    case "devices":
      return countDevices(db, business.id);
    case "agents":
      return countUsers(db, business.id);
    case "broadcasts_running":
      return countRunningBroadcasts(db, business.id);
    case "messages_per_day":
    case "ai_tokens_per_day":
    case "broadcast_recipients_per_month":
      return usageAmount(db, business.id, limit, usagePeriod(limit, now));
  }
}

export async function packageUsage(db: Db, business: Pick<Business, "id" | "package">, now = Date.now()): Promise<{ limits: Limits; usage: Usage }> {
  const [limits, devices, agents, messages_per_day, broadcast_recipients_per_month, ai_tokens_per_day, broadcasts_running] = await Promise.all([
    packageLimits(db, business),
    usageOf(db, business, "devices", now),
    usageOf(db, business, "agents", now),
    usageOf(db, business, "messages_per_day", now),
    usageOf(db, business, "broadcast_recipients_per_month", now),
    usageOf(db, business, "ai_tokens_per_day", now),
    usageOf(db, business, "broadcasts_running", now),
  ]);
  return { limits, usage: { devices, agents, messages_per_day, broadcast_recipients_per_month, ai_tokens_per_day, broadcasts_running } };
}

export function limitError(limit: LimitName, allowed: number | boolean, used: number, requested: number): ApiError {
  const message =
    limit === "live_chat"
      ? "Your package does not include live chat. Upgrade to use it."
      : `Package limit reached: ${limit} allows ${String(allowed)} (used ${used}, requested ${requested}). Upgrade your package.`;
  return new ApiError(403, "PACKAGE_LIMIT", message, { limit, allowed, used, requested });
}

/**
 * Throws 403 PACKAGE_LIMIT when adding `adding` more of `limit` would go past the package. `adding = 0` asks
 * "is anything left?" (used < allowed), for budgets only known afterwards (AI tokens).
 */
export async function assertWithinLimit(
  db: Db,
  business: Pick<Business, "id" | "package">,
  limit: LimitName,
  adding = 1,
  now = Date.now(),
): Promise<void> {
  const limits = await packageLimits(db, business);
  if (limit === "live_chat") {
    if (!limits.live_chat) throw limitError("live_chat", false, 0, 0);
    return;
  }
  const allowed = limits[limit];
  if (allowed === null) return;
  checkLimit(limit, allowed, await usageOf(db, business, limit, now), adding);
}

/** The comparison itself, for a caller that already holds the numbers (the webhook path, from its cache). */
export function checkLimit(limit: CountedLimit, allowed: number | null, used: number, adding: number): void {
  if (allowed === null) return;
  const over = adding === 0 ? used >= allowed : used + adding > allowed;
  if (over) throw limitError(limit, allowed, used, adding);
}

/** Counts usage of a metered limit after the fact (broadcast recipients queued, AI tokens spent). */
export async function recordUsage(
  db: Db,
  business: Pick<Business, "id">,
  metric: "ai_tokens_per_day" | "broadcast_recipients_per_month",
  amount: number,
  now = Date.now(),
): Promise<void> {
  if (amount <= 0) return;
  await addUsage(db, business.id, metric, usagePeriod(metric, now), Math.floor(amount));
}
