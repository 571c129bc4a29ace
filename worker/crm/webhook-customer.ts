// A webhook event that names a customer: create or merge the contact (Scalev `destination_address`, Lynk
// `customer`, custom senders through the matched rules' phone field) and put the order on their timeline.
// Runs on every delivery of an event, replays included: both steps are idempotent, so a sender's retry after
// a crash completes what the first delivery did not.
import type { Business } from "../db/businesses";
import type { Db } from "../db/client";
import { recordContact } from "../db/contacts";
import { upsertOrder } from "../db/orders";
import type { WebhookSource } from "../db/schema";
import { normalizePhone } from "../lib/phone";
import type { Plan } from "../webhooks/process";
import { phoneOfWaJid } from "./merge-plan";
import { eventFacts } from "./order-events";

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,200}\.[^\s@]{2,}$/;

export async function recordWebhookCustomer(
  db: Db,
  business: Pick<Business, "id" | "country">,
  source: WebhookSource,
  payload: unknown,
  plan: Pick<Plan, "messages">,
  now: number,
): Promise<{ contactId: string | null }> {
  const facts = eventFacts(source, payload, now);
  let phones: string[];
  if (source === "custom") {
    phones = [...new Set(plan.messages.map((m) => phoneOfWaJid(m.to)).filter((p): p is string => p !== null))];
  } else {
    const p = normalizePhone(facts.customer.phone, business.country);
    phones = p.ok ? [p.digits] : [];
  }
  const email = facts.customer.email && EMAIL.test(facts.customer.email) ? facts.customer.email.toLowerCase() : null;
  const at = facts.order?.eventAt ?? now;
  // A custom event may address several numbers (several rules): each is a customer; the email goes with the first.
  const targets = phones.length > 0 ? phones.map((phone, i) => ({ phone, email: i === 0 ? email : null })) : [{ phone: null, email }];
  let first: string | null = null;
  for (const t of targets) {
    const r = await recordContact(db, business.id, { phone: t.phone, email: t.email, name: facts.customer.name, source, at });
    first ??= r?.contact.id ?? null;
  }
  if (first && facts.order) await upsertOrder(db, business.id, first, source, facts.order, now);
  return { contactId: first };
}
