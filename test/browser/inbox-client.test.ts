// The inbox as an interactive client in Chromium against the real Worker under miniflare: the `/` canned picker
// (keyboard, variables filled from the contact), the controls and keyboard shortcuts changing the conversation
// (checked through the API), the contact panel with an order stored by the webhook CRM step, an @mention and an
// assignment notifying the other agent (toast, sound counter, browser notification), live list and thread
// updates, and the phone-sized layout (390 px). Screenshots: test-artifacts/inbox-*.png.
import { mkdirSync, readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalWorker, ROOT, startLocalWorker } from "../support/local-worker";
import { launchChromium } from "./chromium";

const ARTIFACTS = `${ROOT}test-artifacts`;

let worker: LocalWorker;
let browser: Browser;
let owner: { cookie: string; token: string; userId: string; businessId: string };
let dewi: { cookie: string; token: string; userId: string };
let deviceKey = "";
let wati = "";
let budi = "";

type Json = Record<string, unknown>;

async function api(path: string, init: { method?: string; json?: unknown; cookie?: string } = {}): Promise<{ status: number; headers: Headers; body: Json }> {
  const res = await fetch(new URL(path, worker.url), {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json", ...(init.cookie ? { cookie: init.cookie, origin: new URL(worker.url).origin } : {}) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: res.status, headers: res.headers, body: ((await res.json().catch(() => ({}))) ?? {}) as Json };
}

const sessionOf = (h: Headers) => /ping_session=([^;]+)/.exec(h.get("set-cookie") ?? "")?.[1] ?? "";

async function conversation(id: string): Promise<Json> {
  return (await api(`/api/v1/conversations/${id}`, { cookie: owner.cookie })).body;
}

async function inbound(from: string, text: string, name?: string): Promise<void> {
  const r = await api(`/api/v1/devices/${deviceKey}/sandbox/inbound`, { json: { from, text, ...(name ? { name } : {}) }, cookie: owner.cookie });
  expect(r.status).toBe(201);
}

async function conversationOf(phoneDigits: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const items = (await api("/api/v1/conversations", { cookie: owner.cookie })).body.items as { id: string; contact: { phone: string | null } }[];
    const hit = items.find((c) => (c.contact.phone ?? "").endsWith(phoneDigits));
    if (hit) return hit.id;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no conversation for ${phoneDigits}`);
}

async function pageFor(token: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  await context.addCookies([{ name: "ping_session", value: token, url: worker.url }]);
  await context.grantPermissions(["notifications"], { origin: worker.url });
  // Records the browser notifications the page shows (headless Chromium has no notification centre to look at).
  await context.addInitScript(`(() => {
    const shown = [];
    window.__notifications = shown;
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title, options) {
        super(title, options);
        shown.push(title + " | " + ((options && options.body) || ""));
      }
    }
    Object.defineProperty(window, "Notification", { value: Recorded });
  })()`);
  return { context, page: await context.newPage() };
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  worker = await startLocalWorker();
  browser = await launchChromium();
  const signup = await api("/api/v1/auth/signup", { json: { business_name: "Toko Inbox", name: "Sari", email: `sari.${Date.now()}@example.co.id`, password: "kata-sandi-aman-1" } });
  expect(signup.status).toBe(201);
  const token = sessionOf(signup.headers);
  const cookie = `ping_session=${token}`;
  const me = (await api("/api/v1/me", { cookie })).body as { id?: string; user?: { id: string }; business?: { id: string }; business_id?: string };
  owner = { cookie, token, userId: me.user?.id ?? me.id ?? "", businessId: me.business?.id ?? me.business_id ?? "" };
  const email = `dewi.${Date.now()}@example.co.id`;
  const invited = await api("/api/v1/users", { json: { email, name: "Dewi", role: "staff", password: "kata-sandi-dewi-1" }, cookie });
  expect(invited.status).toBe(201);
  const login = await api("/api/v1/auth/login", { json: { email, password: "kata-sandi-dewi-1" } });
  dewi = { token: sessionOf(login.headers), cookie: `ping_session=${sessionOf(login.headers)}`, userId: (invited.body.user as { id: string }).id };
  deviceKey = String((await api("/api/v1/devices", { json: { name: "CS", provider: "sandbox" }, cookie })).body.device_key);
  for (const [shortcut, text] of [
    ["halo", "Halo {{contact.name}}, saya {{agent.name}} dari {{business.name}}."],
    ["ongkir", "Ongkir gratis se-Jawa ya kak."],
  ])
    expect((await api("/api/v1/canned-responses", { json: { shortcut, text }, cookie })).status).toBe(201);
  expect((await api("/api/v1/labels", { json: { name: "VIP" }, cookie })).status).toBe(201);
  await inbound("081277770001", "Kak, pesanan saya sudah dikirim?", "Budi");
  await inbound("081266667777", "Halo, mau tanya order", "Wati");
  wati = await conversationOf("81266667777");
  budi = await conversationOf("81277770001");
  // The webhook CRM step stores the order on Wati's contact (the same phone).
  const hook = await fetch(new URL(`/webhook/${owner.businessId}`, worker.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      event: "order.created",
      unique_id: `evt-${Date.now()}`,
      data: { order_id: "INV-7788", net_revenue: "168724.00", destination_address: { name: "Wati", phone: "081266667777" }, orderlines: [{ product_name: "Kaos", quantity: 2 }] },
    }),
  });
  expect(hook.status).toBeLessThan(300);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
});

describe("inbox client in Chromium", () => {
  it("contact panel shows the order; `/` picks a canned response by keyboard with the contact's variables; Enter sends", async () => {
    const { page } = await pageFor(owner.token);
    await page.goto(`${worker.url}/app/inbox?c=${wati}`);
    await page.waitForSelector('body[data-inbox="live"]');
    await expect.poll(async () => (await page.goto(`${worker.url}/app/inbox?c=${wati}`), await page.locator("#inbox-contact").textContent()), { timeout: 15_000 }).toContain("INV-7788");
    await page.waitForSelector('body[data-inbox="live"]');
    expect(await page.locator("#inbox-contact").textContent()).toContain("Wati");

    const box = page.locator("#inbox-reply textarea");
    await box.click();
    await box.pressSequentially("/");
    await page.waitForSelector("#inbox-canned:not([hidden]) li[data-suggestion]");
    expect(await page.locator("#inbox-canned li[data-suggestion]").allTextContents()).toEqual([expect.stringContaining("/halo"), expect.stringContaining("/ongkir")]);
    await box.pressSequentially("on");
    expect(await page.locator("#inbox-canned li[data-suggestion]").count()).toBe(1);
    await box.press("Backspace");
    await box.press("Backspace");
    await box.press("ArrowDown");
    await expect.poll(() => page.locator('#inbox-canned li[aria-selected="true"]').textContent()).toContain("/ongkir");
    await box.press("ArrowUp");
    await page.screenshot({ path: `${ARTIFACTS}/inbox-canned.png` });
    await box.press("Enter");
    expect(await box.inputValue()).toBe("Halo Wati, saya Sari dari Toko Inbox.");
    expect(await page.locator("#inbox-canned").isHidden()).toBe(true);
    await box.press("Enter");
    await page.waitForSelector('#inbox-messages .bubble.out:has-text("Halo Wati, saya Sari dari Toko Inbox.")');
    await expect.poll(() => box.inputValue()).toBe("");
    const sent = (await api(`/api/v1/conversations/${wati}/messages`, { cookie: owner.cookie })).body.items as { text: string; direction: string }[];
    expect(sent.filter((m) => m.direction === "out").map((m) => m.text)).toEqual(["Halo Wati, saya Sari dari Toko Inbox."]);
    await page.screenshot({ path: `${ARTIFACTS}/inbox-desktop.png`, fullPage: true });
    await page.context().close();
  });

  it("controls and shortcuts change the conversation through the API; ? lists the shortcuts; j/k move between conversations", async () => {
    const { page } = await pageFor(owner.token);
    await page.goto(`${worker.url}/app/inbox?c=${wati}`);
    await page.waitForSelector('body[data-inbox="live"]');
    await page.selectOption('[data-control="priority"]', "high");
    await expect.poll(async () => (await conversation(wati)).priority).toBe("high");
    await page.locator('[data-control="label"]').check();
    await expect.poll(async () => ((await conversation(wati)).labels as { name: string }[]).map((l) => l.name)).toEqual(["VIP"]);
    await page.selectOption('[data-control="assignee_id"]', dewi.userId);
    await expect.poll(async () => (await conversation(wati)).assignee_id).toBe(dewi.userId);
    await page.click('[data-snooze="reply"]');
    await expect.poll(async () => [(await conversation(wati)).status, (await conversation(wati)).snooze_until]).toEqual(["snoozed", null]);
    expect(await page.locator("[data-thread-status]").textContent()).toBe("Ditunda");
    const later = new Date(Date.now() + 3 * 3600_000);
    const local = new Date(later.getTime() - later.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.fill("[data-snooze-at]", local);
    await page.click('[data-snooze="at"]');
    await expect.poll(async () => Number((await conversation(wati)).snooze_until)).toBeGreaterThan(Date.now());
    await page.selectOption('[data-control="status"]', "open");
    await expect.poll(async () => (await conversation(wati)).status).toBe("open");

    // Shortcuts, with the focus on the page (not in a text box).
    await page.locator("h2").first().click();
    await page.keyboard.press("a");
    await expect.poll(async () => (await conversation(wati)).assignee_id).toBe(owner.userId);
    await page.keyboard.press("e");
    await expect.poll(async () => (await conversation(wati)).status).toBe("resolved");
    await page.keyboard.press("?");
    await page.waitForSelector("dialog#inbox-help[open]");
    expect(await page.locator("dialog#inbox-help").textContent()).toContain("Tangani sendiri");
    await page.screenshot({ path: `${ARTIFACTS}/inbox-shortcuts.png` });
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog#inbox-help:not([open])", { state: "attached" });
    await page.keyboard.press("n");
    expect(await page.evaluate('document.activeElement?.closest("#inbox-note") !== null')).toBe(true);
    await page.locator("h2").first().click();
    // The list is newest first: Wati, then Budi. j opens Budi in place (same document), k goes back.
    await page.evaluate("window.__same = true");
    await page.keyboard.press("j");
    await page.waitForSelector(`#inbox-thread[data-conversation="${budi}"]`);
    expect(page.url()).toContain(`c=${budi}`);
    await page.locator("h2").first().click();
    await page.keyboard.press("k");
    await page.waitForSelector(`#inbox-thread[data-conversation="${wati}"]`);
    expect(await page.evaluate("window.__same")).toBe(true);
    await page.context().close();
  });

  it("a mention and an assignment notify the other agent live (toast, sound, browser notification) and leave a record", async () => {
    const agent = await pageFor(dewi.token);
    await agent.page.goto(`${worker.url}/app/inbox`);
    await agent.page.waitForSelector('body[data-inbox="live"]');
    const { page } = await pageFor(owner.token);
    await page.goto(`${worker.url}/app/inbox?c=${budi}`);
    await page.waitForSelector('body[data-inbox="live"]');

    const note = page.locator("#inbox-note textarea");
    await note.click();
    await note.pressSequentially("@dew");
    await page.waitForSelector('#inbox-mentions:not([hidden]) li[data-suggestion]');
    await note.press("Enter");
    expect(await note.inputValue()).toBe("@dewi ");
    await note.pressSequentially("tolong cek resi");
    await page.click("#inbox-note button");
    await page.waitForSelector('#inbox-notes li:has-text("@dewi tolong cek resi")');

    await agent.page.waitForSelector('#inbox-toasts .toast:has-text("tolong cek resi")');
    expect(await agent.page.locator("#inbox-toasts").textContent()).toContain("Sari menyebut Anda di catatan");
    await expect.poll(() => agent.page.evaluate("window.__notifications")).toContain("Sari menyebut Anda di catatan | @dewi tolong cek resi");
    expect(Number(await agent.page.evaluate("document.body.dataset.sounds"))).toBeGreaterThanOrEqual(1);
    await agent.page.screenshot({ path: `${ARTIFACTS}/inbox-mention.png` });
    // The record (the earlier test assigned Wati's conversation to Dewi: that one is there too, unread).
    const list = await api("/api/v1/notifications", { cookie: dewi.cookie });
    const items = list.body.items as { kind: string; conversation_id: string; read_at: number | null }[];
    expect(items.map((n) => [n.kind, n.conversation_id, n.read_at])).toEqual([
      ["mention", budi, null],
      ["assigned", wati, null],
    ]);
    expect(list.body.unread).toBe(2);

    await page.selectOption('[data-control="assignee_id"]', dewi.userId);
    await agent.page.waitForSelector('#inbox-toasts .toast:has-text("Percakapan diserahkan ke Anda")');
    // A click on the toast opens that conversation.
    await agent.page.locator('#inbox-toasts .toast:has-text("Percakapan diserahkan ke Anda")').click();
    await agent.page.waitForSelector(`#inbox-thread[data-conversation="${budi}"]`);
    // A change made by Sari shows in Dewi's open thread live.
    await page.selectOption('[data-control="priority"]', "urgent");
    await expect.poll(() => agent.page.locator('[data-control="priority"]').inputValue()).toBe("urgent");

    // With the setting off: still the toast, no sound and no browser notification.
    await agent.page.locator("#inbox-notify").uncheck();
    await expect.poll(async () => (await api("/api/v1/notifications/settings", { cookie: dewi.cookie })).body.notify).toBe("off");
    const sounds = Number(await agent.page.evaluate("document.body.dataset.sounds"));
    await page.fill("#inbox-note textarea", "@dewi sekali lagi");
    await page.click("#inbox-note button");
    await agent.page.waitForSelector('#inbox-toasts .toast:has-text("sekali lagi")');
    // Dewi has that conversation open: the note shows in her thread without a reload, once.
    await agent.page.waitForSelector('#inbox-notes li:has-text("@dewi sekali lagi")');
    expect(await agent.page.locator('#inbox-notes li:has-text("@dewi sekali lagi")').count()).toBe(1);
    expect(await page.locator('#inbox-notes li:has-text("@dewi sekali lagi")').count()).toBe(1);
    expect(Number(await agent.page.evaluate("document.body.dataset.sounds"))).toBe(sounds);
    await agent.context.close();
    await page.context().close();
  });

  it("the list and the open thread update live: a new conversation appears with a toast, a message lands in the thread, unread stays 0 there, a dropped socket loses nothing", async () => {
    const { page } = await pageFor(owner.token);
    await page.goto(`${worker.url}/app/inbox?c=${wati}`);
    await page.waitForSelector('body[data-inbox="live"]');
    await page.evaluate("window.__same = true");
    await inbound("081299990000", "Permisi, ada stok hitam?", "Rina");
    await page.waitForSelector('#inbox-toasts .toast:has-text("Percakapan baru")');
    await page.waitForSelector('#inbox-list li:has-text("Rina")');
    expect(await page.locator('#inbox-list li:has-text("Rina") [data-unread-pill]').textContent()).toBe("1");
    await inbound("081266667777", "Ditunggu ya kak");
    await page.waitForSelector('#inbox-messages .bubble.in:has-text("Ditunggu ya kak")');
    await expect.poll(async () => (await conversation(wati)).unread_count).toBe(0);
    expect(await page.locator(`#inbox-list li[data-conversation="${wati}"]`).getAttribute("data-unread")).toBe("0");
    // A redeploy drops the socket: what arrives around it shows once, in order, without a reload.
    await worker.restart();
    await inbound("081266667777", "Sudah sampai kak");
    await page.waitForSelector('#inbox-messages .bubble.in:has-text("Sudah sampai kak")', { timeout: 40_000 });
    await page.waitForSelector('body[data-inbox="live"]');
    await inbound("081266667777", "Terima kasih");
    await page.waitForSelector('#inbox-messages .bubble.in:has-text("Terima kasih")');
    const texts = await page.locator("#inbox-messages .bubble.in").allTextContents();
    expect(texts.filter((x) => x.startsWith("Sudah sampai kak"))).toHaveLength(1);
    expect(texts.findIndex((x) => x.startsWith("Sudah sampai kak"))).toBeLessThan(texts.findIndex((x) => x.startsWith("Terima kasih")));
    expect(await page.evaluate("window.__same")).toBe(true);
    await page.context().close();
  });

  it("has no serious accessibility violations in the inbox (axe-core), with the canned menu open", async () => {
    const { page } = await pageFor(owner.token);
    await page.goto(`${worker.url}/app/inbox?c=${wati}`);
    await page.waitForSelector('body[data-inbox="live"]');
    await page.locator("#inbox-reply textarea").click();
    await page.keyboard.type("/");
    await page.waitForSelector("#inbox-canned:not([hidden]) li[data-suggestion]");
    await page.evaluate(readFileSync(`${ROOT}node_modules/axe-core/axe.min.js`, "utf8"));
    const result = (await page.evaluate('axe.run("#inbox", { resultTypes: ["violations"] })')) as { violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] };
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    expect(serious).toEqual([]);
    await page.context().close();
  });

  it("works on a phone-sized screen (390 px): the list, then the thread with its controls and contact panel, no sideways scrolling", async () => {
    const { page } = await pageFor(owner.token, { width: 390, height: 844 });
    await page.goto(`${worker.url}/app/inbox`);
    await page.waitForSelector('body[data-inbox="live"]');
    expect(await page.locator("#inbox-list").isVisible()).toBe(true);
    // Nothing wider than the screen (when something is, the elements sticking out are named).
    const overflow = () =>
      page.evaluate(`document.documentElement.scrollWidth <= window.innerWidth ? [] :
        [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && el.getBoundingClientRect().width > 0)
          .slice(0, 8)
          .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + el.className)`);
    expect(await overflow()).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/inbox-phone-list.png`, fullPage: true });
    await page.locator(`#inbox-list li[data-conversation="${wati}"] a`).click();
    await page.waitForSelector(`#inbox-thread[data-conversation="${wati}"]`);
    expect(await page.locator("#inbox-list").isVisible()).toBe(false);
    expect(await page.locator("#inbox-reply textarea").isVisible()).toBe(true);
    expect(await page.locator("#inbox-contact").isVisible()).toBe(true);
    expect(await overflow()).toEqual([]);
    // iOS zooms into inputs under 16 px.
    expect(await page.locator("#inbox-reply textarea").evaluate((el) => parseFloat(el.ownerDocument.defaultView?.getComputedStyle(el).fontSize ?? "0"))).toBeGreaterThanOrEqual(16);
    await page.screenshot({ path: `${ARTIFACTS}/inbox-phone-thread.png`, fullPage: true });
    await page.locator("#inbox-thread a.back").click();
    await page.waitForSelector("#inbox-list", { state: "visible" });
    await page.context().close();
  });
});
