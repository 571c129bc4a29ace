// A business's broadcast settings: the stop (opt-out) and start (opt-in) keywords with their one confirmation
// each, and how many broadcasts may run at once. Stored as JSON; every read fills the gaps with the defaults.
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { broadcastSettings } from "../db/schema";

const Keyword = z.string().trim().min(1).max(40);

export const BroadcastSettings = z.strictObject({
  stop_keywords: z.array(Keyword).min(1).max(20),
  start_keywords: z.array(Keyword).min(1).max(20),
  stop_reply: z.string().trim().min(1).max(1000),
  start_reply: z.string().trim().min(1).max(1000),
  /** Broadcasts running (or scheduled, or waiting for their window) at once; the packages issue may lower it. */
  max_running: z.number().int().min(1).max(20),
});
export type BroadcastSettings = z.infer<typeof BroadcastSettings>;
export const BroadcastSettingsPatch = BroadcastSettings.partial();

export function defaultBroadcastSettings(locale: "id" | "en"): BroadcastSettings {
  return {
    stop_keywords: ["STOP", "BERHENTI", "UNSUB", "JANGAN KIRIM"],
    start_keywords: ["START", "MULAI"],
    stop_reply:
      locale === "en"
        ? "You will no longer receive promotions from us. Reply START to subscribe again."
        : "Anda tidak akan menerima promosi dari kami lagi. Balas MULAI untuk berlangganan kembali.",
    start_reply: locale === "en" ? "You are subscribed to our updates again. Reply STOP to unsubscribe." : "Anda kembali berlangganan info dari kami. Balas STOP untuk berhenti.",
    max_running: 3,
  };
}

export async function getBroadcastSettings(db: Db, business: { id: string; locale: "id" | "en" }): Promise<BroadcastSettings> {
  const row = await db.select().from(broadcastSettings).where(eq(broadcastSettings.businessId, business.id)).get();
  const parsed = BroadcastSettingsPatch.safeParse(row?.settings ?? {});
  return { ...defaultBroadcastSettings(business.locale), ...(parsed.success ? parsed.data : {}) };
}

export async function saveBroadcastSettings(db: Db, business: { id: string; locale: "id" | "en" }, patch: z.infer<typeof BroadcastSettingsPatch>): Promise<BroadcastSettings> {
  const next = { ...(await getBroadcastSettings(db, business)), ...patch };
  await db
    .insert(broadcastSettings)
    .values({ businessId: business.id, settings: next, updatedAt: Date.now() })
    .onConflictDoUpdate({ target: broadcastSettings.businessId, set: { settings: next, updatedAt: Date.now() } })
    .run();
  return next;
}

/** Upper case, punctuation and repeated spaces dropped: "stop!", " Stop " and "JANGAN  KIRIM." match. */
export function keywordOf(text: string): string {
  return text
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[^\p{L}\p{N} ]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}
