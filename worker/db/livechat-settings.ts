// The business's live-chat settings row: created with a fresh widget key the first time it is read.
import { eq } from "drizzle-orm";
import { randomToken } from "../lib/crypto";
import type { Db } from "./client";
import { livechatSettings } from "./schema";

export type LivechatSettingsRow = typeof livechatSettings.$inferSelect;

/** `wk_` + 24 random bytes: public, but not guessable (a guessed key would let a page impersonate a shop's chat). */
export function newWidgetKey(): string {
  return `wk_${randomToken(24)}`;
}

export async function ensureLivechatSettings(db: Db, businessId: string, now = Date.now()): Promise<LivechatSettingsRow> {
  const made = await db.insert(livechatSettings).values({ businessId, widgetKey: newWidgetKey(), config: {}, updatedAt: now }).onConflictDoNothing().returning().get();
  if (made) return made;
  const found = await db.select().from(livechatSettings).where(eq(livechatSettings.businessId, businessId)).get();
  if (!found) throw new Error("livechat settings vanished");
  return found;
}

/** Read only (the WhatsApp inbound path must not create a widget for a business that never opened the page). */
export async function getLivechatSettings(db: Db, businessId: string): Promise<LivechatSettingsRow | undefined> {
  return db.select().from(livechatSettings).where(eq(livechatSettings.businessId, businessId)).get();
}

export async function settingsByWidgetKey(db: Db, widgetKey: string): Promise<LivechatSettingsRow | undefined> {
  return db.select().from(livechatSettings).where(eq(livechatSettings.widgetKey, widgetKey)).get();
}

export async function saveLivechatSettings(db: Db, businessId: string, set: { config?: Record<string, unknown>; widgetKey?: string }, now = Date.now()): Promise<LivechatSettingsRow | undefined> {
  return db
    .update(livechatSettings)
    .set({ ...set, updatedAt: now })
    .where(eq(livechatSettings.businessId, businessId))
    .returning()
    .get();
}
