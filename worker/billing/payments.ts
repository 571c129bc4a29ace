// The one payment path: a provider callback, an operator's manual payment and a fully-credited change all end
// in applyPayment (amount and currency checked against the invoice, applied once per event id); refunds end in
// applyRefund. Invoices are created by checkout (online) or by the operator (manual, free extension).
import type { Business } from "../db/businesses";
import { getBusiness } from "../db/businesses";
import type { Db } from "../db/client";
import {
  applyPaymentBatch,
  applyRefundBatch,
  getInvoiceById,
  getInvoiceByProviderId,
  insertInvoice,
  type Invoice,
  type NewInvoice,
  recordPaymentEvent,
  runningPaidPeriods,
  updateInvoice,
} from "../db/invoices";
import { getPackage, type Package } from "../db/packages";
import { ApiError } from "../http/errors";
import { forgetWebhookContext } from "../webhooks/context-cache";
import { commissionAmount, DAY_MS, periodValue, quote, type Quote } from "./policy";
import { createXenditInvoice, createXenditRefund, xenditConfig } from "./xendit";

export type Outcome = "applied" | "replayed" | "mismatch" | "ignored";

export function invoiceNumber(id: string, now: number): string {
  const d = new Date(now + 7 * 3600_000); // Asia/Jakarta calendar date
  const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
  return `PING-${ymd}-${id.replaceAll("-", "").slice(0, 8).toUpperCase()}`;
}

export async function purchasablePackage(db: Db, id: string): Promise<Package> {
  const p = await getPackage(db, id);
  if (!p || !p.purchasable) throw new ApiError(400, "UNKNOWN_PACKAGE", `No package "${id}" for sale`);
  return p;
}

export async function quoteFor(db: Db, business: Business, target: Package, months: number, now: number): Promise<Quote> {
  const periods = await runningPaidPeriods(db, business.id, business.package, now);
  return quote({
    current: { packageId: business.package, activeUntil: business.activeUntil },
    currentPeriods: periods.map((p) => ({ value: periodValue(p), start: p.periodStart ?? 0, end: p.periodEnd ?? 0 })),
    target,
    months,
    now,
  });
}

/** A pending invoice for a quoted purchase (its planned period is re-anchored when it is paid). */
function insertQuoted(
  db: Db,
  business: Business,
  target: Package,
  months: number,
  q: Quote,
  now: number,
  how: Pick<NewInvoice, "kind" | "provider" | "providerInvoiceId" | "reference">,
): Promise<Invoice> {
  const id = crypto.randomUUID();
  return insertInvoice(db, {
    id,
    number: invoiceNumber(id, now),
    businessId: business.id,
    packageId: target.id,
    months,
    price: q.price,
    credit: q.credit,
    amount: q.amount,
    periodStart: q.periodStart,
    periodEnd: q.periodEnd,
    ...how,
  });
}

function extendsCurrent(business: Business, invoice: Invoice, now: number): boolean {
  return business.package === invoice.packageId || business.package === "trial" || business.activeUntil <= now;
}

/**
 * Applies a payment reported by `provider` under its own `eventId`. Amount and currency must equal the invoice's;
 * a mismatch is logged and recorded, never applied. A replay (same event id) or a second payment of a paid
 * invoice changes nothing.
 */
export async function applyPayment(
  env: Env,
  db: Db,
  p: { provider: string; eventId: string; invoice: Invoice; amount: number; currency: string; paidAt: number; method: string | null; now?: number },
): Promise<Outcome> {
  const now = p.now ?? Date.now();
  const inv = p.invoice;
  if (p.amount !== inv.amount || p.currency !== inv.currency) {
    const detail = `amount ${p.currency} ${p.amount} does not match invoice ${inv.number} (${inv.currency} ${inv.amount})`;
    console.warn(JSON.stringify({ level: "warn", msg: "payment mismatch", provider: p.provider, event_id: p.eventId, invoice_id: inv.id, detail }));
    await recordPaymentEvent(db, { provider: p.provider, eventId: `${p.eventId}#mismatch:${p.currency}${p.amount}`, invoiceId: inv.id, outcome: "mismatch", detail });
    return "mismatch";
  }
  const business = await getBusiness(db, inv.businessId);
  if (!business) return "ignored";
  const percent = Number(env.AFFILIATE_COMMISSION_PERCENT);
  const commission =
    business.referredBy && inv.kind !== "free_extension" && inv.amount > 0
      ? {
          id: crypto.randomUUID(),
          percent,
          amount: commissionAmount(inv.amount, percent),
          availableAt: now + Number(env.AFFILIATE_REFUND_WINDOW_DAYS) * DAY_MS,
        }
      : null;
  const applied = await applyPaymentBatch(env.DB, {
    provider: p.provider,
    eventId: p.eventId,
    invoice: inv,
    paidAt: p.paidAt,
    method: p.method,
    extend: extendsCurrent(business, inv, now),
    now,
    commission,
  });
  if (applied) {
    forgetWebhookContext(inv.businessId);
    return "applied";
  }
  // Either this event id was seen before, or the invoice was already paid under another event: record the latter.
  await recordPaymentEvent(db, { provider: p.provider, eventId: p.eventId, invoiceId: inv.id, outcome: "ignored", detail: `invoice already ${inv.status}` });
  return "replayed";
}

export async function applyRefund(db: Db, d1: D1Database, r: { provider: string; eventId: string; invoice: Invoice; now?: number }): Promise<Outcome> {
  const ok = await applyRefundBatch(d1, { provider: r.provider, eventId: r.eventId, invoice: r.invoice, now: r.now ?? Date.now(), clawbackId: crypto.randomUUID() });
  if (ok) forgetWebhookContext(r.invoice.businessId);
  else await recordPaymentEvent(db, { provider: r.provider, eventId: r.eventId, invoiceId: r.invoice.id, outcome: "ignored", detail: `refund of ${r.invoice.status} invoice` });
  return ok ? "applied" : "replayed";
}

/** Dashboard/API checkout: an invoice for `months` of `packageId`, paid on Xendit's hosted page. */
export async function checkout(env: Env, db: Db, business: Business, payerEmail: string | null, packageId: string, months: number): Promise<Invoice> {
  const target = await purchasablePackage(db, packageId);
  const now = Date.now();
  const q = await quoteFor(db, business, target, months, now);
  const cfg = xenditConfig(env);
  if (q.amount > 0 && !cfg) throw new ApiError(503, "PAYMENTS_NOT_CONFIGURED", "Online payment is not configured; contact support to pay by bank transfer");
  const invoice = await insertQuoted(db, business, target, months, q, now, { kind: "subscription", provider: q.amount > 0 ? "xendit" : "none" });
  const id = invoice.id;
  if (q.amount === 0 || !cfg) {
    // Fully covered by the pro-rata credit: applied at once through the same path.
    await applyPayment(env, db, { provider: "credit", eventId: `credit:${id}`, invoice, amount: 0, currency: "IDR", paidAt: now, method: "credit", now });
    return (await getInvoiceById(db, id)) ?? invoice;
  }
  try {
    const created = await createXenditInvoice(cfg, {
      externalId: id,
      amount: q.amount,
      description: `Ping ${target.name} — ${months} bulan (${invoice.number})`,
      payerEmail,
      successUrl: `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/app/billing?invoice=${id}`,
      durationSeconds: 86_400,
    });
    if (created.amount !== q.amount) throw new ApiError(502, "PAYMENT_PROVIDER_ERROR", "Payment provider created the invoice with another amount");
    return (await updateInvoice(db, id, { providerInvoiceId: created.id, invoiceUrl: created.invoice_url })) ?? invoice;
  } catch (e) {
    await updateInvoice(db, id, { status: "expired" });
    throw e;
  }
}

/** Operator: a bank transfer received. Idempotent by (business, reference); the amount must match the quote. */
export async function manualPayment(
  env: Env,
  db: Db,
  business: Business,
  body: { amount: number; package: string; months: number; reference: string },
): Promise<{ invoice: Invoice; outcome: Outcome }> {
  const eventId = `manual:${business.id}:${body.reference}`;
  const existing = await getInvoiceByProviderId(db, "manual", `${business.id}:${body.reference}`);
  if (existing) return { invoice: existing, outcome: "replayed" };
  const target = await purchasablePackage(db, body.package);
  const now = Date.now();
  const q = await quoteFor(db, business, target, body.months, now);
  const invoice = await insertQuoted(db, business, target, body.months, q, now, {
    kind: "manual",
    provider: "manual",
    providerInvoiceId: `${business.id}:${body.reference}`,
    reference: body.reference,
  });
  const id = invoice.id;
  const outcome = await applyPayment(env, db, { provider: "manual", eventId, invoice, amount: body.amount, currency: "IDR", paidAt: now, method: "bank_transfer", now });
  if (outcome === "mismatch") {
    await updateInvoice(db, id, { status: "expired" });
    throw new ApiError(422, "AMOUNT_MISMATCH", `Amount ${body.amount} does not match the invoice (${q.amount} = ${q.price} - credit ${q.credit})`, { expected: q.amount });
  }
  return { invoice: (await getInvoiceById(db, id)) ?? invoice, outcome };
}

/** Operator refund: immediate for manual/credit invoices; through Xendit's Refund API (then its callback) for online ones. */
export async function refundInvoice(env: Env, db: Db, invoice: Invoice): Promise<Invoice> {
  if (invoice.kind === "free_extension") throw new ApiError(409, "NOT_REFUNDABLE", "A free extension has nothing to refund");
  if (invoice.status === "refunded" || invoice.status === "refund_pending") return invoice;
  if (invoice.status !== "paid") throw new ApiError(409, "NOT_REFUNDABLE", `Invoice is ${invoice.status}, not paid`);
  if (invoice.provider === "xendit" && invoice.providerInvoiceId) {
    const cfg = xenditConfig(env);
    if (!cfg) throw new ApiError(503, "PAYMENTS_NOT_CONFIGURED", "Xendit is not configured");
    await createXenditRefund(cfg, { providerInvoiceId: invoice.providerInvoiceId, ourInvoiceId: invoice.id, amount: invoice.amount });
    return (await updateInvoice(db, invoice.id, { status: "refund_pending" }, ["paid"])) ?? invoice;
  }
  await applyRefund(db, env.DB, { provider: invoice.provider, eventId: `refund:${invoice.id}`, invoice });
  return (await getInvoiceById(db, invoice.id)) ?? invoice;
}

/** PUT /internal/businesses/:id/package: a free extension, recorded as a zero invoice that earns no commission. */
export async function freeExtension(db: Db, business: Business, packageId: string, activeUntil: number): Promise<Invoice> {
  const now = Date.now();
  const id = crypto.randomUUID();
  return insertInvoice(db, {
    id,
    number: invoiceNumber(id, now),
    businessId: business.id,
    kind: "free_extension",
    packageId,
    months: 0,
    price: 0,
    amount: 0,
    provider: "none",
    status: "paid",
    paidAt: now,
    periodStart: Math.min(business.activeUntil, activeUntil),
    periodEnd: activeUntil,
    reference: `free extension (was ${business.package} until ${new Date(business.activeUntil).toISOString()})`,
  });
}
