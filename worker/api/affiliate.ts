// The affiliate program for super admins: code and link, counts and totals, referred businesses, the
// commission ledger, and payout requests of the available balance.
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { commissionTotals, getPayout, listCommissions, listPayouts, listReferrals, type Payout, promoteCommissions, referralCounts, requestPayout } from "../db/affiliate";
import { database } from "../db/client";
import { ApiError } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import { apiRouter, authErrors, jsonBody, jsonContent, ListQuery, listOf, security } from "./openapi";

const Totals = z.object({
  pending: z.number().int(),
  available: z.number().int(),
  paid: z.number().int(),
  reversed: z.number().int(),
  requestable: z.number().int().openapi({ description: "Available and not yet in a payout request" }),
});

const AffiliateSchema = z
  .object({
    referral_code: z.string(),
    referral_link: z.string(),
    commission_percent: z.number(),
    refund_window_days: z.number(),
    minimum_payout: z.number().int(),
    counts: z.object({
      clicks: z.number().int().openapi({ description: "Visits of the referral link (a counter per day; nothing about the visitor is stored)" }),
      signups: z.number().int(),
      paying: z.number().int(),
    }),
    commissions: Totals,
  })
  .openapi("Affiliate");

const ReferralSchema = z
  .object({ business_name: z.string(), package: z.string(), active_until: z.number(), paid_invoices: z.number().int(), commission: z.number().int(), signed_up_at: z.number() })
  .openapi("Referral");

const CommissionSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["commission", "clawback"]),
    referred_business: z.string().nullable(),
    invoice_number: z.string().nullable(),
    invoice_amount: z.number().int(),
    percent: z.number(),
    amount: z.number().int(),
    status: z.enum(["pending", "available", "paid", "reversed"]),
    available_at: z.number(),
    payout_id: z.string().nullable(),
    created_at: z.number(),
  })
  .openapi("Commission");

export const PayoutSchema = z
  .object({
    id: z.string(),
    business_id: z.string(),
    amount: z.number().int(),
    method: z.enum(["bank", "ewallet"]),
    provider: z.string(),
    account_name: z.string(),
    account_number: z.string(),
    status: z.enum(["requested", "paid"]),
    reference: z.string().nullable(),
    paid_at: z.number().nullable(),
    created_at: z.number(),
  })
  .openapi("Payout");

export function payoutJson(p: Payout): z.infer<typeof PayoutSchema> {
  return {
    id: p.id,
    business_id: p.businessId,
    amount: p.amount,
    method: p.method,
    provider: p.provider,
    account_name: p.accountName,
    account_number: p.accountNumber,
    status: p.status,
    reference: p.reference,
    paid_at: p.paidAt,
    created_at: p.createdAt,
  };
}

const PayoutRequest = z
  .strictObject({
    method: z.enum(["bank", "ewallet"]),
    provider: z.string().trim().min(2).max(40).openapi({ example: "BCA", description: "Bank or e-wallet (BCA, Mandiri, GoPay, OVO, DANA…)" }),
    account_name: z.string().trim().min(2).max(120),
    account_number: z.string().trim().regex(/^[0-9+\- ]{5,34}$/, "digits only"),
  })
  .openapi("PayoutRequest");

export function referralLink(env: Env, code: string): string {
  return `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/app/signup?ref=${encodeURIComponent(code)}`;
}

export async function affiliateSummary(env: Env, db: ReturnType<typeof database>, business: { id: string; referralCode: string | null }) {
  await promoteCommissions(db, Date.now(), business.id);
  const [counts, totals] = await Promise.all([referralCounts(db, business.id), commissionTotals(db, business.id)]);
  const code = business.referralCode ?? "";
  return {
    referral_code: code,
    referral_link: referralLink(env, code),
    commission_percent: Number(env.AFFILIATE_COMMISSION_PERCENT),
    refund_window_days: Number(env.AFFILIATE_REFUND_WINDOW_DAYS),
    minimum_payout: Number(env.AFFILIATE_MIN_PAYOUT),
    counts,
    commissions: totals,
  };
}

export const affiliateApi = apiRouter();
affiliateApi.use(requireRole("super_admin"));

affiliateApi
  .openapi(
    createRoute({ method: "get", path: "/", tags: ["affiliate"], security, responses: { 200: jsonContent(AffiliateSchema), ...authErrors } }),
    async (c) => c.json(await affiliateSummary(c.env, database(c.env.DB), c.var.auth.business), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/referrals",
      tags: ["affiliate"],
      security,
      request: { query: ListQuery },
      responses: { 200: jsonContent(listOf(ReferralSchema, "ReferralList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listReferrals(database(c.env.DB), c.var.auth.business.id, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (r) => r.id);
      const items = p.items.map((r) => ({
        business_name: r.name,
        package: r.package,
        active_until: r.activeUntil,
        paid_invoices: Number(r.paidInvoices),
        commission: Number(r.commission),
        signed_up_at: r.createdAt,
      }));
      return c.json({ items, next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/commissions",
      tags: ["affiliate"],
      security,
      request: { query: ListQuery },
      responses: { 200: jsonContent(listOf(CommissionSchema, "CommissionList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const db = database(c.env.DB);
      await promoteCommissions(db, Date.now(), c.var.auth.business.id);
      const rows = await listCommissions(db, c.var.auth.business.id, q.limit, decodeCursor(q.cursor));
      const p = page(
        rows.map((r) => ({ ...r, createdAt: r.c.createdAt })),
        q.limit,
        (r) => r.c.id,
      );
      const items = p.items.map(({ c: x, invoiceNumber, referredName }) => ({
        id: x.id,
        kind: x.kind,
        referred_business: referredName,
        invoice_number: invoiceNumber,
        invoice_amount: x.invoiceAmount,
        percent: x.percent,
        amount: x.amount,
        status: x.status,
        available_at: x.availableAt,
        payout_id: x.payoutId,
        created_at: x.createdAt,
      }));
      return c.json({ items, next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/payouts",
      tags: ["affiliate"],
      security,
      request: { query: ListQuery },
      responses: { 200: jsonContent(listOf(PayoutSchema, "PayoutList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listPayouts(database(c.env.DB), { businessId: c.var.auth.business.id }, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (r) => r.id);
      return c.json({ items: p.items.map(payoutJson), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/payouts",
      tags: ["affiliate"],
      summary: "Request a payout of the whole available balance (at least the minimum)",
      security,
      request: jsonBody(PayoutRequest),
      responses: { 201: jsonContent(PayoutSchema, "Created"), ...authErrors },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      await promoteCommissions(db, Date.now(), businessId);
      const id = crypto.randomUUID();
      const minimum = Number(c.env.AFFILIATE_MIN_PAYOUT);
      const ok = await requestPayout(c.env.DB, {
        id,
        businessId,
        minimum,
        method: body.method,
        provider: body.provider,
        accountName: body.account_name,
        accountNumber: body.account_number,
      });
      if (!ok) {
        const { requestable } = await commissionTotals(db, businessId);
        throw new ApiError(422, "PAYOUT_BELOW_MINIMUM", `Available balance Rp ${requestable} is below the minimum payout Rp ${minimum}`, { available: requestable, minimum });
      }
      const payout = await getPayout(db, id);
      if (!payout) throw new ApiError(409, "CONFLICT", "Payout request raced; reload");
      return c.json(payoutJson(payout), 201);
    },
  );
