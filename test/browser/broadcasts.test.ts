// Broadcasts in Chromium against the real Worker under miniflare: compose a message and watch the preview of its
// variations, pick an audience by label and see the recipient count (with what is skipped) before sending, set
// the sending hours, save and start on a sandbox device, then watch the detail page's progress reach completed.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalWorker, startLocalWorker } from "../support/local-worker";
import { launchChromium } from "./chromium";
import { apiOf, signedIn } from "./session";

let worker: LocalWorker;
let browser: Browser;
const api = apiOf(() => worker);

describe("broadcasts in Chromium", () => {
  beforeAll(async () => {
    worker = await startLocalWorker();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
  });

  it("compose → preview and count → save & start on a sandbox device → progress reaches completed", async () => {
    const { cookie, context, page } = await signedIn(worker, browser, api, "Toko Siaran", `siaran.${Date.now()}@example.co.id`);
    const device = await api("/api/v1/devices", { json: { name: "Sandbox", provider: "sandbox" }, cookie });
    expect(device.status).toBe(201);
    // The device's own sending hours would hold broadcasts at night (the test may run at any hour).
    const patched = await api(`/api/v1/devices/${String(device.body?.device_key)}`, { method: "PATCH", json: { settings: { window_start: "00:00", window_end: "00:00" } }, cookie });
    expect(patched.status).toBe(200);
    const vip = await api("/api/v1/labels", { json: { name: "VIP" }, cookie });
    const other = await api("/api/v1/labels", { json: { name: "Lain" }, cookie });
    const people = [
      { name: "Budi", phone: "081111110001" },
      { name: "Sari", phone: "081111110002" },
      { name: "Andi", phone: "081111110003" },
      { name: "Tanpa Nomor", email: "tanpa@example.co.id" },
    ];
    for (const p of people) expect((await api("/api/v1/contacts", { json: { ...p, label_ids: [vip.body?.id] }, cookie })).status).toBe(201);
    expect((await api("/api/v1/contacts", { json: { name: "Bukan VIP", phone: "081111110009", label_ids: [other.body?.id] }, cookie })).status).toBe(201);

    await page.goto(new URL("/app/broadcasts", worker.url).toString());
    await page.getByText("Broadcast baru").click();
    await page.waitForURL(/\/app\/broadcasts\/new$/);

    await page.fill("#bc-name", "Promo Akhir Tahun");
    await page.fill("#bc-text-0", "{Halo|Hai|Selamat pagi} {name}, {promo|diskon} akhir tahun!");
    // The preview renders sample texts without an audience (placeholders get the default name).
    await expect.poll(() => page.locator("#bc-variants").textContent(), { timeout: 10_000 }).toBe("6");
    expect(await page.locator("#bc-preview li").count()).toBe(5);
    expect(await page.locator("#bc-preview li pre").first().textContent()).toMatch(/^(Halo|Hai|Selamat pagi) Kak, (promo|diskon) akhir tahun!$/);

    // Audience: any of VIP. The count shows before sending, with the contact that has no number skipped.
    await page.locator(`input[name="labels_any"][value="${String(vip.body?.id)}"]`).check();
    await expect.poll(() => page.locator('#bc-count [data-k="sendable"]').textContent(), { timeout: 10_000 }).toBe("3");
    expect(await page.locator('#bc-count [data-k="total"]').textContent()).toBe("4");
    expect(await page.locator('#bc-count [data-k="reasons"]').textContent()).toBe("nomor tidak valid: 1");
    // The preview now renders for the audience's real contacts.
    await expect.poll(async () => (await page.locator("#bc-preview li small").allTextContents()).slice(0, 3).sort(), { timeout: 10_000 }).toEqual(["Andi", "Budi", "Sari"]);
    // Excluding the label drops everyone.
    await page.locator(`input[name="exclude_labels"][value="${String(vip.body?.id)}"]`).check();
    await expect.poll(() => page.locator('#bc-count [data-k="sendable"]').textContent(), { timeout: 10_000 }).toBe("0");
    await page.locator(`input[name="exclude_labels"][value="${String(vip.body?.id)}"]`).uncheck();
    await expect.poll(() => page.locator('#bc-count [data-k="sendable"]').textContent(), { timeout: 10_000 }).toBe("3");

    // Sending hours all day (equal times), every day.
    await page.fill("#bc-window-start", "00:00");
    await page.fill("#bc-window-end", "00:00");
    await page.click("#bc-save-start");
    await page.waitForURL(/\/app\/broadcasts\/[0-9a-f-]{36}$/, { timeout: 15_000 });
    expect(await page.locator("h2").textContent()).toBe("Promo Akhir Tahun");

    // The detail page refreshes itself until the broadcast is done.
    await expect.poll(() => page.locator("#bc-status").getAttribute("data-status"), { timeout: 30_000 }).toBe("completed");
    const n = async (k: string) => Number(await page.locator(`#bc-counters [data-k="${k}"]`).textContent());
    expect(await n("total")).toBe(4);
    expect(await n("skipped")).toBe(1);
    expect((await n("sent")) + (await n("delivered")) + (await n("read"))).toBe(3);
    expect(await page.locator("#bc-percent").textContent()).toBe("100%");
    expect(await page.locator("#bc-recipients tbody tr").count()).toBe(4);
    // No control is left on a completed broadcast but delete.
    expect(await page.locator("#bc-pause, #bc-cancel, #bc-resume").count()).toBe(0);
    await context.close();
  });

  it("schedules at a wall-clock time in the business's time zone (Asia/Jakarta) with sending hours and days", async () => {
    const { cookie, page, context } = await signedIn(worker, browser, api, "Toko Jadwal", `jadwal.${Date.now()}@example.co.id`, "America/Sao_Paulo");
    expect((await api("/api/v1/devices", { json: { name: "Sandbox", provider: "sandbox" }, cookie })).status).toBe(201);
    const label = await api("/api/v1/labels", { json: { name: "Pelanggan" }, cookie });
    expect((await api("/api/v1/contacts", { json: { name: "Rudi", phone: "081111110011", label_ids: [label.body?.id] }, cookie })).status).toBe(201);
    await page.goto(new URL("/app/broadcasts/new", worker.url).toString());
    await page.fill("#bc-name", "Promo Januari");
    await page.fill("#bc-text-0", "{Halo|Hai} {name}!");
    await page.locator(`input[name="labels_all"][value="${String(label.body?.id)}"]`).check();
    await expect.poll(() => page.locator('#bc-count [data-k="sendable"]').textContent(), { timeout: 10_000 }).toBe("1");
    // A chosen contact found by search joins the audience.
    const wati = await api("/api/v1/contacts", { json: { name: "Wati Tanpa Label", phone: "081111110012" }, cookie });
    await page.fill("#bc-contact-q", "Wati");
    await page.locator(`#bc-contact-results li[data-id="${String(wati.body?.id)}"] button`).click();
    await expect.poll(() => page.locator('#bc-count [data-k="sendable"]').textContent(), { timeout: 10_000 }).toBe("2");
    expect(await page.locator("#bc-chosen li span").allTextContents()).toEqual(["Wati Tanpa Label · 6281111110012"]);
    await page.locator('input[name="when"][value="at"]').check();
    await page.fill("#bc-start-at", "2031-01-15T09:30");
    await page.fill("#bc-window-start", "09:00");
    await page.fill("#bc-window-end", "17:00");
    await page.locator('input[name="days"][value="7"]').uncheck();
    await page.click("#bc-save");
    await page.waitForURL(/\/app\/broadcasts\/[0-9a-f-]{36}$/, { timeout: 15_000 });
    expect(await page.locator("#bc-status").getAttribute("data-status")).toBe("draft");
    const id = page.url().split("/").pop() ?? "";
    const b = await api(`/api/v1/broadcasts/${id}`, { cookie });
    // 09:30 in Jakarta (UTC+7) is 02:30 UTC, though the browser itself runs in São Paulo's zone.
    expect(b.body?.schedule).toMatchObject({ start_at: Date.UTC(2031, 0, 15, 2, 30), window_start: "09:00", window_end: "17:00", days: [1, 2, 3, 4, 5, 6] });
    expect(b.body?.audience).toMatchObject({ labels_all: [label.body?.id], labels_any: [], contact_ids: [wati.body?.id], import_ids: [] });
    await context.close();
  });

  it("pause, resume and cancel from the detail page of a paced broadcast", async () => {
    const { cookie, page, context } = await signedIn(worker, browser, api, "Toko Jeda", `jeda.${Date.now()}@example.co.id`);
    const device = await api("/api/v1/devices", { json: { name: "Sandbox", provider: "sandbox" }, cookie });
    // Real pacing on the sandbox (10–40 s between messages): the broadcast is still running when we pause it.
    const key = String(device.body?.device_key);
    expect((await api(`/api/v1/devices/${key}`, { method: "PATCH", json: { settings: { pacing_enabled: true, window_start: "00:00", window_end: "00:00" } }, cookie })).status).toBe(200);
    const label = await api("/api/v1/labels", { json: { name: "Semua" }, cookie });
    for (let i = 0; i < 3; i++) expect((await api("/api/v1/contacts", { json: { name: `P${i}`, phone: `08111111002${i}`, label_ids: [label.body?.id] }, cookie })).status).toBe(201);
    const b = await api("/api/v1/broadcasts", {
      json: { name: "Pelan", device_key: key, message: { texts: ["{Halo|Hai} {name}"] }, audience: { labels_any: [label.body?.id] }, schedule: { window_start: "00:00", window_end: "00:00" } },
      cookie,
    });
    expect(b.status).toBe(201);
    expect((await api(`/api/v1/broadcasts/${String(b.body?.id)}/start`, { json: {}, cookie })).status).toBe(200);
    await page.goto(new URL(`/app/broadcasts/${String(b.body?.id)}?lang=en`, worker.url).toString());
    const status = () => page.locator("#bc-status").getAttribute("data-status");
    await expect.poll(status, { timeout: 10_000 }).toBe("running");

    await page.click("#bc-pause button");
    await expect.poll(status, { timeout: 10_000 }).toBe("paused");
    await page.click("#bc-resume button");
    await expect.poll(status, { timeout: 10_000 }).toBe("running");
    page.once("dialog", (d) => void d.accept());
    await page.click("#bc-cancel button");
    await expect.poll(status, { timeout: 10_000 }).toBe("cancelled");
    // The counters still cover the whole audience, and a cancelled broadcast has no controls left but delete.
    expect(Number(await page.locator('#bc-counters [data-k="total"]').textContent())).toBe(3);
    expect(await page.locator("#bc-pause, #bc-resume, #bc-cancel").count()).toBe(0);
    await context.close();
  });

  it("uploads a CSV from the compose page: its rows are the audience and its columns are variables", async () => {
    const { cookie, page, context } = await signedIn(worker, browser, api, "Toko CSV", `csv.${Date.now()}@example.co.id`);
    expect((await api("/api/v1/devices", { json: { name: "Sandbox", provider: "sandbox" }, cookie })).status).toBe(201);
    await page.goto(new URL("/app/broadcasts/new?lang=en", worker.url).toString());
    const csv = ["nama;no hp;kota", "Lina;0811 1111 0031;Malang", "Joko;0811-1111-0032;Bogor", "Salah;123;Depok"].join("\n");
    await page.locator("#bc-csv").setInputFiles({ name: "pelanggan.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await expect.poll(() => page.locator("#bc-csv-out").textContent(), { timeout: 20_000 }).toBe("Done: 2 contacts, 1 rows failed.");
    expect(await page.locator("#bc-imports option:checked").textContent()).toBe("pelanggan.csv · 2");
    await expect.poll(() => page.locator('#bc-count [data-k="sendable"]').textContent(), { timeout: 10_000 }).toBe("2");
    // The file's "kota" column is now a custom field: a variable of the message (rows of one batch share a
    // creation time, so their order is not asserted).
    await page.fill("#bc-text-0", "{Halo|Hai} {name} di {kota}!");
    await expect.poll(async () => (await page.locator("#bc-preview li pre").allTextContents()).slice(0, 2).map((x) => x.replace(/^(Halo|Hai) /, "")).sort(), { timeout: 10_000 }).toEqual([
      "Joko di Bogor!",
      "Lina di Malang!",
    ]);
    await context.close();
  });
});
