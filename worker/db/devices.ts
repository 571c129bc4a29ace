import { and, count, desc, eq } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import { afterCursor } from "./paging";
import type { Db } from "./client";
import { devices } from "./schema";

export type Device = typeof devices.$inferSelect;
export type NewDevice = typeof devices.$inferInsert;

export async function insertDevice(db: Db, d: NewDevice): Promise<Device> {
  return db.insert(devices).values(d).returning().get();
}

export async function getDevice(db: Db, businessId: string, deviceKey: string): Promise<Device | undefined> {
  return db
    .select()
    .from(devices)
    .where(and(eq(devices.businessId, businessId), eq(devices.deviceKey, deviceKey)))
    .get();
}

/** Unscoped lookup, only for channels that authenticate by the device itself (gateway, Meta webhook). */
export async function getDeviceByKey(db: Db, deviceKey: string): Promise<Device | undefined> {
  return db.select().from(devices).where(eq(devices.deviceKey, deviceKey)).get();
}

export async function listDevices(db: Db, businessId: string, limit: number, cursor?: Cursor): Promise<Device[]> {
  return db
    .select()
    .from(devices)
    .where(
      and(
        eq(devices.businessId, businessId),
        afterCursor(devices.createdAt, devices.deviceKey, cursor),
      ),
    )
    .orderBy(desc(devices.createdAt), desc(devices.deviceKey))
    .limit(limit + 1)
    .all();
}

export async function updateDevice(
  db: Db,
  businessId: string,
  deviceKey: string,
  patch: Partial<Omit<NewDevice, "deviceKey" | "businessId" | "createdAt">>,
): Promise<Device | undefined> {
  return db
    .update(devices)
    .set(patch)
    .where(and(eq(devices.businessId, businessId), eq(devices.deviceKey, deviceKey)))
    .returning()
    .get();
}

export async function deleteDevice(db: Db, businessId: string, deviceKey: string): Promise<boolean> {
  const rows = await db
    .delete(devices)
    .where(and(eq(devices.businessId, businessId), eq(devices.deviceKey, deviceKey)))
    .returning({ k: devices.deviceKey });
  return rows.length > 0;
}

/** Devices a gateway should host: baileys devices assigned to it. */
export async function listGatewayDevices(db: Db, gatewayId: string): Promise<Device[]> {
  return db
    .select()
    .from(devices)
    .where(and(eq(devices.gatewayId, gatewayId), eq(devices.provider, "baileys")))
    .orderBy(devices.createdAt)
    .all();
}

/** Baileys devices per gateway, for placing a new device on the least loaded one. */
export async function gatewayLoad(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .select({ gatewayId: devices.gatewayId, n: count() })
    .from(devices)
    .where(eq(devices.provider, "baileys"))
    .groupBy(devices.gatewayId)
    .all();
  const load = new Map<string, number>();
  for (const r of rows) if (r.gatewayId !== null) load.set(r.gatewayId, r.n);
  return load;
}

/** Operator move of a device to another gateway (null: unassigned). */
export async function assignGateway(db: Db, deviceKey: string, gatewayId: string | null): Promise<Device | undefined> {
  return db.update(devices).set({ gatewayId }).where(eq(devices.deviceKey, deviceKey)).returning().get();
}

/** The devices a send without device_key may use: the business's connected ones (auto-pick needs exactly one). */
export async function connectedDevices(db: Db, businessId: string): Promise<Device[]> {
  return db
    .select()
    .from(devices)
    .where(and(eq(devices.businessId, businessId), eq(devices.status, "connected")))
    .limit(2)
    .all();
}
