// The webhook's CRM side (contact + order timeline) runs after the answer, from facts written into the event's log
// row in its own D1 batch: the sender's answer does not wait for it, a crash before it ran is re-driven by the cron
// sweep, a redelivery of the event carries no second copy, and running it twice changes nothing.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CUSTOMER_GRACE_MS, runWebhookCustomers, sweepWebhookCustomers } from "../../worker/webhooks/customer-effects";
import { call } from "./helpers";
import { customerEffectsSettled, postWebhook, scalevEvent, tenantWithDevice } from "./webhook-fixtures";

const count = async (sql: string, ...args: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...args)
      .first<{ n: number }>()
  )?.n ?? -1;

describe("webhook customer effect", () => {
  it("is written with the event, run after the answer, and the answer keeps the seed's shape", async () => {
    const t = await tenantWithDevice();
    const res = await postWebhook(
      t.businessId,
      scalevEvent("eff-1", { order_id: "EFF-1", destination_address: { name: "Sari", phone: "081299990001" } }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "success", message: "Webhook processed successfully", rule_matched: false });
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM webhook_logs WHERE business_id = ? AND customer IS NOT NULL AND customer_due_at IS NULL",
        t.businessId,
      ),
    ).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM contacts WHERE business_id = ? AND phone = '6281299990001'", t.businessId)).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM orders WHERE business_id = ? AND external_id = 'EFF-1'", t.businessId)).toBe(1);
  });

  it("a redelivered event writes no second effect and no second contact or order", async () => {
    const t = await tenantWithDevice();
    const body = scalevEvent("eff-2", { order_id: "EFF-2", destination_address: { name: "Sari", phone: "081299990002" } });
    await postWebhook(t.businessId, body);
    await postWebhook(t.businessId, body);
    // Two log rows (the second says duplicate), one with the customer.
    expect(await count("SELECT COUNT(*) AS n FROM webhook_logs WHERE business_id = ?", t.businessId)).toBe(2);
    expect(await count("SELECT COUNT(*) AS n FROM webhook_logs WHERE business_id = ? AND customer IS NOT NULL", t.businessId)).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM contacts WHERE business_id = ?", t.businessId)).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM orders WHERE business_id = ?", t.businessId)).toBe(1);
  });

  it("a crash before the effect ran: the sweep records the customer and the order, once, and a second run changes nothing", async () => {
    const t = await tenantWithDevice();
    await postWebhook(
      t.businessId,
      scalevEvent("eff-3", { order_id: "EFF-3", destination_address: { name: "Rudi", phone: "081299990003" } }),
    );
    // What a crash between the answer and the effect leaves: the effect open, nothing recorded.
    await env.DB.batch([
      env.DB.prepare("DELETE FROM orders WHERE business_id = ?").bind(t.businessId),
      env.DB.prepare("DELETE FROM contacts WHERE business_id = ?").bind(t.businessId),
      env.DB.prepare("UPDATE webhook_logs SET customer_due_at = ? WHERE business_id = ? AND customer IS NOT NULL").bind(
        Date.now() + CUSTOMER_GRACE_MS,
        t.businessId,
      ),
    ]);
    // Within the grace period the live path may still be running it: the sweep leaves it alone.
    expect(await sweepWebhookCustomers(env, Date.now())).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM contacts WHERE business_id = ?", t.businessId)).toBe(0);
    expect(await sweepWebhookCustomers(env, Date.now() + CUSTOMER_GRACE_MS + 1)).toBeGreaterThanOrEqual(1);
    await customerEffectsSettled(t.businessId);
    const list = await call("/api/v1/contacts", { cookie: t.cookie });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ phone: "6281299990003", name: "Rudi", source: "scalev" });
    expect(await count("SELECT COUNT(*) AS n FROM orders WHERE business_id = ? AND external_id = 'EFF-3'", t.businessId)).toBe(1);
    // Run it again (a sweep racing a slow live run): still one contact, one order.
    await env.DB.prepare("UPDATE webhook_logs SET customer_due_at = 0 WHERE business_id = ? AND customer IS NOT NULL").bind(t.businessId).run();
    await sweepWebhookCustomers(env, Date.now());
    expect(await count("SELECT COUNT(*) AS n FROM contacts WHERE business_id = ?", t.businessId)).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM orders WHERE business_id = ?", t.businessId)).toBe(1);
  });

  it("events answered within one send window: the queue consumer records every customer and order (no sweep)", async () => {
    const t = await tenantWithDevice();
    const n = 6;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        call(`/webhook/${t.businessId}`, {
          raw: JSON.stringify(
            scalevEvent(`eff-many-${i}`, { order_id: `MANY-${i}`, destination_address: { name: `Pembeli ${i}`, phone: `08129999010${i}` } }),
          ),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(n).fill(200));
    await customerEffectsSettled(t.businessId);
    expect(await count("SELECT COUNT(*) AS n FROM contacts WHERE business_id = ? AND phone LIKE '62812999901%'", t.businessId)).toBe(n);
    expect(await count("SELECT COUNT(*) AS n FROM orders WHERE business_id = ? AND external_id LIKE 'MANY-%'", t.businessId)).toBe(n);
  });

  it("a failing run stays due for the sweep, backing off; the next run records it", async () => {
    const t = await tenantWithDevice();
    await postWebhook(t.businessId, scalevEvent("eff-5", { order_id: "EFF-5", destination_address: { name: "Ayu", phone: "081299990005" } }));
    // A run that fails (facts sent for a business that does not exist: the contact insert fails its foreign key).
    const row = await env.DB.prepare("SELECT id, customer FROM webhook_logs WHERE business_id = ? AND customer IS NOT NULL")
      .bind(t.businessId)
      .first<{ id: string; customer: string }>();
    expect(row).not.toBeNull();
    if (!row) return;
    await env.DB.prepare("DELETE FROM orders WHERE business_id = ?").bind(t.businessId).run();
    await env.DB.prepare("DELETE FROM contacts WHERE business_id = ?").bind(t.businessId).run();
    const now = Date.now();
    await env.DB.prepare("UPDATE webhook_logs SET customer_due_at = 0 WHERE id = ?").bind(row.id).run();
    await runWebhookCustomers(env, [{ logId: row.id, businessId: "00000000-0000-4000-8000-00000000dead", customer: JSON.parse(row.customer), createdAt: now }], now);
    const after = await env.DB.prepare("SELECT customer_due_at AS due FROM webhook_logs WHERE id = ?").bind(row.id).first<{ due: number | null }>();
    expect(after?.due).toBeGreaterThanOrEqual(now + CUSTOMER_GRACE_MS);
    // The sweep at that time runs it for its own business and marks it done.
    expect(await sweepWebhookCustomers(env, (after?.due ?? 0) + 1)).toBeGreaterThanOrEqual(1);
    expect(await count("SELECT COUNT(*) AS n FROM contacts WHERE business_id = ? AND phone = '6281299990005'", t.businessId)).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM webhook_logs WHERE id = ? AND customer_due_at IS NULL", row.id)).toBe(1);
  });

  it("an event that names nobody writes no effect", async () => {
    const t = await tenantWithDevice();
    await postWebhook(
      t.businessId,
      scalevEvent("eff-4", { order_id: "EFF-4", destination_address: { name: "Tanpa nomor", phone: "" }, customer: null }),
    );
    expect(await count("SELECT COUNT(*) AS n FROM webhook_logs WHERE business_id = ? AND customer IS NOT NULL", t.businessId)).toBe(0);
  });
});
