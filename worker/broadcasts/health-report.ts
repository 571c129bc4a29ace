// A device's health report: the broadcast lane's figures over 24 h and 7 d, the health figure and the cap
// factor it implies, the warm-up stage and the pacing in force. One function for the API
// (GET /api/v1/devices/{key}/health) and the device page's chart, so both always show the same numbers.
import type { Device } from "../db/devices";
import { effectiveSettings } from "../messaging/settings";
import { healthOf } from "./health";
import { type DeviceWindowStats, deviceStats } from "./lane-stats";
import { capsOf, DEFAULT_PACING, healthFactor, type WarmupStage, warmupStage } from "./pacer";

const DAY = 86_400_000;

export type HealthReport = {
  device_key: string;
  health: number;
  cap_factor: 1 | 0.5 | 0;
  last_24h: DeviceWindowStats;
  last_7d: DeviceWindowStats;
  warmup: WarmupStage;
  pacing: { paced: boolean; gap_seconds: [number, number]; rest_every: [number, number]; rest_seconds: [number, number]; max_per_hour: number; max_per_day: number };
};

export async function deviceHealthReport(d1: D1Database, businessId: string, d: Pick<Device, "deviceKey" | "createdAt" | "provider" | "settings">, now: number): Promise<HealthReport> {
  const [day, week] = await Promise.all([deviceStats(d1, businessId, d.deviceKey, now - DAY), deviceStats(d1, businessId, d.deviceKey, now - 7 * DAY)]);
  const health = healthOf(week);
  const age = (now - d.createdAt) / DAY;
  const p = DEFAULT_PACING;
  const caps = capsOf(p, age, health);
  return {
    device_key: d.deviceKey,
    health,
    cap_factor: healthFactor(health),
    last_24h: day,
    last_7d: week,
    warmup: warmupStage(p, age),
    pacing: {
      paced: effectiveSettings(d.provider, d.settings).pacing_enabled,
      gap_seconds: [p.gap_min_s, p.gap_max_s],
      rest_every: [p.rest_every_min, p.rest_every_max],
      rest_seconds: [p.rest_min_s, p.rest_max_s],
      max_per_hour: caps.per_hour,
      max_per_day: caps.per_day,
    },
  };
}
