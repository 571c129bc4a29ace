// Checkout through the local Xendit and every way its callback can arrive: valid, forged, replayed, wrong
// amount or currency, out of order; manual payments, refunds, free extensions, pro-rata, grace, roles, tenancy.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { env as workerEnv } from "cloudflare:workers";
import { DAY_MS, GRACE_DAYS, MONTH_MS, parseGraceDays } from "../../worker/billing/policy";
import { billing, checkout, deliver, manualPay, operator, payOnline, refundsAtXendit, row, setPackage, simulate, simulateRefund, xenditInvoiceFor } from "./billing-helpers";
import { call, createApiKey, createDevice, member, signup } from "./helpers";

const activeUntil = async (id: string) => (await row<{ a: number }>("SELECT active_until AS a FROM businesses WHERE id = ?", id))?.a ?? 0;
const invoiceStatus = async (id: string) => (await row<{ s: string }>("SELECT status AS s FROM invoices WHERE id = ?", id))?.s;

describe("catalogue", () => {
  it("is public, in rupiah per month and per year, with every limit", async () => {
    const res = await call("/api/v1/packages");
    expect(res.status).toBe(200);
    const basic = res.body.items.find((p: { id: string }) => p.id === "basic");
    expect(basic).toMatchObject({ price_monthly: 99000, price_yearly: 990000, purchasable: true });
    expect(Object.keys(basic.limits).sort()).toEqual(["agents", "ai_tokens_per_day", "broadcast_recipients_per_month", "broadcasts_running", "devices", "live_chat", "messages_per_day"]);
    expect(res.body.items.find((p: { id: string }) => p.id === "trial").purchasable).toBe(false);
  });

  it("operators edit it through /internal/packages (token required)", async () => {
    const body = { name: "Hemat", price_monthly: 50000, price_yearly: 500000, limits: { devices: 1, agents: 1, messages_per_day: 100, broadcast_recipients_per_month: 0, ai_tokens_per_day: 0, live_chat: false } };
    expect((await call("/internal/packages/hemat", { method: "PUT", json: body })).status).toBe(401);
    const put = await call("/internal/packages/hemat", { method: "PUT", json: body, headers: operator() });
    expect(put.status, put.text).toBe(200);
    const list = await call("/api/v1/packages");
    expect(list.body.items.find((p: { id: string }) => p.id === "hemat")).toMatchObject({ name: "Hemat", price_monthly: 50000 });
    const bad = await call("/internal/packages/hemat", { method: "PUT", json: { ...body, price_monthly: 1.5 }, headers: operator() });
    expect(bad.status).toBe(400);
  });
});

describe("online payment (Xendit Invoice API)", () => {
  it("a valid PAID callback pays the invoice and extends the package; the trial keeps its days", async () => {
    const t = await signup();
    const trialEnd = await activeUntil(t.businessId);
    const inv = await checkout(t, "basic");
    expect(inv.status, inv.text).toBe(201);
    expect(inv.body).toMatchObject({ status: "pending", amount: 99000, price: 99000, credit: 0, currency: "IDR", package: "basic" });
    const x = await xenditInvoiceFor(inv.body.id);
    expect(x.amount).toBe(99000);
    expect(inv.body.invoice_url).toBe(x.invoice_url);
    expect(x.payer_email).toBe(t.email);

    const res = await deliver(await simulate(x.id));
    expect(res.body).toEqual({ status: "ok", outcome: "applied" });
    expect(await invoiceStatus(inv.body.id)).toBe("paid");
    expect(await activeUntil(t.businessId)).toBe(trialEnd + MONTH_MS);
    const b = await billing(t);
    expect(b).toMatchObject({ package: "basic", state: "active", package_active: true });
    const list = await call("/api/v1/billing/invoices", { cookie: t.cookie });
    expect(list.body.items[0]).toMatchObject({ number: inv.body.number, status: "paid", amount: 99000, payment_method: "BCA" });
    expect(list.body.items[0].paid_at).toBeGreaterThan(0);
  });

  it("refuses a forged callback (bad or missing x-callback-token) and changes nothing", async () => {
    const t = await signup();
    const before = await activeUntil(t.businessId);
    const inv = await checkout(t, "basic");
    const cb = await simulate((await xenditInvoiceFor(inv.body.id)).id);
    const forged: Record<string, string>[] = [{ ...cb.headers, "x-callback-token": "guessed-token" }, { "content-type": "application/json" }, { ...cb.headers, "x-callback-token": `${cb.headers["x-callback-token"]}x` }];
    for (const headers of forged) {
      const res = await deliver({ ...cb, headers });
      expect(res.status).toBe(401);
      expect(res.body.error_code).toBe("INVALID_CALLBACK_TOKEN");
    }
    expect(await invoiceStatus(inv.body.id)).toBe("pending");
    expect(await activeUntil(t.businessId)).toBe(before);
  });

  it("applies a replayed callback once (PAID twice, then SETTLED)", async () => {
    const t = await signup();
    const { invoiceId, providerId, callback } = await payOnline(t, "basic");
    const after = await activeUntil(t.businessId);
    const again = await deliver(callback);
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe("replayed");
    const settled = await deliver(await simulate(providerId, { status: "SETTLED" }));
    expect(settled.body.outcome).toBe("replayed");
    expect(await activeUntil(t.businessId)).toBe(after);
    expect(await invoiceStatus(invoiceId)).toBe("paid");
    const events = await row<{ n: number }>("SELECT count(*) AS n FROM payment_events WHERE invoice_id = ? AND outcome = 'applied'", invoiceId);
    expect(events?.n).toBe(1);
  });

  it("logs and does not apply a wrong amount or currency", async () => {
    const t = await signup();
    const before = await activeUntil(t.businessId);
    const inv = await checkout(t, "basic");
    const x = await xenditInvoiceFor(inv.body.id);
    const warn: string[] = [];
    const orig = console.warn;
    console.warn = (m: string) => warn.push(m);
    try {
      expect((await deliver(await simulate(x.id, { paid_amount: 9900 }))).body.outcome).toBe("mismatch");
      expect((await deliver(await simulate(x.id, { currency: "USD" }))).body.outcome).toBe("mismatch");
    } finally {
      console.warn = orig;
    }
    expect(warn.some((w) => w.includes("payment mismatch") && w.includes(inv.body.id))).toBe(true);
    expect(await invoiceStatus(inv.body.id)).toBe("pending");
    expect(await activeUntil(t.businessId)).toBe(before);
    const m = await row<{ n: number }>("SELECT count(*) AS n FROM payment_events WHERE invoice_id = ? AND outcome = 'mismatch'", inv.body.id);
    expect(m?.n).toBe(2);
    // The right amount afterwards still pays it.
    expect((await deliver(await simulate(x.id))).body.outcome).toBe("applied");
  });

  it("settles out-of-order deliveries: EXPIRED after PAID is ignored, PAID after EXPIRED applies, a refund before PAID is retried", async () => {
    const t = await signup();
    const a = await payOnline(t, "basic");
    const exp = await deliver(await simulate(a.providerId, { status: "EXPIRED" }));
    expect(exp.body.outcome).toBe("ignored");
    expect(await invoiceStatus(a.invoiceId)).toBe("paid");

    const inv = await checkout(t, "basic");
    const x = await xenditInvoiceFor(inv.body.id);
    const expired = await simulate(x.id, { status: "EXPIRED" });
    const paid = await simulate(x.id);
    expect((await deliver(expired)).body.outcome).toBe("expired");
    expect((await deliver(paid)).body.outcome).toBe("applied");
    expect(await invoiceStatus(inv.body.id)).toBe("paid");

    // A refund callback for an invoice whose PAID has not arrived: 409, so Xendit retries it later.
    const third = await checkout(t, "basic");
    const early = await deliver({
      headers: paid.headers,
      body: { event: "refund.succeeded", data: { id: "rfd-early", invoice_id: (await xenditInvoiceFor(third.body.id)).id, amount: 99000, currency: "IDR", status: "SUCCEEDED" } },
    });
    expect(early.status).toBe(409);
    expect(await invoiceStatus(third.body.id)).toBe("pending");
  });

  it("answers 404 for an invoice it does not know and 400 for a malformed callback", async () => {
    const t = await signup();
    const inv = await checkout(t, "basic");
    const cb = await simulate((await xenditInvoiceFor(inv.body.id)).id);
    expect((await deliver({ ...cb, body: { ...cb.body, external_id: crypto.randomUUID() } })).status).toBe(404);
    expect((await deliver({ ...cb, body: { ...cb.body, id: "someone-elses" } })).status).toBe(404);
    const bad = await deliver({ ...cb, body: { ...cb.body, amount: "99000" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("VALIDATION_ERROR");
  });

  it("refunds through Xendit's Refund API; the refund callback reverses the period once", async () => {
    const t = await signup();
    const before = await activeUntil(t.businessId);
    const { invoiceId, providerId } = await payOnline(t, "basic");
    const r = await call(`/internal/invoices/${invoiceId}/refund`, { method: "POST", headers: operator() });
    expect(r.status, r.text).toBe(200);
    expect(r.body.status).toBe("refund_pending");
    const [refund] = await refundsAtXendit(providerId);
    expect(refund?.amount).toBe(99000);
    const cb = await simulateRefund(refund?.id ?? "");
    expect((await deliver(cb)).body.outcome).toBe("applied");
    expect((await deliver(cb)).body.outcome).toBe("replayed");
    expect(await invoiceStatus(invoiceId)).toBe("refunded");
    expect(await activeUntil(t.businessId)).toBe(before);
  });
});

describe("manual payments and free extensions", () => {
  it("a bank transfer follows the same path: amount checked, idempotent by reference", async () => {
    const t = await signup();
    const before = await activeUntil(t.businessId);
    const wrong = await manualPay(t.businessId, { amount: 90000, package: "basic", months: 1, reference: "TRF-1" });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ error_code: "AMOUNT_MISMATCH", details: { expected: 99000 } });
    expect(await activeUntil(t.businessId)).toBe(before);

    const ok = await manualPay(t.businessId, { amount: 990000, package: "basic", months: 12, reference: "TRF-2" });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.invoice).toMatchObject({ kind: "manual", status: "paid", amount: 990000, months: 12 });
    const again = await manualPay(t.businessId, { amount: 990000, package: "basic", months: 12, reference: "TRF-2" });
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe("replayed");
    expect(await activeUntil(t.businessId)).toBe(before + 12 * MONTH_MS);

    const refund = await call(`/internal/invoices/${ok.body.invoice.id}/refund`, { method: "POST", headers: operator() });
    expect(refund.body.status).toBe("refunded");
    expect(await activeUntil(t.businessId)).toBe(before);
  });

  it("PUT /internal/businesses/:id/package is a free extension, recorded as such", async () => {
    const t = await signup();
    const until = Date.now() + 40 * DAY_MS;
    await setPackage(t.businessId, "pro", until);
    const list = await call("/api/v1/billing/invoices", { cookie: t.cookie });
    expect(list.body.items[0]).toMatchObject({ kind: "free_extension", amount: 0, status: "paid", package: "pro", period_end: until });
    expect((await call(`/internal/businesses/${t.businessId}/package`, { method: "PUT", json: { package: "nope", active_until: until }, headers: operator() })).status).toBe(400);
    const refund = await call(`/internal/invoices/${list.body.items[0].id}/refund`, { method: "POST", headers: operator() });
    expect(refund.status).toBe(409);
  });
});

describe("pro-rata", () => {
  it("an upgrade credits what is left of the paid period; a downgrade turns the surplus into days", async () => {
    const t = await signup();
    const paid = await manualPay(t.businessId, { amount: 99000, package: "basic", months: 1, reference: "B1" });
    // Move the paid month so that half of it is left.
    const now = Date.now();
    await env.DB.prepare("UPDATE invoices SET period_start = ?, period_end = ? WHERE id = ?").bind(now - 15 * DAY_MS, now + 15 * DAY_MS, paid.body.invoice.id).run();
    await env.DB.prepare("UPDATE businesses SET active_until = ? WHERE id = ?").bind(now + 15 * DAY_MS, t.businessId).run();

    const q = await call("/api/v1/billing/quote", { json: { package: "pro", months: 1 }, cookie: t.cookie });
    expect(q.status, q.text).toBe(200);
    expect(q.body.credit).toBeGreaterThanOrEqual(49490);
    expect(q.body.credit).toBeLessThanOrEqual(49500);
    expect(q.body.amount).toBe(249000 - q.body.credit);
    const up = await checkout(t, "pro");
    expect(up.body.credit).toBeLessThanOrEqual(49500);
    expect(up.body.amount).toBe(249000 - up.body.credit);
    const res = await deliver(await simulate((await xenditInvoiceFor(up.body.id)).id));
    expect(res.body.outcome).toBe("applied");
    const b = await billing(t);
    expect(b.package).toBe("pro");
    // Switched now: a full month of pro from the payment.
    expect(Math.abs(b.active_until - (Date.now() + MONTH_MS))).toBeLessThan(60_000);

    // Downgrade to basic with a fresh pro month left: worth more than a basic month, so nothing to pay.
    const down = await checkout(t, "basic");
    expect(down.status, down.text).toBe(201);
    expect(down.body).toMatchObject({ amount: 0, status: "paid" });
    const surplus = down.body.credit - 99000;
    const extraDays = surplus / (99000 / 30);
    const after = await billing(t);
    expect(after.package).toBe("basic");
    expect(Math.abs(after.active_until - (Date.now() + MONTH_MS + extraDays * DAY_MS))).toBeLessThan(120_000);
  });

  it("renewing the same package extends from the current end", async () => {
    const t = await signup();
    await manualPay(t.businessId, { amount: 99000, package: "basic", months: 1, reference: "R1" });
    const first = await activeUntil(t.businessId);
    const q = await call("/api/v1/billing/quote", { json: { package: "basic", months: 12 }, cookie: t.cookie });
    expect(q.body).toMatchObject({ price: 990000, credit: 0, amount: 990000, period_start: first, period_end: first + 12 * MONTH_MS });
  });
});

describe("grace period", () => {
  it("a lapsed paid package keeps sending for the grace days, then PACKAGE_NOT_ACTIVE; a lapsed trial stops at once", async () => {
    const t = await signup();
    const device = await createDevice(t, "sandbox");
    const key = await createApiKey(t);
    const send = () => call("/api/v1/messages", { json: { device_key: device.device_key, to: "081234567890", text: "Halo" }, key });
    await setPackage(t.businessId, "basic", Date.now() - DAY_MS);
    expect((await send()).status).toBe(202);
    const b = await billing(t);
    expect(b).toMatchObject({ state: "grace", package_active: true });
    expect(b.grace_until).toBe(b.active_until + GRACE_DAYS * DAY_MS);
    const page = await call("/app/billing", { cookie: t.cookie });
    expect(page.text).toContain("grace");

    await setPackage(t.businessId, "basic", Date.now() - GRACE_DAYS * DAY_MS - 1000);
    const after = await send();
    expect(after.status).toBe(403);
    expect(after.body.error_code).toBe("PACKAGE_NOT_ACTIVE");
    expect((await billing(t)).state).toBe("expired");

    const trial = await signup();
    const d2 = await createDevice(trial, "sandbox");
    await env.DB.prepare("UPDATE businesses SET active_until = ? WHERE id = ?").bind(Date.now() - 1000, trial.businessId).run();
    const k2 = await createApiKey(trial);
    const r = await call("/api/v1/messages", { json: { device_key: d2.device_key, to: "081234567890", text: "Halo" }, key: k2 });
    expect(r.body.error_code).toBe("PACKAGE_NOT_ACTIVE");
  });

  it("the operator sets the grace period (BILLING_GRACE_DAYS): a longer one keeps a lapsed package sending, a bad value falls back to 3 days", async () => {
    expect([parseGraceDays("7"), parseGraceDays("0"), parseGraceDays("31"), parseGraceDays("-1"), parseGraceDays("2.5"), parseGraceDays(""), parseGraceDays(undefined)]).toEqual([7, 0, GRACE_DAYS, GRACE_DAYS, GRACE_DAYS, GRACE_DAYS, GRACE_DAYS]);
    const t = await signup();
    const device = await createDevice(t, "sandbox");
    const key = await createApiKey(t);
    const send = () => call("/api/v1/messages", { json: { device_key: device.device_key, to: "081234567890", text: "Halo" }, key });
    // Lapsed 5 days ago: past the default grace, inside a 7-day one.
    await setPackage(t.businessId, "basic", Date.now() - 5 * DAY_MS);
    expect((await send()).body.error_code).toBe("PACKAGE_NOT_ACTIVE");
    const vars = workerEnv as { BILLING_GRACE_DAYS: string };
    const before = vars.BILLING_GRACE_DAYS;
    vars.BILLING_GRACE_DAYS = "7";
    try {
      expect((await send()).status).toBe(202);
      const b = await billing(t);
      expect(b).toMatchObject({ state: "grace", package_active: true });
      expect(b.grace_until).toBe(b.active_until + 7 * DAY_MS);
      vars.BILLING_GRACE_DAYS = "0";
      expect((await billing(t)).state).toBe("expired");
    } finally {
      vars.BILLING_GRACE_DAYS = before;
    }
  });
});

describe("roles and tenancy", () => {
  it("only super admins see billing; another tenant's invoice is a 404", async () => {
    const t = await signup();
    const admin = await member(t, "admin");
    const staff = await member(t, "staff");
    const key = await createApiKey(t);
    for (const path of ["/api/v1/billing", "/api/v1/billing/invoices"]) {
      expect((await call(path, { cookie: admin.cookie })).status, path).toBe(403);
      expect((await call(path, { cookie: staff.cookie })).status, path).toBe(403);
      expect((await call(path, { key })).status, path).toBe(403);
    }
    expect((await call("/api/v1/billing/checkout", { json: { package: "basic", months: 1 }, cookie: admin.cookie })).status).toBe(403);
    expect((await call("/app/billing", { cookie: staff.cookie })).status).toBe(403);

    const paid = await manualPay(t.businessId, { amount: 99000, package: "basic", months: 1, reference: "T1" });
    const other = await signup("Toko Lain");
    expect((await call(`/api/v1/billing/invoices/${paid.body.invoice.id}`, { cookie: other.cookie })).status).toBe(404);
    expect((await call(`/app/billing/invoices/${paid.body.invoice.id}`, { cookie: other.cookie })).status).toBe(404);
    expect((await call("/api/v1/billing/invoices", { cookie: other.cookie })).body.items).toEqual([]);
    const mine = await call(`/app/billing/invoices/${paid.body.invoice.id}`, { cookie: t.cookie });
    expect(mine.status).toBe(200);
    expect(mine.text).toContain(paid.body.invoice.number);
    expect(mine.text).toContain("99.000");
  });

  it("trial is not for sale; unknown packages and bad months are 400", async () => {
    const t = await signup();
    expect((await checkout(t, "trial")).body.error_code).toBe("UNKNOWN_PACKAGE");
    expect((await checkout(t, "gold")).body.error_code).toBe("UNKNOWN_PACKAGE");
    expect((await checkout(t, "basic", 13)).body.error_code).toBe("VALIDATION_ERROR");
  });
});

describe("payment races and crashes", () => {
  it("two deliveries of the same PAID callback at once extend the package once", async () => {
    const t = await signup();
    const before = await activeUntil(t.businessId);
    const inv = await checkout(t, "basic");
    const cb = await simulate((await xenditInvoiceFor(inv.body.id)).id);
    const results = await Promise.all([deliver(cb), deliver(cb), deliver(cb)]);
    expect(results.map((r) => r.body.outcome).sort()).toEqual(["applied", "replayed", "replayed"]);
    expect(await activeUntil(t.businessId)).toBe(before + MONTH_MS);
  });

  it("a callback that beats our write of Xendit's invoice id (or a crash right after creating it) still pays the invoice", async () => {
    const t = await signup();
    const inv = await checkout(t, "basic");
    const x = await xenditInvoiceFor(inv.body.id);
    await env.DB.prepare("UPDATE invoices SET provider_invoice_id = NULL WHERE id = ?").bind(inv.body.id).run();
    expect((await deliver(await simulate(x.id))).body.outcome).toBe("applied");
    expect(await invoiceStatus(inv.body.id)).toBe("paid");
  });

  it("a webhook right after an online renewal sees the new package (no stale context)", async () => {
    const t = await signup();
    await createDevice(t, "sandbox");
    await setPackage(t.businessId, "basic", Date.now() - GRACE_DAYS * DAY_MS - 1000);
    const hook = () => call(`/webhook/${t.businessId}`, { json: { event: "order.created", unique_id: `evt_${crypto.randomUUID()}` } });
    expect((await hook()).body.error_code).toBe("PACKAGE_NOT_ACTIVE");
    await payOnline(t, "basic");
    expect((await hook()).status).toBe(200);
  });
});
