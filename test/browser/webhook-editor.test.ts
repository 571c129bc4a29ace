// The webhook rule editor in a real browser (Debian's Chromium via playwright-core) against the real Worker
// under miniflare: live preview and trace from the sample payload, JSON errors, save, then a webhook fires
// the saved rule and shows in the logs page.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalWorker, startLocalWorker } from "../support/local-worker";
import { launchChromium } from "./chromium";

let worker: LocalWorker;
let browser: Browser;

async function api(path: string, init: { method?: string; json?: unknown; cookie?: string } = {}) {
  const res = await fetch(new URL(path, worker.url), {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    // With a cookie, what the dashboard's own page sends: its Origin (the CSRF check, docs/security.md).
    headers: { "content-type": "application/json", ...(init.cookie ? { cookie: init.cookie, origin: new URL(worker.url).origin } : {}) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
}

describe("webhook rule editor in Chromium", () => {
  beforeAll(async () => {
    worker = await startLocalWorker();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
  });

  it("previews, traces, saves, and the saved rule fires", async () => {
    const signup = await api("/api/v1/auth/signup", { json: { business_name: "Toko Browser", name: "Ani", email: `ani.${Date.now()}@example.co.id`, password: "kata-sandi-aman-1" } });
    expect(signup.status).toBe(201);
    const token = /ping_session=([^;]+)/.exec(signup.headers.get("set-cookie") ?? "")?.[1] ?? "";
    const cookie = `ping_session=${token}`;
    const businessId = String(signup.body?.business_id);
    const device = await api("/api/v1/devices", { json: { name: "CS", provider: "sandbox" }, cookie });
    expect(device.status).toBe(201);

    const context = await browser.newContext();
    await context.addCookies([{ name: "ping_session", value: token, url: worker.url }]);
    const page = await context.newPage();
    await page.goto(new URL("/app/webhook-rules?lang=en", worker.url).toString());

    // The example rule against Scalev's sample payload: matched, rendered with the rupiah filter.
    const preview = page.locator("#rule-preview");
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toContain("Rule matches");
    expect(await page.locator("pre.preview").textContent()).toContain("Total: Rp149.724");
    expect(await preview.textContent()).toContain("628112345678");

    // Switching the source brings its sample and example: Lynk's payment, 08… number normalised.
    await page.locator('select[name="source"]').selectOption("lynk");
    await expect.poll(() => page.locator("pre.preview").textContent(), { timeout: 10_000 }).toContain("Rp72.000");
    expect(await preview.textContent()).toContain("62812345677889");
    expect(await page.locator('input[name="phone_field"]').inputValue()).toBe("data.message_data.customer.phone");
    await page.locator('select[name="source"]').selectOption("scalev");
    await expect.poll(() => page.locator("pre.preview").textContent(), { timeout: 10_000 }).toContain("Rp149.724");

    // Editing the template updates the preview; the trace explains a failing condition.
    await page.locator('textarea[name="template"]').fill("Hai {{data.destination_address.name | upper}}, order {{data.order_id}}");
    await expect.poll(() => page.locator("pre.preview").textContent(), { timeout: 10_000 }).toBe("Hai EXAMPLE PERSON, order 250130JQHFZG");
    await page.locator('textarea[name="conditions"]').fill('{"operator":"AND","rules":[{"field":"data.payment_status","operator":"equals","value":"paid"}]}');
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toContain("Rule does not match");
    expect(await preview.locator("table").textContent()).toContain("unpaid");

    // The builder edits the same conditions: switch to OR and add a row; the JSON follows, the preview re-runs.
    expect(await page.locator("#cond-rows .cond").count()).toBe(1);
    expect(await page.locator("#cond-rows .cond input").first().inputValue()).toBe("data.payment_status");
    await page.locator("#cond-op").selectOption("OR");
    await page.locator("#cond-add").click();
    await page.locator("#cond-rows .cond").nth(1).locator("input").first().fill("data.net_revenue");
    await page.locator("#cond-rows .cond").nth(1).locator("select").selectOption("greater_than");
    await page.locator("#cond-rows .cond").nth(1).locator("input").nth(1).fill("100000");
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toContain("Rule matches");
    expect(JSON.parse(await page.locator('textarea[name="conditions"]').inputValue())).toEqual({
      operator: "OR",
      rules: [
        { field: "data.payment_status", operator: "equals", value: "paid" },
        { field: "data.net_revenue", operator: "greater_than", value: 100000 },
      ],
    });
    expect(await page.locator("#cond-fields option").count()).toBeGreaterThan(10);

    // Broken JSON and an unknown filter are reported, not sent.
    await page.locator('textarea[name="conditions"]').fill('{"operator":"AND","rules":[');
    await expect.poll(() => page.locator("#rule-error").textContent(), { timeout: 10_000 }).toContain("Invalid JSON");
    await page.locator('textarea[name="conditions"]').fill('{"operator":"AND","rules":[{"field":"event","operator":"equals","value":"order.created"}]}');
    await page.locator('textarea[name="template"]').fill("Hai {{data.destination_address.name | shout}}");
    await expect.poll(() => page.locator("#rule-error").textContent(), { timeout: 10_000 }).toContain('unknown filter "shout"');

    // Save a valid rule; it is listed and fires on a webhook.
    await page.locator('textarea[name="template"]').fill("Hai {{data.destination_address.name}}, order {{data.order_id}} diterima");
    await page.locator('input[name="name"]').fill("Order dari browser");
    await Promise.all([page.waitForURL(/\/app\/webhook-rules$/), page.locator("#rule-form button:not([type])").click()]);
    expect(await page.locator("table").first().textContent()).toContain("Order dari browser");

    const hook = await fetch(new URL(`/webhook/${businessId}`, worker.url), {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Scalev-Webhook/1.0" },
      body: JSON.stringify({ event: "order.created", unique_id: "evt_browser_1", data: { order_id: "ORD-9", destination_address: { name: "Budi", phone: "0812-1111-2222" } } }),
    });
    expect(await hook.json()).toEqual({ status: "success", message: "Webhook processed successfully", rule_matched: true });
    await page.goto(new URL("/app/webhook-logs?lang=en", worker.url).toString());
    const row = page.locator("tbody tr").first();
    expect(await row.textContent()).toContain("Order dari browser");
    expect(await row.textContent()).toContain("Success");
    expect(await row.textContent()).toContain("6281211112222");
    await context.close();
  }, 60_000);
});
