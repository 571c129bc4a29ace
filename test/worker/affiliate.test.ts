// The affiliate program end to end: referral at sign-up (and self-referral refused), 15% recurring commission
// on every paid invoice, pending → available → paid, refunds reverse (or claw back), payouts with a minimum.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { jakartaDay } from "../../worker/billing/referral-clicks";
import { manualPay, operator, payOnline, row, setPackage } from "./billing-helpers";
import { call, cookieFrom, freshIp, member, signup, type Tenant, uniqueEmail } from "./helpers";

async function code(t: Tenant): Promise<string> {
  const r = await call("/api/v1/affiliate", { cookie: t.cookie });
  expect(r.status, r.text).toBe(200);
  return r.body.referral_code;
}

async function signupWith(ref: string, email = uniqueEmail("referred"), cookie?: string) {
  return call("/api/v1/auth/signup", {
    json: { business_name: "Toko Rujukan", name: "Sari", email, password: "rahasia-sekali-123", referral_code: ref },
    headers: { "cf-connecting-ip": freshIp() },
    cookie,
  });
}

async function referred(ref: string): Promise<Tenant> {
  const email = uniqueEmail("referred");
  const res = await signupWith(ref, email);
  expect(res.status, res.text).toBe(201);
  return { cookie: cookieFrom(res), businessId: res.body.business_id, userId: res.body.user.id, email, password: "rahasia-sekali-123" };
}

const summary = async (t: Tenant) => (await call("/api/v1/affiliate", { cookie: t.cookie })).body;
/** Moves every commission of a referrer past its refund window. */
const windowPassed = (referrerId: string) => env.DB.prepare("UPDATE commissions SET available_at = ? WHERE referrer_id = ? AND status = 'pending'").bind(Date.now() - 1000, referrerId).run();

describe("referral at sign-up", () => {
  it("every business has a code and link; a sign-up with it is counted and fixed", async () => {
    const a = await signup("Agen Besar");
    const s = await summary(a);
    expect(s.referral_code).toMatch(/^[A-Z2-9]{8}$/);
    expect(s.referral_link).toBe(`http://localhost:8787/app/signup?ref=${s.referral_code}`);
    expect(s.commission_percent).toBe(15);
    const page = await call(`/app/signup?ref=${s.referral_code}`);
    expect(page.text).toContain(`name="referral_code" value="${s.referral_code}"`);

    const b = await referred(s.referral_code.toLowerCase());
    expect((await row<{ r: string }>("SELECT referred_by AS r FROM businesses WHERE id = ?", b.businessId))?.r).toBe(a.businessId);
    // The visit of the link above is the one click.
    expect((await summary(a)).counts).toEqual({ clicks: 1, signups: 1, paying: 0 });
    // Nothing in the API changes it later.
    expect((await call("/api/v1/settings", { method: "PATCH", json: { referred_by: null }, cookie: b.cookie })).status).toBe(400);
  });

  it("counts link clicks per day without personal data: a reload from the same browser once, an unknown code not at all", async () => {
    const a = await signup("Agen Klik");
    const s = await summary(a);
    const first = await call(`/app/signup?ref=${s.referral_code}`);
    expect(first.status).toBe(200);
    const seen = /ping_ref_seen=[^;]+/.exec(first.headers.get("set-cookie") ?? "")?.[0] ?? "";
    expect(seen).toBe(`ping_ref_seen=${s.referral_code}`);
    // The same browser again (its cookie holds only the code): not counted twice.
    await call(`/app/signup?ref=${s.referral_code}`, { headers: { cookie: seen } });
    // Two other visitors, one with the code in lower case.
    await call(`/app/signup?ref=${s.referral_code}`);
    await call(`/app/signup?ref=${s.referral_code.toLowerCase()}`);
    await call("/app/signup?ref=TIDAKADA99");
    expect((await summary(a)).counts).toEqual({ clicks: 3, signups: 0, paying: 0 });
    // What is stored: a counter per referrer and day, nothing about who clicked.
    const rows = await env.DB.prepare("SELECT * FROM referral_clicks WHERE business_id = ?").bind(a.businessId).all();
    expect(rows.results).toEqual([{ business_id: a.businessId, day: jakartaDay(Date.now()), clicks: 3 }]);
    expect(jakartaDay(Date.UTC(2026, 11, 4, 17, 30))).toBe("2026-12-05");
    // The funnel on the Afiliasi page shows the clicks.
    const page = await call("/app/affiliate", { cookie: a.cookie });
    expect(page.text).toContain("Klik tautan");
  });

  it("refuses self-referral: the referrer's email (or an alias of it) and a sign-up from the referrer's own session", async () => {
    const a = await call("/api/v1/auth/signup", {
      json: { business_name: "Budi Store", name: "Budi", email: `budi.santoso.${Date.now()}@gmail.com`, password: "rahasia-sekali-123" },
      headers: { "cf-connecting-ip": freshIp() },
    });
    const tenant: Tenant = { cookie: cookieFrom(a), businessId: a.body.business_id, userId: a.body.user.id, email: a.body.user.email, password: "" };
    const ref = await code(tenant);
    const [local] = tenant.email.split("@");
    const alias = `${(local ?? "").replaceAll(".", "")}+promo@gmail.com`;
    const byAlias = await signupWith(ref, alias);
    expect(byAlias.status).toBe(400);
    expect(byAlias.body.error_code).toBe("SELF_REFERRAL");
    const bySession = await signupWith(ref, uniqueEmail("second"), tenant.cookie);
    expect(bySession.body.error_code).toBe("SELF_REFERRAL");
    // A colleague's session counts as the referrer's own too.
    const staff = await member(tenant, "staff");
    expect((await signupWith(ref, uniqueEmail("third"), staff.cookie)).body.error_code).toBe("SELF_REFERRAL");
    expect((await signupWith("NOPE1234")).body.error_code).toBe("INVALID_REFERRAL_CODE");
    expect((await summary(tenant)).counts.signups).toBe(0);
  });
});

describe("commissions", () => {
  it("accrue 15% on the first and every renewal payment, pending during the refund window, never on free extensions", async () => {
    const a = await signup("Agen");
    const b = await referred(await code(a));
    const first = await manualPay(b.businessId, { amount: 99000, package: "basic", months: 1, reference: "F1" });
    expect(first.status, first.text).toBe(201);
    await payOnline(b, "basic", 12);
    await setPackage(b.businessId, "pro", Date.now() + 400 * 86400_000);
    const s = await summary(a);
    expect(s.counts).toEqual({ clicks: 0, signups: 1, paying: 1 });
    expect(s.commissions).toMatchObject({ pending: 14850 + 148500, available: 0, paid: 0 });
    const ledger = await call("/api/v1/affiliate/commissions", { cookie: a.cookie });
    expect(ledger.body.items.map((c: { amount: number; status: string }) => [c.amount, c.status])).toEqual([
      [148500, "pending"],
      [14850, "pending"],
    ]);
    expect(ledger.body.items[1]).toMatchObject({ invoice_amount: 99000, percent: 15, referred_business: "Toko Rujukan" });
    const refs = await call("/api/v1/affiliate/referrals", { cookie: a.cookie });
    expect(refs.body.items[0]).toMatchObject({ business_name: "Toko Rujukan", paid_invoices: 2, commission: 163350 });

    await windowPassed(a.businessId);
    expect((await summary(a)).commissions).toMatchObject({ pending: 0, available: 163350, requestable: 163350 });
  });

  it("a refund reverses a pending commission and claws back a paid one", async () => {
    const a = await signup("Agen");
    const b = await referred(await code(a));
    const one = await manualPay(b.businessId, { amount: 99000, package: "basic", months: 1, reference: "R1" });
    const refund = await call(`/internal/invoices/${one.body.invoice.id}/refund`, { method: "POST", headers: operator() });
    expect(refund.body.status).toBe("refunded");
    expect((await summary(a)).commissions).toMatchObject({ pending: 0, reversed: 14850 });

    // Paid out, then refunded: a negative entry nets it off the next payout.
    const big = await manualPay(b.businessId, { amount: 5990000, package: "bisnis", months: 12, reference: "R2" });
    await windowPassed(a.businessId);
    const p = await call("/api/v1/affiliate/payouts", { json: { method: "bank", provider: "BCA", account_name: "Agen", account_number: "1234567890" }, cookie: a.cookie });
    expect(p.status, p.text).toBe(201);
    expect(p.body.amount).toBe(898500);
    expect((await call(`/internal/payouts/${p.body.id}/paid`, { json: { reference: "TRX-9" }, headers: operator() })).body.status).toBe("paid");
    await call(`/internal/invoices/${big.body.invoice.id}/refund`, { method: "POST", headers: operator() });
    const s = await summary(a);
    expect(s.commissions.paid).toBe(898500);
    expect(s.commissions.available).toBe(-898500);
    const ledger = await call("/api/v1/affiliate/commissions", { cookie: a.cookie });
    expect(ledger.body.items[0]).toMatchObject({ kind: "clawback", amount: -898500 });
  });
});

describe("payouts", () => {
  it("need the minimum, take the whole available balance once, and the operator marks them paid", async () => {
    const a = await signup("Agen");
    const b = await referred(await code(a));
    const body = { method: "ewallet", provider: "GoPay", account_name: "Agen", account_number: "081234567890" };
    await manualPay(b.businessId, { amount: 99000, package: "basic", months: 1, reference: "P1" });
    await windowPassed(a.businessId);
    const small = await call("/api/v1/affiliate/payouts", { json: body, cookie: a.cookie });
    expect(small.status).toBe(422);
    expect(small.body).toMatchObject({ error_code: "PAYOUT_BELOW_MINIMUM", details: { available: 14850, minimum: 100000 } });

    await manualPay(b.businessId, { amount: 990000, package: "basic", months: 12, reference: "P2" });
    await windowPassed(a.businessId);
    const [ok, twice] = await Promise.all([
      call("/api/v1/affiliate/payouts", { json: body, cookie: a.cookie }),
      call("/api/v1/affiliate/payouts", { json: body, cookie: a.cookie }),
    ]);
    expect([ok.status, twice.status].sort()).toEqual([201, 422]);
    const made = ok.status === 201 ? ok.body : twice.body;
    expect(made).toMatchObject({ amount: 14850 + 148500, status: "requested" });
    expect((await summary(a)).commissions.requestable).toBe(0);

    const list = await call("/internal/payouts?status=requested", { headers: operator() });
    expect(list.body.items.some((p: { id: string }) => p.id === made.id)).toBe(true);
    expect((await call("/internal/payouts", {})).status).toBe(401);
    const paid = await call(`/internal/payouts/${made.id}/paid`, { json: { reference: "GOPAY-1" }, headers: operator() });
    expect(paid.body).toMatchObject({ status: "paid", reference: "GOPAY-1" });
    expect((await summary(a)).commissions).toMatchObject({ paid: 163350, available: 0 });
    expect((await call("/api/v1/affiliate/payouts", { cookie: a.cookie })).body.items[0]).toMatchObject({ id: made.id, status: "paid" });
  });
});

describe("roles and tenancy", () => {
  it("only super admins see affiliate money; each business sees only its own ledger", async () => {
    const a = await signup("Agen");
    const admin = await member(a, "admin");
    for (const path of ["/api/v1/affiliate", "/api/v1/affiliate/commissions", "/api/v1/affiliate/referrals", "/api/v1/affiliate/payouts"]) {
      expect((await call(path, { cookie: admin.cookie })).status, path).toBe(403);
    }
    expect((await call("/app/affiliate", { cookie: admin.cookie })).status).toBe(403);
    const b = await referred(await code(a));
    await manualPay(b.businessId, { amount: 99000, package: "basic", months: 1, reference: "X1" });
    // The referred business sees nothing of the referrer's ledger, and has its own empty one.
    expect((await call("/api/v1/affiliate/commissions", { cookie: b.cookie })).body.items).toEqual([]);
    expect((await summary(b)).commissions.pending).toBe(0);
    const page = await call("/app/affiliate", { cookie: a.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Rp14.850");
    expect(page.text).toContain('data-copy="referral-link"');
  });
});
