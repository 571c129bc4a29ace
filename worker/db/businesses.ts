import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { currentPackageState } from "../billing/grace";
import { businesses } from "./schema";

export type Business = typeof businesses.$inferSelect;

export async function getBusiness(db: Db, id: string): Promise<Business | undefined> {
  return db.select().from(businesses).where(eq(businesses.id, id)).get();
}

/** Sending features work while the package runs and during its grace period (worker/billing/policy.ts). */
export function isPackageActive(b: Pick<Business, "activeUntil" | "package">, now = Date.now()): boolean {
  return currentPackageState(b, now) !== "expired";
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
    | "ownerPhone"
  >
>;

export async function updateBusiness(db: Db, id: string, patch: BusinessPatch): Promise<Business | undefined> {
  if (Object.keys(patch).length === 0) return getBusiness(db, id);
  return db.update(businesses).set(patch).where(eq(businesses.id, id)).returning().get();
}
