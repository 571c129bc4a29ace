// The webhook's CRM side (contact + order timeline) runs after the answer, from an effect row written in the
// event's own D1 batch: the sender's answer does not wait for it, a crash before it ran is re-driven by the cron
// sweep, a redelivery of the event writes no second effect, and running it twice changes nothing.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EFFECT_GRACE_MS, sweepInboundEffects } from "../../worker/inbound/effects";
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
        "SELECT COUNT(*) AS n FROM inbound_effects WHERE business_id = ? AND kind = 'webhook_customer' AND done_at IS NOT NULL",
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
    expect(await count("SELECT COUNT(*) AS n FROM inbound_effects WHERE business_id = ? AND kind = 'webhook_customer'", t.businessId)).toBe(
      1,
    );
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
      env.DB.prepare("UPDATE inbound_effects SET done_at = NULL WHERE business_id = ? AND kind = 'webhook_customer'").bind(t.businessId),
    ]);
    // Within the grace period the live path may still be running it: the sweep leaves it alone.
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM inbound_effects WHERE business_id = ? AND done_at IS NULL AND next_at > ?",
        t.businessId,
        Date.now(),
      ),
    ).toBe(1);
    await sweepInboundEffects(env, Date.now() + EFFECT_GRACE_MS + 1);
    await customerEffectsSettled(t.businessId);
    const list = await call("/api/v1/contacts", { cookie: t.cookie });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ phone: "6281299990003", name: "Rudi", source: "scalev" });
    expect(await count("SELECT COUNT(*) AS n FROM orders WHERE business_id = ? AND external_id = 'EFF-3'", t.businessId)).toBe(1);
    // Run it again (a sweep racing a slow live run): still one contact, one order.
    await env.DB.prepare("UPDATE inbound_effects SET done_at = NULL WHERE business_id = ?").bind(t.businessId).run();
    await sweepInboundEffects(env, Date.now() + EFFECT_GRACE_MS + 1);
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

  it("an event that names nobody writes no effect", async () => {
    const t = await tenantWithDevice();
    await postWebhook(
      t.businessId,
      scalevEvent("eff-4", { order_id: "EFF-4", destination_address: { name: "Tanpa nomor", phone: "" }, customer: null }),
    );
    expect(await count("SELECT COUNT(*) AS n FROM inbound_effects WHERE business_id = ?", t.businessId)).toBe(0);
  });
});
