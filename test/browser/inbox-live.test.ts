// The sandbox chat and the messages list update live in a real browser: the page opens the inbox's WebSocket
// (cookie + same Origin), and new messages and their statuses appear without a reload.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium";
import { type LocalWorker, startLocalWorker } from "../support/local-worker";

let worker: LocalWorker;
let browser: Browser;
let page: Page;
let deviceKey = "";

beforeAll(async () => {
  worker = await startLocalWorker();
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(`${worker.url}/app/signup`);
  await page.fill('input[name="business_name"]', "Warung Live");
  await page.fill('input[name="name"]', "Sari");
  await page.fill('input[name="email"]', `sari.${Date.now()}@example.co.id`);
  await page.fill('input[name="password"]', "warung-live-123");
  await page.click("button");
  await page.waitForURL(`${worker.url}/app`);
  const res = await page.request.post(`${worker.url}/api/v1/devices`, { data: { name: "Sandbox", provider: "sandbox" }, headers: { origin: worker.url } });
  deviceKey = ((await res.json()) as { device_key: string }).device_key;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
});

describe("live inbox in Chromium", () => {
  it("sandbox chat: the customer's message and the reply appear live, the reply's status turns delivered", async () => {
    await page.goto(`${worker.url}/app/devices/${deviceKey}`);
    await page.waitForSelector('body[data-inbox="live"]');
    // Marks this document: a reload would lose it.
    await page.evaluate("window.__sameDocument = true");
    const customer = page.locator(`form[data-api="/api/v1/devices/${deviceKey}/sandbox/inbound"]`);
    await customer.locator('input[name="text"]').fill("Halo, pesan nasi goreng 2");
    await customer.locator("button").click();
    await page.waitForSelector('#chat .bubble.in:has-text("Halo, pesan nasi goreng 2")');
    const business = page.locator('form[data-api="/api/v1/messages"]');
    await business.locator('input[name="text"]').fill("Siap, segera kami antar");
    await business.locator("button").click();
    await page.waitForSelector('#chat .bubble.out:has-text("Siap, segera kami antar") [data-status]:text("delivered")');
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    expect(await customer.locator('input[name="text"]').inputValue()).toBe("");
  });

  it("messages list: a message sent elsewhere shows up and its status updates without a reload", async () => {
    await page.goto(`${worker.url}/app/messages`);
    await page.waitForSelector('body[data-inbox="live"]');
    await page.evaluate("window.__sameDocument = true");
    const sent = await page.request.post(`${worker.url}/api/v1/messages`, { data: { device_key: deviceKey, to: "081377778888", text: "Promo hari ini" }, headers: { origin: worker.url } });
    expect(sent.status()).toBe(202);
    const id = ((await sent.json()) as { id: string }).id;
    await page.waitForSelector(`#messages tr[data-msg="${id}"] [data-status]:text("delivered")`);
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
  });
});
