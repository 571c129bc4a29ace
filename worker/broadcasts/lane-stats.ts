// The figures the broadcast pacer and the health formula read from D1: the number's broadcast-lane sends in the
// last hour/day (across all its broadcasts and campaigns), the last finished sends of one broadcast, and a
// device's 7-day health inputs. Each is one indexed query (messages_device_idx).
import type { LaneCounts } from "./pacer";
import type { HealthInputs } from "./health";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export async function laneCounts(d1: D1Database, businessId: string, deviceKey: string, now: number): Promise<LaneCounts> {
  const r = await d1
    .prepare(
      `SELECT count(*) AS day, min(created_at) AS day_oldest, sum(created_at > ?4) AS hour, min(CASE WHEN created_at > ?4 THEN created_at END) AS hour_oldest
       FROM messages WHERE business_id = ?1 AND device_key = ?2 AND created_at > ?3 AND lane = 'broadcast' AND direction = 'out' AND status != 'skipped'`,
    )
    .bind(businessId, deviceKey, now - DAY, now - HOUR)
    .first<{ day: number; day_oldest: number | null; hour: number | null; hour_oldest: number | null }>();
  return { day: r?.day ?? 0, dayOldest: r?.day_oldest ?? null, hour: r?.hour ?? 0, hourOldest: r?.hour_oldest ?? null };
}

/** Statuses of the broadcast's last `n` finished sends, newest first. */
export async function recentFinished(d1: D1Database, broadcastId: string, n: number): Promise<string[]> {
  const r = await d1
    .prepare(
      `SELECT m.status FROM broadcast_recipients r JOIN messages m ON m.id = r.message_id
       WHERE r.broadcast_id = ? AND r.status = 'queued' AND m.status IN ('sent','delivered','read','failed') ORDER BY r.seq DESC LIMIT ?`,
    )
    .bind(broadcastId, n)
    .all<{ status: string }>();
  return r.results.map((x) => x.status);
}

export type DeviceWindowStats = HealthInputs & { replies: number; failures_by_reason: Record<string, number> };

/** Broadcast-lane sends and failures of a device since `since`, replies it received, and the business's opt-outs. */
export async function deviceStats(d1: D1Database, businessId: string, deviceKey: string, since: number): Promise<DeviceWindowStats> {
  const [sends, fails, replies, opts] = await d1.batch<Record<string, number | string | null>>([
    d1
      .prepare(`SELECT count(*) AS n, sum(status = 'failed') AS failed FROM messages WHERE business_id = ? AND device_key = ? AND created_at > ? AND direction = 'out' AND lane = 'broadcast' AND status != 'skipped'`)
      .bind(businessId, deviceKey, since),
    d1
      .prepare(`SELECT COALESCE(error, 'unknown') AS reason, count(*) AS n FROM messages WHERE business_id = ? AND device_key = ? AND created_at > ? AND direction = 'out' AND status = 'failed' GROUP BY 1`)
      .bind(businessId, deviceKey, since),
    d1.prepare(`SELECT count(*) AS n FROM messages WHERE business_id = ? AND device_key = ? AND created_at > ? AND direction = 'in'`).bind(businessId, deviceKey, since),
    d1.prepare(`SELECT count(*) AS n FROM contacts WHERE business_id = ? AND opted_out = 1 AND opted_out_at > ?`).bind(businessId, since),
  ]);
  const s = sends?.results[0] ?? {};
  const failures: Record<string, number> = {};
  for (const f of fails?.results ?? []) failures[String(f.reason).slice(0, 80)] = Number(f.n);
  const blocks = Object.entries(failures).reduce((n, [reason, c]) => (/restrict|block|banned/i.test(reason) ? n + c : n), 0);
  return {
    sends: Number(s.n ?? 0),
    failed: Number(s.failed ?? 0),
    opt_outs: Number(opts?.results[0]?.n ?? 0),
    blocks,
    replies: Number(replies?.results[0]?.n ?? 0),
    failures_by_reason: failures,
  };
}
