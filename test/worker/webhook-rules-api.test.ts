import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import { describe, expect, it } from "vitest";
import { deleteExpiredWebhookLogs } from "../../worker/db/webhook-logs";
import { database } from "../../worker/db/client";
import { call, createApiKey, member } from "./helpers";
import { createRule, LYNK_SAMPLE, logsOf, ORDER_CREATED, postWebhook, SCALEV_SAMPLE, scalevEvent, tenantWithDevice } from "./webhook-fixtures";

describe("webhook rules API", () => {
  it("creates, reads, updates, lists and deletes a rule", async () => {
    const t = await tenantWithDevice();
    const r = await createRule(t, {});
    expect(r).toMatchObject({ name: "Order baru", source: "scalev", active: true, priority: 100, device_key: t.deviceKey, warnings: [] });
    const got = await call(`/api/v1/webhook-rules/${r.id}`, { cookie: t.cookie });
    expect(got.body.conditions).toEqual(ORDER_CREATED);
    const patched = await call(`/api/v1/webhook-rules/${r.id}`, { method: "PATCH", cookie: t.cookie, json: { active: false, priority: 5 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ active: false, priority: 5 });
    expect(patched.body.updated_at).toBeGreaterThan(r.updated_at);
    const list = await call("/api/v1/webhook-rules?limit=1", { cookie: t.cookie });
    expect(list.body.items).toHaveLength(1);
    const del = await call(`/api/v1/webhook-rules/${r.id}`, { method: "DELETE", cookie: t.cookie });
    expect(del.body).toEqual({ deleted: true });
    expect((await call(`/api/v1/webhook-rules/${r.id}`, { cookie: t.cookie })).status).toBe(404);
  });

  it("an edited rule takes effect on the next event", async () => {
    const t = await tenantWithDevice();
    const r = await createRule(t, { template: "versi satu" });
    await postWebhook(t.businessId, scalevEvent("edit-1"));
    await call(`/api/v1/webhook-rules/${r.id}`, { method: "PATCH", cookie: t.cookie, json: { template: "versi dua" } });
    await postWebhook(t.businessId, scalevEvent("edit-2"));
    const rows = await env.DB.prepare("SELECT text FROM messages WHERE business_id = ? ORDER BY created_at").bind(t.businessId).all<{ text: string }>();
    expect(rows.results.map((x) => x.text)).toEqual(["versi satu", "versi dua"]);
  });

  it("rejects invalid rules with precise errors", async () => {
    const t = await tenantWithDevice();
    const cases: [Record<string, unknown>, string][] = [
      [{ conditions: { operator: "AND", rules: [{ field: "event", operator: "like", value: "x" }] } }, "conditions.rules.0.operator: unknown operator \"like\""],
      [{ conditions: { operator: "AND", rules: [] } }, "conditions.rules: a group needs at least one condition"],
      [{ conditions: { operator: "AND", rules: [{ field: "event", operator: "equals" }] } }, "conditions.rules.0.value: equals needs a value"],
      [{ conditions: { operator: "OR", rules: [{ operator: "AND", rules: [{ field: "a", operator: "greater_than", value: "banyak" }] }] } }, "conditions.rules.0.rules.0.value: greater_than needs a number"],
      [{ conditions: { operator: "XOR", rules: [{ field: "a", operator: "exists" }] } }, "conditions.operator: group operator must be \"AND\" or \"OR\""],
      [{ conditions: { operator: "AND", rules: [{ field: "__proto__.x", operator: "exists" }] } }, "conditions.rules.0.field: \"__proto__\" is not allowed"],
      [{ template: "Halo {{name | shout}}" }, "template: {{name | shout}}: unknown filter \"shout\""],
      [{ template: "Halo {{name" }, "template: a placeholder is opened with {{ but not closed with }}"],
      [{ template: "{{constructor.name}}" }, "template: {{constructor.name}}: \"constructor\" is not allowed"],
    ];
    for (const [patch, message] of cases) {
      const res = await call("/api/v1/webhook-rules", {
        cookie: t.cookie,
        json: { name: "x", source: "scalev", conditions: ORDER_CREATED, template: "t", phone_field: "data.destination_address.phone", device_key: t.deviceKey, ...patch },
      });
      expect(res.status, JSON.stringify(patch)).toBe(400);
      expect(res.body.error_code).toBe("INVALID_RULE");
      expect(res.body.message).toContain(message);
    }
    const badDevice = await call("/api/v1/webhook-rules", {
      cookie: t.cookie,
      json: { name: "x", source: "scalev", conditions: ORDER_CREATED, template: "t", phone_field: "p", device_key: crypto.randomUUID() },
    });
    expect(badDevice.body.error_code).toBe("INVALID_DEVICE");
    const badSource = await call("/api/v1/webhook-rules", {
      cookie: t.cookie,
      json: { name: "x", source: "shopee", conditions: ORDER_CREATED, template: "t", phone_field: "p", device_key: t.deviceKey },
    });
    expect(badSource.body.error_code).toBe("VALIDATION_ERROR");
  });

  it("warns about placeholders that never resolve for the chosen source", async () => {
    const t = await tenantWithDevice();
    const r = await createRule(t, { template: "Halo {{data.message_data.customer.name}} {{data.order_id}}" });
    expect(r.warnings).toEqual(["template: {{data.message_data.customer.name}} is not in Scalev's payload and will render empty"]);
    const any = await createRule(t, { source: "any", template: "{{whatever}}" });
    expect(any.warnings).toEqual([]);
  });

  it("is for admins: staff get 403; another tenant's rule is 404", async () => {
    const t = await tenantWithDevice();
    const r = await createRule(t, {});
    const staff = await member(t, "staff");
    expect((await call("/api/v1/webhook-rules", { cookie: staff.cookie })).status).toBe(403);
    expect((await call("/api/v1/webhook-logs", { cookie: staff.cookie })).status).toBe(403);
    const admin = await member(t, "admin");
    expect((await call("/api/v1/webhook-rules", { cookie: admin.cookie })).status).toBe(200);
    const other = await tenantWithDevice();
    expect((await call(`/api/v1/webhook-rules/${r.id}`, { cookie: other.cookie })).status).toBe(404);
    expect((await call(`/api/v1/webhook-rules/${r.id}`, { method: "PATCH", cookie: other.cookie, json: { active: false } })).status).toBe(404);
    expect((await call(`/api/v1/webhook-rules/${r.id}`, { method: "DELETE", cookie: other.cookie })).status).toBe(404);
    // A rule cannot point at another tenant's device.
    const cross = await call(`/api/v1/webhook-rules/${r.id}`, { method: "PATCH", cookie: t.cookie, json: { device_key: other.deviceKey } });
    expect(cross.body.error_code).toBe("INVALID_DEVICE");
    const key = await createApiKey(t);
    expect((await call("/api/v1/webhook-rules", { key })).body.items).toHaveLength(1);
  });

  it("POST /test explains every condition, renders the message and normalises the phone", async () => {
    const t = await tenantWithDevice();
    const res = await call("/api/v1/webhook-rules/test", {
      cookie: t.cookie,
      json: {
        rule: {
          source: "lynk",
          conditions: {
            operator: "AND",
            rules: [
              { field: "event", operator: "equals", value: "payment.received" },
              { operator: "OR", rules: [{ field: "data.message_data.totals.grandTotal", operator: "greater_than", value: 100000 }, { field: "data.message_action", operator: "in", value: ["FAILED"] }] },
            ],
          },
          template: "Hai {{data.message_data.customer.name | upper}}, total {{data.message_data.totals.grandTotal | rupiah}}",
          phone_field: "data.message_data.customer.phone",
        },
        payload: LYNK_SAMPLE,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: false, phone: "62812345677889", phone_error: null, message: "Hai LYNK USER, total Rp72.000", missing: [] });
    expect(res.body.trace).toEqual([
      { depth: 0, group: "AND", field: "event", actual: "payment.received", operator: "equals", expected: "payment.received", result: true },
      { depth: 1, group: "OR", field: "data.message_data.totals.grandTotal", actual: 72000, operator: "greater_than", expected: 100000, result: false },
      { depth: 1, group: "OR", field: "data.message_action", actual: "SUCCESS", operator: "in", expected: ["FAILED"], result: false },
    ]);
  });

  it("POST /test with a saved rule_id, and an unknown id is 404", async () => {
    const t = await tenantWithDevice();
    const r = await createRule(t, {});
    const ok = await call("/api/v1/webhook-rules/test", { cookie: t.cookie, json: { rule_id: r.id, payload: SCALEV_SAMPLE } });
    expect(ok.body).toMatchObject({ matched: true, phone: "628112345678", message: "Halo Example Person, order 250130JQHFZG total Rp149.724" });
    const missing = await call("/api/v1/webhook-rules/test", { cookie: t.cookie, json: { rule_id: crypto.randomUUID(), payload: {} } });
    expect(missing.status).toBe(404);
    const neither = await call("/api/v1/webhook-rules/test", { cookie: t.cookie, json: { payload: {} } });
    expect(neither.body.error_code).toBe("VALIDATION_ERROR");
  });
});

describe("webhook logs API", () => {
  it("filters by source, status and time, and pages with a cursor", async () => {
    const t = await tenantWithDevice();
    await createRule(t, {});
    for (let i = 0; i < 3; i++) await postWebhook(t.businessId, scalevEvent(`log-${i}`));
    await postWebhook(t.businessId, { event: "x" });
    await postWebhook(t.businessId, "{bad");
    expect(await logsOf(t, "?source=scalev")).toHaveLength(3);
    expect(await logsOf(t, "?status=no_match")).toHaveLength(1);
    expect(await logsOf(t, "?status=rejected&source=custom")).toHaveLength(1);
    expect(await logsOf(t, `?from=${Date.now() + 60_000}`)).toHaveLength(0);
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Jakarta" }).format(new Date());
    expect(await logsOf(t, `?from=${today}&to=${today}`)).toHaveLength(5);
    const p1 = await call("/api/v1/webhook-logs?limit=2", { cookie: t.cookie });
    expect(p1.body.items).toHaveLength(2);
    const p2 = await call(`/api/v1/webhook-logs?limit=2&cursor=${p1.body.next_cursor}`, { cookie: t.cookie });
    const p3 = await call(`/api/v1/webhook-logs?limit=2&cursor=${p2.body.next_cursor}`, { cookie: t.cookie });
    expect(p3.body.next_cursor).toBeNull();
    const ids = [...p1.body.items, ...p2.body.items, ...p3.body.items].map((l: { id: string }) => l.id);
    expect(new Set(ids).size).toBe(5);
    const one = await call(`/api/v1/webhook-logs/${ids[0]}`, { cookie: t.cookie });
    expect(one.body.id).toBe(ids[0]);
    const other = await tenantWithDevice();
    expect((await call(`/api/v1/webhook-logs/${ids[0]}`, { cookie: other.cookie })).status).toBe(404);
    expect(await logsOf(other)).toHaveLength(0);
    expect((await call("/api/v1/webhook-logs?status=bogus", { cookie: t.cookie })).body.error_code).toBe("VALIDATION_ERROR");
    expect((await call("/api/v1/webhook-logs?from=kemarin", { cookie: t.cookie })).body.error_code).toBe("VALIDATION_ERROR");
  });

  it("expires logs after the business's retention (cron sweep); event claims outlive short retentions", async () => {
    const t = await tenantWithDevice();
    await createRule(t, {});
    await call("/api/v1/settings", { method: "PATCH", cookie: t.cookie, json: { webhook_log_retention_days: 7 } });
    await postWebhook(t.businessId, scalevEvent("old-event"));
    await postWebhook(t.businessId, scalevEvent("new-event"));
    const day = 86_400_000;
    await env.DB.prepare("UPDATE webhook_logs SET created_at = ? WHERE business_id = ? AND event_key = 'scalev:old-event'").bind(Date.now() - 8 * day, t.businessId).run();
    await env.DB.prepare("UPDATE webhook_events SET created_at = ? WHERE business_id = ? AND event_key = 'scalev:old-event'").bind(Date.now() - 8 * day, t.businessId).run();
    // The cron handler runs the sweep.
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const logs = await logsOf(t);
    expect(logs.map((l) => l.event_key)).toEqual(["scalev:new-event"]);
    // The claim is kept (30 days minimum): a late retry of the old event is still a duplicate.
    await postWebhook(t.businessId, scalevEvent("old-event"));
    expect((await logsOf(t))[0]?.status).toBe("duplicate");
    await env.DB.prepare("UPDATE webhook_events SET created_at = ? WHERE business_id = ? AND event_key = 'scalev:old-event'").bind(Date.now() - 31 * day, t.businessId).run();
    await deleteExpiredWebhookLogs(database(env.DB), Date.now());
    const claims = await env.DB.prepare("SELECT count(*) AS n FROM webhook_events WHERE business_id = ? AND event_key = 'scalev:old-event'").bind(t.businessId).first<{ n: number }>();
    expect(claims?.n).toBe(0);
  });
});
