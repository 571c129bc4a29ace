import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { businesses } from "./schema";

export type Business = typeof businesses.$inferSelect;

export async function getBusiness(db: Db, id: string): Promise<Business | undefined> {
  return db.select().from(businesses).where(eq(businesses.id, id)).get();
}

export function isPackageActive(b: Pick<Business, "activeUntil">, now = Date.now()): boolean {
  return b.activeUntil > now;
}

export type BusinessPatch = Partial<
  Pick<
    Business,
    | "name"
    | "timezone"
    | "country"
    | "locale"
    | "scalevSigningSecretEnc"
    | "lynkMerchantKeyEnc"
    | "customWebhookSecretEnc"
    | "webhookLogRetentionDays"
    | "webhookUnsignedAllowed"
    | "webhookTokenHash"
    | "package"
    | "activeUntil"
  >
>;

export async function updateBusiness(db: Db, id: string, patch: BusinessPatch): Promise<Business | undefined> {
  if (Object.keys(patch).length === 0) return getBusiness(db, id);
  return db.update(businesses).set(patch).where(eq(businesses.id, id)).returning().get();
}
