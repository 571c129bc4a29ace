// The AI agent's settings row per business (absent: the column defaults, with the agent on nowhere).
import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { aiSettings } from "./schema";

export type AiSettings = typeof aiSettings.$inferSelect;
export type AiSettingsPatch = Partial<Omit<AiSettings, "businessId" | "updatedAt">>;

export async function getAiSettings(db: Db, businessId: string): Promise<AiSettings> {
  const row = await db.select().from(aiSettings).where(eq(aiSettings.businessId, businessId)).get();
  if (row) return row;
  // The defaults are the table's column defaults: insert-or-ignore once, read back.
  await db.insert(aiSettings).values({ businessId }).onConflictDoNothing().run();
  const made = await db.select().from(aiSettings).where(eq(aiSettings.businessId, businessId)).get();
  if (!made) throw new Error("ai_settings row missing after insert");
  return made;
}

export async function updateAiSettings(db: Db, businessId: string, patch: AiSettingsPatch): Promise<AiSettings> {
  await getAiSettings(db, businessId);
  const row = await db
    .update(aiSettings)
    .set({ ...patch, updatedAt: Date.now() })
    .where(eq(aiSettings.businessId, businessId))
    .returning()
    .get();
  if (!row) throw new Error("ai_settings row missing");
  return row;
}
