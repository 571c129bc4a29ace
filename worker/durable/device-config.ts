// What the DeviceSession needs to know about its device, read from D1 and cached for a short time.
import { getBusiness } from "../db/businesses";
import { database } from "../db/client";
import { type Device, getDeviceByKey, updateDevice } from "../db/devices";
import type { Provider } from "../db/schema";
import type { SessionStatus } from "../../protocol/gateway-protocol";
import { type DeviceSettings, effectiveSettings } from "../messaging/settings";

export type DeviceConfig = {
  deviceKey: string;
  businessId: string;
  provider: Provider;
  settings: DeviceSettings;
  timeZone: string;
  device: Device;
  loadedAt: number;
};

/** Settings or provider changes reach a running object within this time (or at once through `refresh`). */
export const CONFIG_TTL_MS = 30_000;

export async function loadDeviceConfig(env: Env, deviceKey: string, now: number): Promise<DeviceConfig | null> {
  const db = database(env.DB);
  const device = await getDeviceByKey(db, deviceKey);
  if (!device) return null;
  const business = await getBusiness(db, device.businessId);
  return {
    deviceKey,
    businessId: device.businessId,
    provider: device.provider,
    settings: effectiveSettings(device.provider, device.settings),
    timeZone: business?.timezone ?? "Asia/Jakarta",
    device,
    loadedAt: now,
  };
}

/** The device row (what lists and the dashboard read) only changes when the status or phone does. */
export async function syncDeviceStatus(env: Env, cfg: DeviceConfig, status: SessionStatus, reason: string | null, phone?: string): Promise<void> {
  const d = cfg.device;
  if (d.status === status && d.statusReason === reason && (phone === undefined || d.phone === phone)) return;
  const updated = await updateDevice(database(env.DB), cfg.businessId, cfg.deviceKey, { status, statusReason: reason, ...(phone !== undefined ? { phone } : {}) });
  if (updated) cfg.device = updated;
}
