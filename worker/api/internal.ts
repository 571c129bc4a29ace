// Operator endpoints (Bearer PLATFORM_ADMIN_TOKEN): the package catalogue, manual payments, refunds, free
// extensions, affiliate payouts, gateway assignment.
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import { freeExtension, manualPayment, refundInvoice } from "../billing/payments";
import { getPayout, listPayouts, markPayoutPaid } from "../db/affiliate";
import { getBusiness, updateBusiness } from "../db/businesses";
import { getInvoiceById } from "../db/invoices";
import { getPackage, listPackages, upsertPackage } from "../db/packages";
import { decodeCursor, page } from "../lib/cursor";
import { payoutJson } from "./affiliate";
import { invoiceJson } from "./billing";
import { packageJson } from "./packages";
import { database } from "../db/client";
import { assignGateway, getDeviceByKey } from "../db/devices";
import { gatewayIds } from "../gateway/auth";
import { deviceSession } from "../durable/stubs";
import { ApiError, notFound } from "../http/errors";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { safeEqual } from "../lib/crypto";
import { forgetWebhookContext } from "../webhooks/context-cache";

export const internalApi = new Hono<AppEnv>()
  .use(async (c, next) => {
    const token = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    if (!c.env.PLATFORM_ADMIN_TOKEN || !(await safeEqual(token, c.env.PLATFORM_ADMIN_TOKEN))) {
      throw new ApiError(401, "UNAUTHORIZED", "Operator token required");
    }
    return next();
  })
  .put(
    "/businesses/:id/package",
    zValidator("param", z.object({ id: z.uuid() }), validationHook),
    zValidator("json", z.strictObject({ package: z.string().min(1).max(40), active_until: z.number().int().positive() }), validationHook),
    // Free extensions only (goodwill, support, partners): recorded as a zero invoice, earning no commission.
    // Paid time goes through POST /businesses/:id/payments.
    async (c) => {
      const db = database(c.env.DB);
      const { id } = c.req.valid("param");
      const business = await getBusiness(db, id);
      if (!business) throw notFound("Business");
      const body = c.req.valid("json");
      if (!(await getPackage(db, body.package))) throw new ApiError(400, "UNKNOWN_PACKAGE", `No package "${body.package}" in the catalogue`);
      const invoice = await freeExtension(db, business, body.package, body.active_until);
      const b = await updateBusiness(db, id, { package: body.package, activeUntil: body.active_until });
      forgetWebhookContext(id);
      return c.json({ business_id: id, package: b?.package, active_until: b?.activeUntil, invoice: invoiceJson(invoice) });
    },
  )
  .post(
    "/businesses/:id/payments",
    zValidator("param", z.object({ id: z.uuid() }), validationHook),
    zValidator(
      "json",
      z.strictObject({
        amount: z.number().int().min(0),
        package: z.string().min(1).max(40),
        months: z.number().int().min(1).max(12),
        reference: z.string().trim().min(1).max(120),
      }),
      validationHook,
    ),
    async (c) => {
      const db = database(c.env.DB);
      const { id } = c.req.valid("param");
      const business = await getBusiness(db, id);
      if (!business) throw notFound("Business");
      const { invoice, outcome } = await manualPayment(c.env, db, business, c.req.valid("json"));
      return c.json({ outcome, invoice: invoiceJson(invoice) }, outcome === "applied" ? 201 : 200);
    },
  )
  .post("/invoices/:id/refund", zValidator("param", z.object({ id: z.uuid() }), validationHook), async (c) => {
    const db = database(c.env.DB);
    const invoice = await getInvoiceById(db, c.req.valid("param").id);
    if (!invoice) throw notFound("Invoice");
    const after = await refundInvoice(c.env, db, invoice);
    return c.json(invoiceJson(after));
  })
  .get("/packages", async (c) => c.json({ items: (await listPackages(database(c.env.DB))).map(packageJson), next_cursor: null }))
  .put(
    "/packages/:id",
    zValidator("param", z.object({ id: z.string().regex(/^[a-z0-9_-]{2,40}$/) }), validationHook),
    zValidator(
      "json",
      z.strictObject({
        name: z.string().trim().min(1).max(60),
        price_monthly: z.number().int().min(0),
        price_yearly: z.number().int().min(0),
        purchasable: z.boolean().default(true),
        sort_order: z.number().int().min(0).max(10_000).default(100),
        limits: z.strictObject({
          devices: z.number().int().min(0).nullable(),
          agents: z.number().int().min(1).nullable(),
          messages_per_day: z.number().int().min(0).nullable(),
          broadcast_recipients_per_month: z.number().int().min(0).nullable(),
          ai_tokens_per_day: z.number().int().min(0).nullable(),
          // Optional for operators' older scripts; absent = unlimited (the business setting still caps it at ≤ 20).
          broadcasts_running: z.number().int().min(0).nullable().default(null),
          live_chat: z.boolean(),
        }),
      }),
      validationHook,
    ),
    async (c) => {
      const { id } = c.req.valid("param");
      const b = c.req.valid("json");
      const row = await upsertPackage(database(c.env.DB), {
        id,
        name: b.name,
        priceMonthly: b.price_monthly,
        priceYearly: b.price_yearly,
        purchasable: id === "trial" ? false : b.purchasable,
        sortOrder: b.sort_order,
        devices: b.limits.devices,
        agents: b.limits.agents,
        messagesPerDay: b.limits.messages_per_day,
        broadcastRecipientsPerMonth: b.limits.broadcast_recipients_per_month,
        aiTokensPerDay: b.limits.ai_tokens_per_day,
        broadcastsRunning: b.limits.broadcasts_running,
        liveChat: b.limits.live_chat,
      });
      return c.json(packageJson(row));
    },
  )
  .get(
    "/payouts",
    zValidator("query", z.object({ status: z.enum(["requested", "paid"]).optional(), cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }), validationHook),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listPayouts(database(c.env.DB), { status: q.status }, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (r) => r.id);
      return c.json({ items: p.items.map(payoutJson), next_cursor: p.next_cursor });
    },
  )
  .post(
    "/payouts/:id/paid",
    zValidator("param", z.object({ id: z.uuid() }), validationHook),
    zValidator("json", z.strictObject({ reference: z.string().trim().min(1).max(120) }), validationHook),
    async (c) => {
      const db = database(c.env.DB);
      const { id } = c.req.valid("param");
      const before = await getPayout(db, id);
      if (!before) throw notFound("Payout");
      if (before.status === "requested") await markPayoutPaid(c.env.DB, id, c.req.valid("json").reference, Date.now());
      const after = await getPayout(db, id);
      return c.json(after ? payoutJson(after) : payoutJson(before));
    },
  )
  // Moves a baileys device to another gateway (e.g. its gateway is gone). The current gateway's socket is
  // closed with 4001 and the new gateway picks the device up from GET /gateway/v1/devices.
  .put(
    "/devices/:device_key/gateway",
    zValidator("param", z.object({ device_key: z.uuid() }), validationHook),
    zValidator("json", z.strictObject({ gateway_id: z.string().min(1).max(100).nullable() }), validationHook),
    async (c) => {
      const db = database(c.env.DB);
      const { device_key } = c.req.valid("param");
      const { gateway_id } = c.req.valid("json");
      const device = await getDeviceByKey(db, device_key);
      if (!device) throw notFound("Device");
      if (device.provider !== "baileys") throw new ApiError(400, "NOT_A_GATEWAY_DEVICE", "Only baileys devices are hosted by gateways");
      if (gateway_id !== null && !gatewayIds(c.env).includes(gateway_id)) throw new ApiError(400, "UNKNOWN_GATEWAY", `No gateway ${gateway_id} in GATEWAY_SECRETS`);
      await assignGateway(db, device_key, gateway_id);
      if (device.gatewayId !== gateway_id) await deviceSession(c.env, device_key).revokeGateway("reassigned");
      return c.json({ device_key, gateway_id });
    },
  );
