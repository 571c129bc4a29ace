// Billing for super admins: the package and its state (active, grace, expired), usage against each limit,
// invoices, quotes (pro-rata) and checkout through the payment provider's hosted invoice.
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { LIMITS, packageUsage } from "../billing/limits";
import { checkout, purchasablePackage, quoteFor } from "../billing/payments";
import { currentPackageState, graceUntil } from "../billing/grace";
import { reminderDue } from "../billing/policy";
import { isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { getInvoice, type Invoice, listInvoices } from "../db/invoices";
import { getPackage } from "../db/packages";
import { notFound } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import { apiRouter, authErrors, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";

export const InvoiceSchema = z
  .object({
    id: z.string(),
    number: z.string().openapi({ example: "PING-20261203-1A2B3C4D" }),
    kind: z.enum(["subscription", "manual", "free_extension"]),
    package: z.string(),
    months: z.number().int(),
    period_start: z.number().nullable(),
    period_end: z.number().nullable(),
    price: z.number().int().openapi({ description: "List price of the period, rupiah" }),
    credit: z.number().int().openapi({ description: "Pro-rata credit of the previous package, rupiah" }),
    amount: z.number().int().openapi({ description: "Amount due, rupiah" }),
    currency: z.string(),
    status: z.enum(["pending", "paid", "expired", "refund_pending", "refunded"]),
    paid_at: z.number().nullable(),
    payment_method: z.string().nullable(),
    invoice_url: z.string().nullable().openapi({ description: "The provider's hosted payment page (pending online invoices)" }),
    created_at: z.number(),
  })
  .openapi("Invoice");

export function invoiceJson(i: Invoice): z.infer<typeof InvoiceSchema> {
  return {
    id: i.id,
    number: i.number,
    kind: i.kind,
    package: i.packageId,
    months: i.months,
    period_start: i.periodStart,
    period_end: i.periodEnd,
    price: i.price,
    credit: i.credit,
    amount: i.amount,
    currency: i.currency,
    status: i.status,
    paid_at: i.paidAt,
    payment_method: i.paymentMethod,
    invoice_url: i.status === "pending" ? i.invoiceUrl : null,
    created_at: i.createdAt,
  };
}

const Counted = z.object({ allowed: z.number().int().nullable(), used: z.number().int() });
const BillingSchema = z
  .object({
    package: z.string(),
    package_name: z.string(),
    active_until: z.number(),
    state: z.enum(["active", "grace", "expired"]),
    grace_until: z.number().openapi({ description: "Sending stops (PACKAGE_NOT_ACTIVE) after this time" }),
    package_active: z.boolean(),
    renewal_reminder_days: z.number().int().nullable().openapi({ description: "7, 3 or 1 when the package ends within that many days" }),
    usage: z.object({
      devices: Counted,
      agents: Counted,
      messages_per_day: Counted,
      broadcast_recipients_per_month: Counted,
      ai_tokens_per_day: Counted,
      broadcasts_running: Counted,
      live_chat: z.object({ allowed: z.boolean() }),
    }),
  })
  .openapi("Billing");

const Purchase = z
  .strictObject({
    package: z.string().min(1).max(40),
    months: z.number().int().min(1).max(12).openapi({ description: "12 is charged at the yearly price" }),
  })
  .openapi("Purchase");

const QuoteSchema = z
  .object({ package: z.string(), months: z.number(), price: z.number(), credit: z.number(), amount: z.number(), period_start: z.number(), period_end: z.number() })
  .openapi("Quote");

export async function billingState(db: ReturnType<typeof database>, b: Parameters<typeof packageUsage>[1] & { activeUntil: number }, now = Date.now()) {
  const [{ limits, usage }, pkg] = await Promise.all([packageUsage(db, b, now), getPackage(db, b.package)]);
  const counted = (l: Exclude<(typeof LIMITS)[number], "live_chat">) => ({ allowed: limits[l], used: usage[l] });
  return {
    package: b.package,
    package_name: pkg?.name ?? b.package,
    active_until: b.activeUntil,
    state: currentPackageState(b, now),
    grace_until: graceUntil(b),
    package_active: isPackageActive(b, now),
    renewal_reminder_days: reminderDue(b.activeUntil, now, new Set()),
    usage: {
      devices: counted("devices"),
      agents: counted("agents"),
      messages_per_day: counted("messages_per_day"),
      broadcast_recipients_per_month: counted("broadcast_recipients_per_month"),
      ai_tokens_per_day: counted("ai_tokens_per_day"),
      broadcasts_running: counted("broadcasts_running"),
      live_chat: { allowed: limits.live_chat },
    },
  };
}

export const billingApi = apiRouter();
billingApi.use(requireRole("super_admin"));

billingApi
  .openapi(
    createRoute({ method: "get", path: "/", tags: ["billing"], security, responses: { 200: jsonContent(BillingSchema), ...authErrors } }),
    async (c) => c.json(await billingState(database(c.env.DB), c.var.auth.business), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/invoices",
      tags: ["billing"],
      security,
      request: { query: ListQuery },
      responses: { 200: jsonContent(listOf(InvoiceSchema, "InvoiceList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listInvoices(database(c.env.DB), c.var.auth.business.id, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (i) => i.id);
      return c.json({ items: p.items.map(invoiceJson), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/invoices/{id}",
      tags: ["billing"],
      security,
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: jsonContent(InvoiceSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const inv = await getInvoice(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!inv) throw notFound("Invoice");
      return c.json(invoiceJson(inv), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/quote",
      tags: ["billing"],
      summary: "Price of a purchase now, with the pro-rata credit of the current package",
      security,
      request: jsonBody(Purchase),
      responses: { 200: jsonContent(QuoteSchema), ...authErrors },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = database(c.env.DB);
      const q = await quoteFor(db, c.var.auth.business, await purchasablePackage(db, body.package), body.months, Date.now());
      return c.json({ package: body.package, months: body.months, price: q.price, credit: q.credit, amount: q.amount, period_start: q.periodStart, period_end: q.periodEnd }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/checkout",
      tags: ["billing"],
      summary: "Buy, renew, upgrade or downgrade: an invoice paid on the provider's hosted page (invoice_url)",
      security,
      request: jsonBody(Purchase),
      responses: { 201: jsonContent(InvoiceSchema, "Created"), ...authErrors },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const inv = await checkout(c.env, database(c.env.DB), c.var.auth.business, c.var.auth.user?.email ?? null, body.package, body.months);
      return c.json(invoiceJson(inv), 201);
    },
  );
