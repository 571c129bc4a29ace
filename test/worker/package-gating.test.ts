// Every sending feature answers PACKAGE_NOT_ACTIVE (403) once the package lapses, and sends nothing;
// reading and configuring stay allowed so the business can renew and see its data.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DAY_MS, GRACE_DAYS } from "../../worker/billing/policy";
import { call, countMessages, createApiKey, createDevice, signup, type Tenant } from "./helpers";

async function setActiveUntil(t: Tenant, activeUntil: number) {
  const r = await call(`/internal/businesses/${t.businessId}/package`, {
    method: "PUT",
    json: { package: "basic", active_until: activeUntil },
    headers: { authorization: `Bearer ${env.PLATFORM_ADMIN_TOKEN}` },
  });
  expect(r.status).toBe(200);
}

describe("package gating", () => {
  it("blocks every sending feature with PACKAGE_NOT_ACTIVE and writes no message", async () => {
    const t = await signup();
    const device = await createDevice(t, "sandbox");
    const apiKey = await createApiKey(t);
    const rule = await call("/api/v1/webhook-rules", {
      json: {
        name: "Order baru",
        source: "any",
        conditions: { operator: "AND", rules: [{ field: "event", operator: "equals", value: "order.created" }] },
        template: "Halo {{data.destination_address.name}}",
        phone_field: "data.destination_address.phone",
        device_key: device.device_key,
        active: true,
      },
      cookie: t.cookie,
    });
    expect(rule.status).toBe(201);
    // Past the grace period (worker/billing/policy.ts), not only past the end.
    await setActiveUntil(t, Date.now() - GRACE_DAYS * DAY_MS - 60_000);

    const sends = [
      ["REST send", await call("/api/v1/messages", { json: { device_key: device.device_key, to: "081234567890", text: "Halo" }, key: apiKey })],
      [
        "seed send-message",
        await call("/api-app/whatsapp/send-message", {
          json: { phone: "081234567890", device_key: device.device_key, api_key: apiKey, method: "text", text: "Halo", is_group: false },
        }),
      ],
      [
        "webhook",
        await call(`/webhook/${t.businessId}`, {
          json: { event: "order.created", unique_id: `evt_${crypto.randomUUID()}`, data: { destination_address: { name: "Budi", phone: "08123456789" } } },
        }),
      ],
      [
        "sandbox customer message (triggers replies)",
        await call(`/api/v1/devices/${device.device_key}/sandbox/inbound`, { json: { from: "081234567890", name: "Rina", text: "Halo" }, cookie: t.cookie }),
      ],
    ] as const;
    for (const [what, res] of sends) {
      expect(res.status, what).toBe(403);
      expect(res.body.error_code, what).toBe("PACKAGE_NOT_ACTIVE");
    }
    expect(await countMessages(t.businessId)).toBe(0);

    // Reading and configuring still work, so the business can see its data and renew.
    expect((await call("/api/v1/messages", { cookie: t.cookie })).status).toBe(200);
    expect((await call("/api/v1/webhook-rules", { cookie: t.cookie })).status).toBe(200);
    expect((await call("/api/v1/settings", { method: "PATCH", json: { name: "Toko Baru" }, cookie: t.cookie })).status).toBe(200);

    // Renewal turns sending back on at once.
    await setActiveUntil(t, Date.now() + 30 * 86400_000);
    const again = await call("/api/v1/messages", { json: { device_key: device.device_key, to: "081234567890", text: "Halo" }, key: apiKey });
    expect(again.status).toBe(202);
  });
});
