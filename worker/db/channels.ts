// Channels: where conversations happen. A WhatsApp device's channel is created the first time it is needed
// (an inbound message, an agent reply) and outlives the device so history stays readable.
import { and, eq } from "drizzle-orm";
import type { Db } from "./client";
import { channels } from "./schema";

export type Channel = typeof channels.$inferSelect;

export async function whatsappChannel(db: Db, device: { businessId: string; deviceKey: string; name: string }): Promise<Channel> {
  const found = await db.select().from(channels).where(eq(channels.deviceKey, device.deviceKey)).get();
  if (found) return found;
  await db
    .insert(channels)
    .values({ id: crypto.randomUUID(), businessId: device.businessId, kind: "whatsapp", deviceKey: device.deviceKey, name: device.name })
    .onConflictDoNothing()
    .run();
  const made = await db.select().from(channels).where(eq(channels.deviceKey, device.deviceKey)).get();
  if (!made) throw new Error("channel insert vanished");
  return made;
}

export async function getChannel(db: Db, businessId: string, id: string): Promise<Channel | undefined> {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.businessId, businessId), eq(channels.id, id)))
    .get();
}

export async function listChannels(db: Db, businessId: string): Promise<Channel[]> {
  return db.select().from(channels).where(eq(channels.businessId, businessId)).orderBy(channels.createdAt).all();
}

/** The business's website chat channel (one per business; a fixed id so concurrent first visitors agree). */
export async function webChatChannel(db: Db, businessId: string): Promise<Channel> {
  const id = `web-${businessId}`;
  const row = await db.insert(channels).values({ id, businessId, kind: "web", name: "Website chat" }).onConflictDoNothing().returning().get();
  if (row) return row;
  const found = await getChannel(db, businessId, id);
  if (!found) throw new Error("web channel vanished");
  return found;
}
