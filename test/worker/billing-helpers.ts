// Test helpers for packages, payments and the affiliate program: operator calls, the local Xendit's simulator
// (which answers with the callback Xendit would send) and delivering that callback to the Worker.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { call, type Res, type Tenant } from "./helpers";
import { servers } from "./servers";

export const operator = () => ({ authorization: `Bearer ${env.PLATFORM_ADMIN_TOKEN}` });

export type Callback = { headers: Record<string, string>; body: Record<string, unknown> };

/** Pays (or expires) an invoice at the local Xendit; returns the callback Xendit sends for it. */
export async function simulate(providerInvoiceId: string, body: Record<string, unknown> = {}): Promise<Callback> {
  const res = await fetch(`${servers().xendit}/_sim/invoices/${providerInvoiceId}`, { method: "POST", body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as Callback;
}

export async function simulateRefund(refundId: string, body: Record<string, unknown> = {}): Promise<Callback> {
  const res = await fetch(`${servers().xendit}/_sim/refunds/${refundId}`, { method: "POST", body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as Callback;
}

export async function xenditInvoiceFor(ourInvoiceId: string): Promise<{ id: string; amount: number; status: string; invoice_url: string; payer_email?: string }> {
  const res = await fetch(`${servers().xendit}/_sim/by-external/${ourInvoiceId}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; amount: number; status: string; invoice_url: string };
}

export async function refundsAtXendit(providerInvoiceId: string): Promise<{ id: string; amount: number }[]> {
  return (await (await fetch(`${servers().xendit}/_sim/refunds-of/${providerInvoiceId}`)).json()) as { id: string; amount: number }[];
}

export function deliver(cb: Callback): Promise<Res> {
  return call("/payments/xendit", { json: cb.body, headers: cb.headers });
}

export async function checkout(t: Tenant, pkg: string, months = 1): Promise<Res> {
  return call("/api/v1/billing/checkout", { json: { package: pkg, months }, cookie: t.cookie });
}

/** Checkout, pay at Xendit, deliver the PAID callback: the whole online path. */
export async function payOnline(t: Tenant, pkg: string, months = 1): Promise<{ invoiceId: string; providerId: string; callback: Callback }> {
  const inv = await checkout(t, pkg, months);
  expect(inv.status, inv.text).toBe(201);
  const x = await xenditInvoiceFor(inv.body.id);
  const callback = await simulate(x.id);
  const res = await deliver(callback);
  expect(res.status, res.text).toBe(200);
  expect(res.body.outcome).toBe("applied");
  return { invoiceId: inv.body.id, providerId: x.id, callback };
}

export async function manualPay(businessId: string, body: { amount: number; package: string; months: number; reference: string }): Promise<Res> {
  return call(`/internal/businesses/${businessId}/payments`, { json: body, headers: operator() });
}

export async function setPackage(businessId: string, pkg: string, activeUntil: number): Promise<void> {
  const r = await call(`/internal/businesses/${businessId}/package`, { method: "PUT", json: { package: pkg, active_until: activeUntil }, headers: operator() });
  expect(r.status, r.text).toBe(200);
}

export async function billing(t: Tenant): Promise<Res["body"]> {
  const r = await call("/api/v1/billing", { cookie: t.cookie });
  expect(r.status, r.text).toBe(200);
  return r.body;
}

export async function row<T>(sql: string, ...binds: unknown[]): Promise<T | null> {
  return env.DB.prepare(sql).bind(...binds).first<T>();
}
