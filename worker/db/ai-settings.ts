// The AI agent's settings row per business (absent: the column defaults, with the agent on nowhere).
import { eq, getTableColumns } from "drizzle-orm";
import type { Db } from "./client";
import { aiSettings } from "./schema";

export type AiSettings = typeof aiSettings.$inferSelect;
export type AiSettingsPatch = Partial<Omit<AiSettings, "businessId" | "updatedAt">>;

/** A business's settings; without a row, the table's column defaults (read from the schema, nothing written). */
export async function getAiSettings(db: Db, businessId: string): Promise<AiSettings> {
  const row = await db.select().from(aiSettings).where(eq(aiSettings.businessId, businessId)).get();
  return row ?? defaultsFor(businessId);
}

function defaultsFor(businessId: string): AiSettings {
  const out: Record<string, unknown> = { businessId, apiKeyEnc: null, updatedAt: null };
  for (const [key, col] of Object.entries(getTableColumns(aiSettings))) if (col.hasDefault) out[key] = col.default;
  return out as AiSettings;
}

export async function updateAiSettings(db: Db, businessId: string, patch: AiSettingsPatch): Promise<AiSettings> {
  await db.insert(aiSettings).values({ businessId }).onConflictDoNothing().run();
  const row = await db
    .update(aiSettings)
    .set({ ...patch, updatedAt: Date.now() })
    .where(eq(aiSettings.businessId, businessId))
    .returning()
    .get();
  if (!row) throw new Error("ai_settings row missing");
  return row;
}
