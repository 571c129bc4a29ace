// A super admin in a real browser: the billing page's usage bars, checkout that lands on the (local) Xendit
// hosted invoice, the printable invoice, and the Afiliasi page's link copied with its button.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium";
import { type LocalWorker, startLocalWorker } from "../support/local-worker";
import { startXendit, XENDIT_CALLBACK_TOKEN, XENDIT_SECRET_KEY } from "../worker/xendit-server";

let worker: LocalWorker;
let xendit: Awaited<ReturnType<typeof startXendit>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  xendit = await startXendit();
  worker = await startLocalWorker({ vars: { XENDIT_API_BASE: xendit.url, XENDIT_SECRET_KEY, XENDIT_CALLBACK_TOKEN } });
  browser = await launchChromium();
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: worker.url });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await xendit?.close();
});

describe("billing and affiliate in Chromium", () => {
  it("shows usage bars and sends checkout to the provider's hosted invoice", async () => {
    await page.goto(`${worker.url}/app/signup`);
    await page.fill('input[name="business_name"]', "Toko Batik");
    await page.fill('input[name="name"]', "Ayu");
    await page.fill('input[name="email"]', `ayu.${Date.now()}@example.co.id`);
    await page.fill('input[name="password"]', "batik-indah-sekali");
    await page.click("button");
    await page.waitForURL(`${worker.url}/app`);

    await page.goto(`${worker.url}/app/billing`);
    expect(await page.locator("#usage svg").count()).toBe(6); // devices, agents, messages, broadcast recipients, AI tokens, broadcasts running
    await expect(page.textContent("#usage")).resolves.toContain("Device");
    await page.click('form[data-api="/api/v1/billing/checkout"]:has(input[value="basic"]) button');
    await page.waitForURL(new RegExp(`^${xendit.url}/web/`));

    await page.goto(`${worker.url}/app/billing`);
    const number = (await page.textContent("#invoices a"))?.trim() ?? "";
    expect(number).toMatch(/^PING-\d{8}-[0-9A-F]{8}$/);
    await page.click("#invoices a");
    await expect(page.textContent("main")).resolves.toContain("Rp99.000");
  });

  it("copies the referral link on the Afiliasi page", async () => {
    await page.goto(`${worker.url}/app/affiliate`);
    const link = (await page.textContent("#referral-link"))?.trim() ?? "";
    expect(link).toMatch(new RegExp(`^${worker.url}/app/signup\\?ref=[A-Z2-9]{8}$`));
    await page.click('[data-copy="referral-link"]');
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(link);
    expect(await page.locator("#funnel svg").count()).toBe(1);
  });
});
