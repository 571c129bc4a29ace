// The campaign builder in a real browser: steps added and removed on the page, the campaign created through the
// API's JSON, then activated from its page, a contact enrolled and the funnel's first bars drawn.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium";
import { type LocalWorker, startLocalWorker } from "../support/local-worker";

let worker: LocalWorker;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  worker = await startLocalWorker();
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
});

/** A JSON call from the page (same origin, the session cookie, the Origin header the CSRF check wants). */
async function api(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(
    async ([p, b]) => {
      const res = await fetch(p, b === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    [path, body] as const,
  );
}

describe("campaign builder in Chromium", () => {
  it("builds the steps on the page, creates, activates and shows the funnel", async () => {
    await page.goto(`${worker.url}/app/signup`);
    await page.fill('input[name="business_name"]', "Toko Kopi");
    await page.fill('input[name="name"]', "Rina");
    await page.fill('input[name="email"]', `rina.${Date.now()}@example.co.id`);
    await page.fill('input[name="password"]', "kopi-susu-gula-aren");
    await page.click("button");
    await page.waitForURL(`${worker.url}/app`);
    expect((await api("/api/v1/devices", { name: "CS", provider: "sandbox" })).status).toBe(201);
    const contact = await api("/api/v1/contacts", { phone: "081234500001", name: "Dimas" });
    expect(contact.status).toBe(201);

    await page.goto(`${worker.url}/app/campaigns`);
    const builder = page.locator("form[data-campaign-builder]");
    await builder.locator('input[name="name"]').fill("Terima kasih lalu promo");
    // The default draft: send, wait, condition, send. Remove the condition, add a wait, set it to 2 days.
    expect(await builder.locator("[data-steps] [data-step]").count()).toBe(4);
    await builder.locator('[data-steps] [data-step="condition"] [data-remove-step]').click();
    await builder.locator('[data-add-step="wait"]').click();
    const steps = builder.locator("[data-steps] [data-step]");
    expect(await steps.count()).toBe(4);
    await steps.nth(3).locator('input[name="days"]').fill("2");
    await steps.nth(2).locator('textarea[name="texts"]').fill("{Halo|Hai} {name}, ada promo kopi!\n---\n{name}, diskon 10% minggu ini");
    await builder.locator('button[type="submit"]').click();
    await page.waitForURL(/\/app\/campaigns\/[0-9a-f-]{36}$/);
    const id = page.url().split("/").pop() ?? "";

    const created = await api(`/api/v1/campaigns/${id}`);
    expect(created.body).toMatchObject({
      name: "Terima kasih lalu promo",
      status: "inactive",
      trigger: { type: "manual" },
      steps: [
        { type: "send" },
        { type: "wait", days: 3 },
        { type: "send", message: { texts: ["{Halo|Hai} {name}, ada promo kopi!", "{name}, diskon 10% minggu ini"] } },
        { type: "wait", days: 2 },
      ],
    });

    // A bad text is refused with the API's message on the page.
    await page.locator('[data-steps] [data-step="send"] textarea[name="texts"]').first().fill("{Halo|Hai");
    await page.locator('form[data-campaign-builder] button[type="submit"]').click();
    await page.locator("form[data-campaign-builder] [data-out].err").waitFor();
    await expect(page.locator("form[data-campaign-builder] [data-out]").textContent()).resolves.toContain("unclosed");

    await page.click(`form[data-api="/api/v1/campaigns/${id}/activate"] button`);
    await page.waitForSelector(`form[data-api="/api/v1/campaigns/${id}/deactivate"]`);
    expect((await api(`/api/v1/campaigns/${id}/enrollments`, { contact_ids: [contact.body.id] })).body).toEqual({ enrolled: 1, skipped: 0 });
    await page.reload();
    const bars = await page.locator("[data-funnel] svg text").allTextContents();
    // Enrolled 1, and the first step reached.
    expect(bars.slice(0, 2)).toEqual(["1", "Terdaftar"]);
  });
});
