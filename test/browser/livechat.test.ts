// The website chat in a real browser: the widget embedded in a shop's page on one origin (strict CSP with a
// nonce, hostile global CSS), the dashboard's API on the Worker's origin. A visitor message reaches the inbox,
// the agent's reply reaches the widget; a reload and a dropped connection (workerd restart) keep the history
// without duplicates; nothing is stored before the chat is opened; axe-core finds no serious violations.
// Screenshots: test-artifacts/livechat-*.png.
import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium";
import { type LocalWorker, ROOT, startLocalWorker } from "../support/local-worker";

const ARTIFACTS = `${ROOT}test-artifacts`;
const NONCE = "shopnonce123";

let worker: LocalWorker;
let browser: Browser;
let agent: Page;
let visitorCtx: BrowserContext;
let visitor: Page;
let shop: Server;
let shopOrigin = "";
let widgetKey = "";

// The shop's page: strict CSP (scripts only with the nonce, no inline styles), and CSS that tries to break
// embedded widgets (root font size, global resets with !important, a high z-index overlay).
function shopPage(): string {
  return `<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Toko Maju</title>
<link rel="stylesheet" href="/hostile.css"></head>
<body><main><h1>Toko Maju</h1><p>Selamat datang.</p></main><div class="overlay"></div>
<script nonce="${NONCE}" src="${worker.url}/widget.js" data-key="${widgetKey}" async></script></body></html>`;
}

const HOSTILE_CSS = `html{font-size:6px!important} *{font-family:"Comic Sans MS"!important;line-height:3!important}
div{position:static!important} button{background:red!important;width:10px}
.overlay{position:fixed;inset:auto 0 0 auto;width:40px;height:40px;z-index:99999}`;

function csp(): string {
  const ws = worker.url.replace(/^http/, "ws");
  // img-src names Ping's origin: the chat shows uploaded images inline (a page that leaves it out gets links only).
  return `default-src 'self'; script-src 'nonce-${NONCE}'; style-src 'self'; connect-src 'self' ${worker.url} ${ws}; img-src 'self' data: ${worker.url}`;
}

async function messagesOf(conversationId: string): Promise<{ text: string; direction: string }[]> {
  const r = await agent.request.get(`${worker.url}/api/v1/conversations/${conversationId}/messages`);
  return ((await r.json()) as { items: { text: string; direction: string }[] }).items;
}

async function theConversation(): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const r = await agent.request.get(`${worker.url}/api/v1/conversations`);
    const items = ((await r.json()) as { items: { id: string }[] }).items;
    if (items[0]) return items[0].id;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error("no conversation appeared");
}

async function bubbles(kind: "in" | "out"): Promise<string[]> {
  return visitor.locator(`.m.${kind}:not(.pd)`).allTextContents();
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  worker = await startLocalWorker();
  shop = createServer((req, res) => {
    if (req.url === "/hostile.css") return res.writeHead(200, { "content-type": "text/css" }).end(HOSTILE_CSS);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": csp() }).end(shopPage());
  });
  await new Promise<void>((r) => shop.listen(0, "localhost", r));
  shopOrigin = `http://localhost:${(shop.address() as AddressInfo).port}`;
  browser = await launchChromium();
  agent = await (await browser.newContext()).newPage();
  await agent.goto(`${worker.url}/app/signup`);
  await agent.fill('input[name="business_name"]', "Toko Maju");
  await agent.fill('input[name="name"]', "Sari");
  await agent.fill('input[name="email"]', `sari.${Date.now()}@example.co.id`);
  await agent.fill('input[name="password"]', "toko-maju-123");
  await agent.click("button");
  await agent.waitForURL(`${worker.url}/app`);
  const put = await agent.request.put(`${worker.url}/api/v1/livechat-settings`, {
    data: { allowed_origins: [shopOrigin], greeting: "Halo! Ada yang bisa dibantu?", expected_reply: "5 menit" },
    headers: { origin: worker.url },
  });
  expect(put.status()).toBe(200);
  widgetKey = ((await put.json()) as { widget_key: string }).widget_key;
  visitorCtx = await browser.newContext({ viewport: { width: 390, height: 780 } });
  visitor = await visitorCtx.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await new Promise((r) => shop?.close(r));
});

describe("website chat widget in Chromium", () => {
  it("loads under a strict CSP on another origin, stores nothing until opened, and survives hostile CSS", async () => {
    const violations: string[] = [];
    visitor.on("console", (m) => {
      if (m.type() === "error") violations.push(m.text());
    });
    await visitor.goto(shopOrigin);
    const launcher = visitor.locator("button.l");
    await launcher.waitFor();
    // Position and size come from the widget, not from the page's resets.
    const box = await launcher.boundingBox();
    expect(box?.width).toBe(56);
    expect(box && box.x + box.width).toBeGreaterThan(390 - 40);
    // Clickable above the page's own high z-index overlay.
    await visitor.waitForTimeout(500);
    expect(await visitor.evaluate("localStorage.length")).toBe(0);
    expect(await visitorCtx.cookies()).toEqual([]);
    expect(violations.filter((v) => /Content Security Policy/i.test(v))).toEqual([]);
    await visitor.screenshot({ path: `${ARTIFACTS}/livechat-launcher.png` });
    await launcher.click();
    await visitor.locator("section.p").waitFor();
    const fontSize = await visitor.evaluate('getComputedStyle([...document.body.children].find((e) => e.shadowRoot).shadowRoot.querySelector("textarea")).fontSize');
    expect(fontSize).toBe("16px");
  });

  it("visitor → inbox, agent → widget; reload and a dropped connection keep history without duplicates", async () => {
    await visitor.fill("textarea", "Halo, kaos ukuran L ada?");
    await visitor.press("textarea", "Enter");
    await visitor.locator('.m.in:not(.pd):has-text("Halo, kaos ukuran L ada?")').waitFor();
    expect(await visitor.evaluate("localStorage.length")).toBeGreaterThan(0);
    const conversation = await theConversation();
    // One visitor, one conversation (opening the panel and the first message share one session).
    expect(((await (await agent.request.get(`${worker.url}/api/v1/conversations`)).json()) as { items: unknown[] }).items).toHaveLength(1);
    await expect.poll(async () => (await messagesOf(conversation)).map((m) => m.text)).toEqual(["Halo, kaos ukuran L ada?"]);
    const reply = await agent.request.post(`${worker.url}/api/v1/conversations/${conversation}/messages`, { data: { text: "Ada kak, mau warna apa?" }, headers: { origin: worker.url } });
    expect(reply.status()).toBe(202);
    await visitor.locator('.m.out:has-text("Ada kak, mau warna apa?")').waitFor();
    await visitor.screenshot({ path: `${ARTIFACTS}/livechat-conversation.png` });

    await visitor.reload();
    await visitor.locator("button.l").click();
    await visitor.locator('.m.out:has-text("Ada kak, mau warna apa?")').waitFor();
    expect(await bubbles("in")).toEqual(["Halo, kaos ukuran L ada?"]);
    expect(await bubbles("out")).toEqual(["Ada kak, mau warna apa?"]);

    // A redeploy: every socket drops. The message typed meanwhile is resent once; the reply arrives once.
    await worker.restart();
    await visitor.fill("textarea", "Hitam ya");
    await visitor.press("textarea", "Enter");
    await visitor.locator('.m.in:not(.pd):has-text("Hitam ya")').waitFor({ timeout: 40_000 });
    await agent.request.post(`${worker.url}/api/v1/conversations/${conversation}/messages`, { data: { text: "Siap, kami kirim hari ini" }, headers: { origin: worker.url } });
    await visitor.locator('.m.out:has-text("Siap, kami kirim hari ini")').waitFor();
    expect(await bubbles("in")).toEqual(["Halo, kaos ukuran L ada?", "Hitam ya"]);
    expect(await bubbles("out")).toEqual(["Ada kak, mau warna apa?", "Siap, kami kirim hari ini"]);
    expect((await messagesOf(conversation)).length).toBe(4);
  });

  it("the dashboard inbox (on the Worker's origin) shows the visitor's message live and its reply reaches the widget", async () => {
    const conversation = await theConversation();
    await agent.goto(`${worker.url}/app/inbox?c=${conversation}`);
    await agent.waitForSelector('body[data-inbox="live"]');
    await visitor.fill("textarea", "Ada promo ongkir?");
    await visitor.press("textarea", "Enter");
    await agent.waitForSelector('#inbox-thread .bubble.in:has-text("Ada promo ongkir?")');
    const reply = agent.locator("#inbox-reply");
    await reply.locator("textarea").fill("Gratis ongkir se-Jawa kak");
    await reply.locator("button").click();
    await visitor.locator('.m.out:has-text("Gratis ongkir se-Jawa kak")').waitFor();
    await agent.waitForSelector('#inbox-thread .bubble.out:has-text("Gratis ongkir se-Jawa kak")');
    await agent.screenshot({ path: `${ARTIFACTS}/livechat-inbox.png` });
    expect(await bubbles("out")).toEqual(["Ada kak, mau warna apa?", "Siap, kami kirim hari ini", "Gratis ongkir se-Jawa kak"]);
  });

  it("uploads an image from the widget: it shows in the widget and in the inbox thread", async () => {
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
    await visitor.locator('input[type="file"]').setInputFiles({ name: "kaos.png", mimeType: "image/png", buffer: png });
    await visitor.locator('.m.in:has-text("kaos.png") a').waitFor();
    // Shown inline: the image loaded from the media route (served inert), inside the link to the file.
    const img = visitor.locator('.m.in:has-text("kaos.png") a img.im');
    await img.waitFor();
    await expect
      .poll(() =>
        img.evaluate((i: unknown) => {
          const e = i as { complete: boolean; naturalWidth: number };
          return e.complete ? e.naturalWidth : 0;
        }),
      )
      .toBe(1);
    expect(await img.getAttribute("alt")).toBe("kaos.png");
    const conversation = await theConversation();
    await expect.poll(async () => (await messagesOf(conversation)).some((m) => m.text === "kaos.png")).toBe(true);
  });

  it("has no serious accessibility violations (axe-core)", async () => {
    const axe = readFileSync(`${ROOT}node_modules/axe-core/axe.min.js`, "utf8");
    await visitor.evaluate(axe);
    const result = (await visitor.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: { id: string; impact: string | null }[] };
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
    expect(serious).toEqual([]);
    await visitor.screenshot({ path: `${ARTIFACTS}/livechat-axe.png` });
  });
});

describe("widget: notification sound, offline reply by WhatsApp", () => {
  // Counts the widget's notification sounds in a page (each is one oscillator started).
  const COUNT_BEEPS = `window.__beeps = 0; const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...a) { window.__beeps += 1; return start.apply(this, a); };`;
  const beeps = async (p: Page) => Number(await p.evaluate("window.__beeps"));

  it("two open tabs play one sound for an agent reply; nothing before the chat is opened, none for old history", async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 780 } });
    await ctx.addInitScript({ content: COUNT_BEEPS });
    const [one, two] = [await ctx.newPage(), await ctx.newPage()];
    for (const p of [one, two]) {
      await p.goto(shopOrigin);
      await p.locator("button.l").waitFor();
    }
    expect(await one.evaluate("localStorage.length")).toBe(0);
    await one.locator("button.l").click();
    await one.fill("textarea", "Dua tab terbuka");
    await one.press("textarea", "Enter");
    await one.locator('.m.in:not(.pd):has-text("Dua tab terbuka")').waitFor();
    await two.locator("button.l").click();
    await two.locator('.m.in:has-text("Dua tab terbuka")').waitFor();
    const conversation = await theConversation();
    const r = await agent.request.post(`${worker.url}/api/v1/conversations/${conversation}/messages`, { data: { text: "Satu bunyi saja" }, headers: { origin: worker.url } });
    expect(r.status()).toBe(202);
    for (const p of [one, two]) await p.locator('.m.out:has-text("Satu bunyi saja")').waitFor();
    await one.waitForTimeout(500);
    expect((await beeps(one)) + (await beeps(two))).toBe(1);
    // A reload gets the history again: no sound for it (the reloaded tab's count starts at 0 again).
    const oneSoFar = await beeps(one);
    await two.reload();
    await two.locator("button.l").click();
    await two.locator('.m.out:has-text("Satu bunyi saja")').waitFor();
    await two.waitForTimeout(300);
    expect(await beeps(two)).toBe(0);
    // The next reply: again exactly one sound across the tabs.
    await agent.request.post(`${worker.url}/api/v1/conversations/${conversation}/messages`, { data: { text: "Bunyi kedua" }, headers: { origin: worker.url } });
    for (const p of [one, two]) await p.locator('.m.out:has-text("Bunyi kedua")').waitFor();
    await one.waitForTimeout(500);
    expect((await beeps(one)) + (await beeps(two))).toBe(oneSoFar + 1);
    await ctx.close();
  });

  it("offline: the form takes a WhatsApp number and the agent's reply goes there on WhatsApp once the visitor has left", async () => {
    const dev = await agent.request.post(`${worker.url}/api/v1/devices`, { data: { name: "HP toko", provider: "sandbox" }, headers: { origin: worker.url } });
    expect(dev.status()).toBe(201);
    const closed = await agent.request.put(`${worker.url}/api/v1/livechat-settings`, { data: { hours: [{ day: 0, from: "00:00", to: "00:01" }] }, headers: { origin: worker.url } });
    expect(closed.status()).toBe(200);
    try {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 780 } });
      const page = await ctx.newPage();
      await page.goto(shopOrigin);
      await page.locator("button.l").click();
      await page.locator("form.pc").waitFor();
      await page.screenshot({ path: `${ARTIFACTS}/livechat-offline-form.png` });
      await page.fill('form.pc input[name="name"]', "Wati");
      await page.fill('form.pc input[name="phone"]', "0812-5555-6666");
      await page.click("form.pc button");
      await page.fill("textarea", "Besok bisa kirim?");
      await page.press("textarea", "Enter");
      await page.locator('.m.in:not(.pd):has-text("Besok bisa kirim?")').waitFor();
      const conversation = await theConversation();
      await page.close();
      await ctx.close();
      // The widget's socket is gone (closing the tab closes it): the reply goes to the number on WhatsApp.
      await new Promise((r) => setTimeout(r, 1500));
      const r = await agent.request.post(`${worker.url}/api/v1/conversations/${conversation}/messages`, { data: { text: "Bisa kak, besok pagi" }, headers: { origin: worker.url } });
      expect(r.status()).toBe(202);
      const sentTo = async () => {
        const res = await agent.request.get(`${worker.url}/api/v1/messages?to=081255556666`);
        return ((await res.json()) as { items: { to: string; text: string; status: string }[] }).items.map((m) => ({ to: m.to, text: m.text, sent: ["sent", "delivered", "read"].includes(m.status) }));
      };
      await expect.poll(sentTo, { timeout: 10_000 }).toEqual([{ to: "6281255556666@s.whatsapp.net", text: expect.stringContaining("Bisa kak, besok pagi"), sent: true }]);
    } finally {
      await agent.request.put(`${worker.url}/api/v1/livechat-settings`, { data: { hours: null }, headers: { origin: worker.url } });
    }
  });
});
