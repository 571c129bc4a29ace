// A webhook event that names a customer: create or merge the contact (Scalev `destination_address`, Lynk
// `customer`, custom senders through the matched rules' phone field) and put the order on their timeline.
// Two halves, like the webhook planner: `webhookCustomerFacts` is pure and runs in the request (what the event
// says, JSON the effect row keeps); `recordWebhookCustomer` does the writes after the response, as the
// `webhook_customer` effect (worker/inbound/effects.ts), re-driven by the cron sweep after a crash. Both writes
// are idempotent (merge by phone/email; orders keyed by external id with an out-of-order guard), so a re-run
// is harmless.
import { z } from "zod";
import type { Business } from "../db/businesses";
import type { Db } from "../db/client";
import { recordContact } from "../db/contacts";
import { upsertOrder } from "../db/orders";
import { WEBHOOK_SOURCES, type WebhookSource } from "../db/schema";
import { normalizePhone } from "../lib/phone";
import type { Plan } from "../webhooks/process";
import { phoneOfWaJid } from "./merge-plan";
import { eventFacts } from "./order-events";

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,200}\.[^\s@]{2,}$/;

/** What the effect row stores: validated again when the sweep reads it back. */
export const WebhookCustomer = z.object({
  source: z.enum(WEBHOOK_SOURCES),
  /** Normalised digits (62…); a custom event may address several numbers (several rules). */
  phones: z.array(z.string()).max(50),
  email: z.string().nullable(),
  name: z.string().nullable(),
  at: z.number(),
  /** The rules the event matched: campaigns they trigger enrol the customer (absent in rows written before). */
  rule_ids: z.array(z.string()).max(50).default([]),
  order: z
    .object({
      externalId: z.string(),
      event: z.string().nullable(),
      status: z.string().nullable(),
      paymentStatus: z.string().nullable(),
      amount: z.number().nullable(),
      items: z.array(z.object({ name: z.string(), qty: z.number(), price: z.number().nullable() })),
      eventAt: z.number(),
    })
    .nullable(),
});
export type WebhookCustomer = z.infer<typeof WebhookCustomer>;

/** What the event says about its customer; null when it names nobody (no phone, no email). Pure. */
export function webhookCustomerFacts(
  business: Pick<Business, "country">,
  source: WebhookSource,
  payload: unknown,
  plan: Pick<Plan, "messages" | "matchedIds">,
  now: number,
): WebhookCustomer | null {
  const facts = eventFacts(source, payload, now);
  let phones: string[];
  if (source === "custom") {
    phones = [...new Set(plan.messages.map((m) => phoneOfWaJid(m.to)).filter((p): p is string => p !== null))];
  } else {
    const p = normalizePhone(facts.customer.phone, business.country);
    phones = p.ok ? [p.digits] : [];
  }
  const email = facts.customer.email && EMAIL.test(facts.customer.email) ? facts.customer.email.toLowerCase() : null;
  if (phones.length === 0 && email === null) return null;
  return { source, phones: phones.slice(0, 50), email, name: facts.customer.name, at: facts.order?.eventAt ?? now, rule_ids: plan.matchedIds.slice(0, 50), order: facts.order };
}

export async function recordWebhookCustomer(
  db: Db,
  businessId: string,
  c: WebhookCustomer,
  now: number,
): Promise<{ contactId: string | null; contactIds: string[] }> {
  // Each number is a customer; the email goes with the first.
  const targets =
    c.phones.length > 0 ? c.phones.map((phone, i) => ({ phone, email: i === 0 ? c.email : null })) : [{ phone: null, email: c.email }];
  let first: string | null = null;
  const ids: string[] = [];
  for (const t of targets) {
    const r = await recordContact(db, businessId, { phone: t.phone, email: t.email, name: c.name, source: c.source, at: c.at });
    first ??= r?.contact.id ?? null;
    if (r) ids.push(r.contact.id);
  }
  if (first && c.order) await upsertOrder(db, businessId, first, c.source, c.order, now);
  return { contactId: first, contactIds: ids };
}
