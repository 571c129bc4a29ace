// Payment provider callbacks (POST /payments/xendit). Verified first (x-callback-token, constant time); an
// invoice the callback does not name correctly is a 404 and a refund of an invoice not yet paid a 409, so the
// provider retries and out-of-order deliveries settle in order. Everything else answers 200 once recorded.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { applyPayment, applyRefund } from "../billing/payments";
import { InvoiceCallback, RefundCallback, verifyCallbackToken, xenditConfig } from "../billing/xendit";
import { database } from "../db/client";
import { getInvoiceById, getInvoiceByProviderId, recordPaymentEvent, updateInvoice } from "../db/invoices";
import { ApiError } from "../http/errors";
import type { AppEnv } from "../http/types";
import { validationError } from "../http/validation";
import { tooLarge } from "../http/validation";

const MAX_CALLBACK_BYTES = 64 * 1024;

export const paymentCallbacks = new Hono<AppEnv>().post(
  "/xendit",
  bodyLimit({ maxSize: MAX_CALLBACK_BYTES, onError: () => { throw tooLarge(MAX_CALLBACK_BYTES); } }),
  async (c) => {
    const cfg = xenditConfig(c.env);
    if (!cfg) throw new ApiError(404, "PAYMENTS_NOT_CONFIGURED", "Xendit is not configured");
    if (!(await verifyCallbackToken(cfg, c.req.header("x-callback-token")))) {
      console.warn(JSON.stringify({ level: "warn", msg: "xendit callback with a bad token", ip: c.req.header("cf-connecting-ip") ?? null }));
      throw new ApiError(401, "INVALID_CALLBACK_TOKEN", "Callback token does not match");
    }
    const json: unknown = await c.req.json().catch(() => {
      throw new ApiError(400, "INVALID_JSON", "Request body is not valid JSON");
    });
    const db = database(c.env.DB);
    const now = Date.now();

    if (typeof json === "object" && json !== null && "event" in json) {
      const parsed = RefundCallback.safeParse(json);
      if (!parsed.success) throw validationError(parsed.error);
      const r = parsed.data.data;
      const invoice =
        (r.invoice_id ? await getInvoiceByProviderId(db, "xendit", r.invoice_id) : undefined) ?? (r.reference_id ? await getInvoiceById(db, r.reference_id) : undefined);
      if (!invoice || invoice.provider !== "xendit") throw new ApiError(404, "UNKNOWN_INVOICE", "No invoice for this refund");
      if (parsed.data.event === "refund.failed") {
        await updateInvoice(db, invoice.id, { status: "paid" }, ["refund_pending"]);
        await recordPaymentEvent(db, { provider: "xendit", eventId: `refund:${r.id}:failed`, invoiceId: invoice.id, outcome: "ignored", detail: "refund failed" });
        return c.json({ status: "ok", outcome: "refund_failed" });
      }
      if (invoice.status === "refunded") return c.json({ status: "ok", outcome: "replayed" });
      if (invoice.status !== "paid" && invoice.status !== "refund_pending") throw new ApiError(409, "INVOICE_NOT_PAID", "Refund for an invoice that is not paid yet");
      if (r.amount !== invoice.amount || r.currency !== invoice.currency) {
        const detail = `refund ${r.currency} ${r.amount} does not match invoice ${invoice.number} (${invoice.currency} ${invoice.amount})`;
        console.warn(JSON.stringify({ level: "warn", msg: "refund mismatch", invoice_id: invoice.id, detail }));
        await recordPaymentEvent(db, { provider: "xendit", eventId: `refund:${r.id}#mismatch`, invoiceId: invoice.id, outcome: "mismatch", detail });
        return c.json({ status: "ok", outcome: "mismatch" });
      }
      return c.json({ status: "ok", outcome: await applyRefund(db, c.env.DB, { provider: "xendit", eventId: `refund:${r.id}`, invoice, now }) });
    }

    const parsed = InvoiceCallback.safeParse(json);
    if (!parsed.success) throw validationError(parsed.error);
    const cb = parsed.data;
    const invoice = await getInvoiceById(db, cb.external_id);
    // The callback may beat our write of Xendit's id (it is sent as soon as the customer pays): match by ours.
    if (!invoice || invoice.provider !== "xendit" || (invoice.providerInvoiceId !== null && invoice.providerInvoiceId !== cb.id)) {
      throw new ApiError(404, "UNKNOWN_INVOICE", "No invoice with this external_id");
    }
    if (cb.status === "EXPIRED") {
      const expired = await updateInvoice(db, invoice.id, { status: "expired" }, ["pending"]);
      await recordPaymentEvent(db, { provider: "xendit", eventId: `invoice:${cb.id}:expired`, invoiceId: invoice.id, outcome: expired ? "applied" : "ignored", detail: "expired" });
      return c.json({ status: "ok", outcome: expired ? "expired" : "ignored" });
    }
    if (cb.status === "PENDING") return c.json({ status: "ok", outcome: "ignored" });
    const paidAt = cb.paid_at ? Date.parse(cb.paid_at) : NaN;
    const outcome = await applyPayment(c.env, db, {
      provider: "xendit",
      // PAID and SETTLED are one payment: the invoice id is the event.
      eventId: `invoice:${cb.id}`,
      invoice,
      amount: cb.paid_amount ?? cb.amount,
      currency: cb.currency,
      paidAt: Number.isFinite(paidAt) ? paidAt : now,
      method: cb.payment_channel ?? cb.payment_method ?? null,
      now,
    });
    return c.json({ status: "ok", outcome });
  },
);
