// Media objects (files in R2) in D1: always read through the business that owns them.
import { and, eq } from "drizzle-orm";
import type { Db } from "./client";
import { mediaObjects } from "./schema";

export type MediaObject = typeof mediaObjects.$inferSelect;
export type NewMediaObject = typeof mediaObjects.$inferInsert;

export async function insertMediaObject(db: Db, row: NewMediaObject): Promise<void> {
  await db.insert(mediaObjects).values(row);
}

export async function getMediaObject(db: Db, businessId: string, id: string): Promise<MediaObject | undefined> {
  return db
    .select()
    .from(mediaObjects)
    .where(and(eq(mediaObjects.businessId, businessId), eq(mediaObjects.id, id)))
    .get();
}
