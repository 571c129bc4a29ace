// Renewal reminders 7, 3 and 1 days before a package ends (cron, every minute; at most one per threshold per
// period however often it runs). Channels: the dashboard banner (computed live from active_until), WhatsApp
// from the platform's own device (PLATFORM_DEVICE_KEY) to the owner's phone through the normal send pipeline,
// and email to the owner (worker/mail).
import type { Business } from "../db/businesses";
import type { Db } from "../db/client";
import { getDeviceByKey } from "../db/devices";
import { businessesDueForReminder, claimReminder, ownerEmail } from "../db/reminders";
import { MailError, sendMail } from "../mail/send";
import { formatWall, wallTime } from "../lib/zoned-dates";
import { normalizePhone, toJid } from "../lib/phone";
import { queueMessages } from "../messaging/enqueue";
import { REMINDER_DAYS, reminderDue } from "./policy";

export function reminderText(b: Business, daysBefore: number, billingUrl: string): string {
  const w = wallTime(b.activeUntil, b.timezone);
  const date = w ? formatWall(w, "D MMMM YYYY HH:mm", b.locale) : new Date(b.activeUntil).toISOString();
  return b.locale === "en"
    ? `Ping: the ${b.package} package of ${b.name} ends in ${daysBefore} day(s), on ${date}. Renew so your messages keep going: ${billingUrl}`
    : `Ping: paket ${b.package} untuk ${b.name} berakhir dalam ${daysBefore} hari, pada ${date}. Perpanjang agar pesan Anda tetap terkirim: ${billingUrl}`;
}

/**
 * WhatsApp first, with an idempotency key per (business, expiry, threshold): a re-run after a crash re-queues
 * nothing twice. Then the claim; only the run that claims sends the channels that are not idempotent (email).
 */
async function remind(env: Env, db: Db, b: Business, daysBefore: number): Promise<boolean> {
  const billingUrl = `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/app/billing`;
  const text = reminderText(b, daysBefore, billingUrl);
  const device = env.PLATFORM_DEVICE_KEY ? await getDeviceByKey(db, env.PLATFORM_DEVICE_KEY) : undefined;
  const phone = b.ownerPhone ? normalizePhone(b.ownerPhone, b.country) : null;
  if (device && phone?.ok) {
    await queueMessages(db, env.OUTBOUND, [
      {
        id: crypto.randomUUID(),
        businessId: device.businessId,
        deviceKey: device.deviceKey,
        idempotencyKey: `renewal:${b.id}:${b.activeUntil}:${daysBefore}`,
        to: toJid(phone.digits),
        text,
        source: "api",
        lane: "transactional",
      },
    ]);
  }
  const claimed = await claimReminder(db, b.id, b.activeUntil, daysBefore);
  // Email has no idempotency key of its own: only the run that claimed the reminder sends it (one per threshold).
  const to = claimed ? await ownerEmail(db, b.id) : undefined;
  if (to) {
    const subject = b.locale === "en" ? `Your Ping package ends in ${daysBefore} day(s)` : `Paket Ping Anda berakhir dalam ${daysBefore} hari`;
    await sendMail(env, { to, subject, text }).catch((e: unknown) => {
      console.warn(JSON.stringify({ level: "warn", msg: "renewal reminder email failed", business_id: b.id, error: e instanceof MailError ? e.message : String(e) }));
    });
  }
  return claimed;
}

/** The cron step: every business ending within 7 days gets the reminder its remaining time calls for, once. */
export async function sendRenewalReminders(env: Env, db: Db, now: number): Promise<number> {
  let sent = 0;
  for (const b of await businessesDueForReminder(db, now, REMINDER_DAYS, 200)) {
    const due = reminderDue(b.activeUntil, now, new Set());
    if (due !== null && (await remind(env, db, b, due))) sent += 1;
  }
  return sent;
}
