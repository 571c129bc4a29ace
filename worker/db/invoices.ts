// Invoices and the payment events applied to them. Applying a payment or a refund is one D1 batch (a
// transaction) whose statements are chained with SQLite's changes(): each runs only if the one before it
// changed a row, so a replayed event (its id already claimed) or an invoice already paid changes nothing.
import { and, desc, eq, gt, inArray } from "drizzle-orm";
import type { Cursor } from "../lib/cursor";
import type { Db } from "./client";
import { afterCursor } from "./paging";
import { invoices, paymentEvents } from "./schema";

export type Invoice = typeof invoices.$inferSelect;
export type NewInvoice = typeof invoices.$inferInsert;

export async function insertInvoice(db: Db, row: NewInvoice): Promise<Invoice> {
  return db.insert(invoices).values(row).returning().get();
}

export async function getInvoice(db: Db, businessId: string, id: string): Promise<Invoice | undefined> {
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.businessId, businessId), eq(invoices.id, id)))
    .get();
}

/** Operator and callback paths: by our id, whatever the business. */
export async function getInvoiceById(db: Db, id: string): Promise<Invoice | undefined> {
  return db.select().from(invoices).where(eq(invoices.id, id)).get();
}

export async function getInvoiceByProviderId(db: Db, provider: Invoice["provider"], providerInvoiceId: string): Promise<Invoice | undefined> {
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.provider, provider), eq(invoices.providerInvoiceId, providerInvoiceId)))
    .get();
}

export async function updateInvoice(
  db: Db,
  id: string,
  patch: Partial<Pick<Invoice, "providerInvoiceId" | "invoiceUrl" | "status">>,
  onlyIfStatus?: Invoice["status"][],
): Promise<Invoice | undefined> {
  return db
    .update(invoices)
    .set(patch)
    .where(onlyIfStatus ? and(eq(invoices.id, id), inArray(invoices.status, onlyIfStatus)) : eq(invoices.id, id))
    .returning()
    .get();
}

export async function listInvoices(db: Db, businessId: string, limit: number, cursor?: Cursor): Promise<Invoice[]> {
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.businessId, businessId), afterCursor(invoices.createdAt, invoices.id, cursor)))
    .orderBy(desc(invoices.createdAt), desc(invoices.id))
    .limit(limit + 1)
    .all();
}

/** Paid periods of a package still running after `now` (for pro-rata credit). */
export async function runningPaidPeriods(db: Db, businessId: string, packageId: string, now: number): Promise<Invoice[]> {
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.businessId, businessId), eq(invoices.packageId, packageId), eq(invoices.status, "paid"), gt(invoices.periodEnd, now)))
    .all();
}

export async function recordPaymentEvent(
  db: Db,
  e: { provider: string; eventId: string; invoiceId: string | null; outcome: "applied" | "ignored" | "mismatch"; detail: string },
): Promise<boolean> {
  const r = await db.insert(paymentEvents).values(e).onConflictDoNothing().returning({ id: paymentEvents.eventId }).all();
  return r.length > 0;
}

export type PaymentApplication = {
  provider: string;
  eventId: string;
  invoice: Invoice;
  paidAt: number;
  method: string | null;
  /** Extend from the current end (same package, trial, lapsed) or switch now. */
  extend: boolean;
  now: number;
  commission: { percent: number; amount: number; availableAt: number; id: string } | null;
};

/**
 * The payment batch: claim the event → mark the invoice paid (only from pending/expired) → set the business's
 * package and end → accrue the referrer's commission. Returns whether this call applied it.
 */
export async function applyPaymentBatch(d1: D1Database, a: PaymentApplication): Promise<boolean> {
  const length = (a.invoice.periodEnd ?? 0) - (a.invoice.periodStart ?? 0);
  const start = a.extend ? "max((SELECT active_until FROM businesses WHERE id = ?), ?)" : "?";
  const startBinds = a.extend ? [a.invoice.businessId, a.now] : [a.now];
  const stmts: D1PreparedStatement[] = [
    d1
      .prepare("INSERT INTO payment_events (provider, event_id, invoice_id, outcome, detail) VALUES (?, ?, ?, 'applied', 'paid') ON CONFLICT DO NOTHING")
      .bind(a.provider, a.eventId, a.invoice.id),
    d1
      .prepare(
        `UPDATE invoices SET status = 'paid', paid_at = ?, payment_method = ?, period_start = ${start}, period_end = ${start} + ?
         WHERE id = ? AND status IN ('pending', 'expired') AND changes() = 1`,
      )
      .bind(a.paidAt, a.method, ...startBinds, ...startBinds, length, a.invoice.id),
    d1
      .prepare(
        `UPDATE businesses SET package = ?, active_until = (SELECT period_end FROM invoices WHERE id = ?)
         WHERE id = ? AND changes() = 1`,
      )
      .bind(a.invoice.packageId, a.invoice.id, a.invoice.businessId),
  ];
  if (a.commission && a.commission.amount > 0) {
    stmts.push(
      d1
        .prepare(
          `INSERT INTO commissions (id, referrer_id, referred_id, invoice_id, kind, invoice_amount, percent, amount, status, available_at)
           SELECT ?, b.referred_by, b.id, ?, 'commission', ?, ?, ?, 'pending', ? FROM businesses b
           WHERE b.id = ? AND b.referred_by IS NOT NULL AND changes() = 1
           ON CONFLICT DO NOTHING`,
        )
        .bind(a.commission.id, a.invoice.id, a.invoice.amount, a.commission.percent, a.commission.amount, a.commission.availableAt, a.invoice.businessId),
    );
  }
  const results = await d1.batch(stmts);
  return (results[1]?.meta.changes ?? 0) === 1;
}

/**
 * The refund batch: claim the event → mark the invoice refunded (only from paid/refund_pending) → take the
 * period back from the business (not before now) → reverse the commission if not yet paid out, else book a
 * clawback against the referrer's next payout.
 */
export async function applyRefundBatch(d1: D1Database, r: { provider: string; eventId: string; invoice: Invoice; now: number; clawbackId: string }): Promise<boolean> {
  const length = (r.invoice.periodEnd ?? 0) - (r.invoice.periodStart ?? 0);
  const results = await d1.batch([
    d1
      .prepare("INSERT INTO payment_events (provider, event_id, invoice_id, outcome, detail) VALUES (?, ?, ?, 'applied', 'refunded') ON CONFLICT DO NOTHING")
      .bind(r.provider, r.eventId, r.invoice.id),
    d1
      .prepare("UPDATE invoices SET status = 'refunded', refunded_at = ? WHERE id = ? AND status IN ('paid', 'refund_pending') AND changes() = 1")
      .bind(r.now, r.invoice.id),
    d1
      .prepare("UPDATE businesses SET active_until = max(?, active_until - ?) WHERE id = ? AND changes() = 1")
      .bind(r.now, length, r.invoice.businessId),
    d1
      .prepare(
        `INSERT INTO commissions (id, referrer_id, referred_id, invoice_id, kind, invoice_amount, percent, amount, status, available_at)
         SELECT ?, referrer_id, referred_id, invoice_id, 'clawback', invoice_amount, percent, -amount, 'available', ? FROM commissions
         WHERE invoice_id = ? AND kind = 'commission' AND (status = 'paid' OR payout_id IS NOT NULL) AND changes() = 1
         ON CONFLICT DO NOTHING`,
      )
      .bind(r.clawbackId, r.now, r.invoice.id),
    d1
      .prepare(
        `UPDATE commissions SET status = 'reversed' WHERE invoice_id = ? AND kind = 'commission' AND status IN ('pending', 'available') AND payout_id IS NULL
         AND (SELECT status FROM invoices WHERE id = ?) = 'refunded' AND (SELECT refunded_at FROM invoices WHERE id = ?) = ?`,
      )
      .bind(r.invoice.id, r.invoice.id, r.invoice.id, r.now),
  ]);
  return (results[1]?.meta.changes ?? 0) === 1;
}
