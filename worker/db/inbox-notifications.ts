// A user's inbox notifications (mentions, assignments) and their notification preference. Every query is
// scoped by business and user: one agent never reads or marks another's.
import { and, count, desc, eq, inArray, isNull, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { inboxNotifications, inboxPreferences } from "./schema";

export type InboxNotification = typeof inboxNotifications.$inferSelect;
export type NewInboxNotification = Omit<typeof inboxNotifications.$inferInsert, "id" | "createdAt" | "readAt">;

export async function addNotifications(db: Db, rows: NewInboxNotification[], now = Date.now()): Promise<InboxNotification[]> {
  if (rows.length === 0) return [];
  return db
    .insert(inboxNotifications)
    .values(rows.map((r) => ({ ...r, id: crypto.randomUUID(), createdAt: now })))
    .returning()
    .all();
}

const mine = (businessId: string, userId: string): SQL | undefined => and(eq(inboxNotifications.businessId, businessId), eq(inboxNotifications.userId, userId));

export async function listNotifications(db: Db, businessId: string, userId: string, limit: number, unreadOnly: boolean): Promise<InboxNotification[]> {
  return db
    .select()
    .from(inboxNotifications)
    .where(and(mine(businessId, userId), unreadOnly ? isNull(inboxNotifications.readAt) : undefined))
    .orderBy(desc(inboxNotifications.createdAt), desc(inboxNotifications.id))
    .limit(limit)
    .all();
}

export async function unreadNotificationCount(db: Db, businessId: string, userId: string): Promise<number> {
  const row = await db
    .select({ n: count() })
    .from(inboxNotifications)
    .where(and(mine(businessId, userId), isNull(inboxNotifications.readAt)))
    .get();
  return row?.n ?? 0;
}

/** Marks the given notifications (or all, without ids) read; returns how many changed. */
export async function markNotificationsRead(db: Db, businessId: string, userId: string, ids: string[] | undefined, now = Date.now()): Promise<number> {
  const rows = await db
    .update(inboxNotifications)
    .set({ readAt: now })
    .where(and(mine(businessId, userId), isNull(inboxNotifications.readAt), ids ? inArray(inboxNotifications.id, ids) : undefined))
    .returning({ id: inboxNotifications.id })
    .all();
  return rows.length;
}

export type NotifySetting = (typeof inboxPreferences.$inferSelect)["notify"];

/** "on" unless the user turned it off. */
export async function notifySetting(db: Db, businessId: string, userId: string): Promise<NotifySetting> {
  const row = await db
    .select({ notify: inboxPreferences.notify })
    .from(inboxPreferences)
    .where(and(eq(inboxPreferences.userId, userId), eq(inboxPreferences.businessId, businessId)))
    .get();
  return row?.notify ?? "on";
}

export async function setNotifySetting(db: Db, businessId: string, userId: string, notify: NotifySetting, now = Date.now()): Promise<void> {
  await db
    .insert(inboxPreferences)
    .values({ userId, businessId, notify, updatedAt: now })
    .onConflictDoUpdate({ target: inboxPreferences.userId, set: { notify, businessId, updatedAt: now } })
    .run();
}
