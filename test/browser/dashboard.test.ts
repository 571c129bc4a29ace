// A newcomer's first minutes in a real browser: sign up, see the webhook URL, copy it, add a sandbox device,
// create an API key (shown once), switch language.
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
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: worker.url });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
});

describe("dashboard in Chromium", () => {
  it("signs up in Indonesian and lands on the overview", async () => {
    await page.goto(`${worker.url}/app/signup`);
    expect(await page.getAttribute("html", "lang")).toBe("id");
    await page.fill('input[name="business_name"]', "Toko Kopi Nusantara");
    await page.fill('input[name="name"]', "Dewi");
    await page.fill('input[name="email"]', `dewi.${Date.now()}@example.co.id`);
    await page.fill('input[name="password"]', "kopi-enak-sekali");
    await page.click("button");
    await page.waitForURL(`${worker.url}/app`);
    await expect(page.textContent("main")).resolves.toContain("Selamat datang, Dewi");
  });

  it("shows the webhook URL on settings and copies it", async () => {
    await page.goto(`${worker.url}/app/settings`);
    const url = (await page.textContent("#webhook-url"))?.trim() ?? "";
    expect(url).toMatch(new RegExp(`^${worker.url}/webhook/[0-9a-f-]{36}$`));
    await page.click('[data-copy="webhook-url"]');
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(url);
  });

  it("adds a sandbox device that is connected at once", async () => {
    await page.goto(`${worker.url}/app/devices`);
    await page.fill('input[name="name"]', "Nomor CS");
    await page.selectOption('select[name="provider"]', "sandbox");
    await page.click('form[data-api="/api/v1/devices"] button');
    await page.waitForSelector("text=Nomor CS");
    const row = await page.textContent("table");
    expect(row).toContain("connected");
    expect(row).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });

  it("creates an API key that is shown once and works as a Bearer token", async () => {
    await page.goto(`${worker.url}/app/api-keys`);
    await page.fill('input[name="name"]', "Integrasi toko");
    await page.click('form[data-api="/api/v1/api-keys"] button');
    const out = page.locator("[data-out]");
    await expect.poll(async () => (await out.textContent()) ?? "").toContain("pk_");
    const key = /pk_[A-Za-z0-9_-]+/.exec((await out.textContent()) ?? "")?.[0] ?? "";
    const me = await fetch(`${worker.url}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);
    await page.reload();
    expect(await page.textContent("table")).not.toContain(key);
  });

  it("switches to English and back", async () => {
    await page.goto(`${worker.url}/app/settings?lang=en`);
    await expect(page.textContent("nav")).resolves.toContain("Users");
    await page.goto(`${worker.url}/app/settings?lang=id`);
    await expect(page.textContent("nav")).resolves.toContain("Pengguna");
  });
});
