// The contact import wizard in Chromium against the real Worker under miniflare: pick a CSV, preview (the
// mapping guessed from Indonesian headers, bad rows shown), change a column's mapping, import with a
// progress bar and row errors, then see the contacts in the list and label them in bulk.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalWorker, startLocalWorker } from "../support/local-worker";
import { launchChromium } from "./chromium";

let worker: LocalWorker;
let browser: Browser;

async function api(path: string, init: { json?: unknown; cookie?: string } = {}) {
  const res = await fetch(new URL(path, worker.url), {
    method: init.json === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...(init.cookie ? { cookie: init.cookie, origin: new URL(worker.url).origin } : {}) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
}

const rows = ["nama;no hp;email;kota;catatan"];
for (let i = 0; i < 300; i++) rows.push(`Pelanggan ${i};0812${String(30000000 + i)};p${i}@contoh.id;Kota ${i % 7};-`);
rows[5] = "Salah Nomor;12345;;Bogor;";
rows[9] = "Dobel;0812 3000 0000;;Depok;";
const CSV = rows.join("\r\n");

describe("import wizard in Chromium", () => {
  beforeAll(async () => {
    worker = await startLocalWorker();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
  });

  it("previews, maps, imports with progress and row errors, then the list shows and labels the contacts", async () => {
    const signup = await api("/api/v1/auth/signup", { json: { business_name: "Toko Impor", name: "Ani", email: `impor.${Date.now()}@example.co.id`, password: "kata-sandi-aman-1" } });
    expect(signup.status).toBe(201);
    const token = /ping_session=([^;]+)/.exec(signup.headers.get("set-cookie") ?? "")?.[1] ?? "";
    const cookie = `ping_session=${token}`;
    const label = await api("/api/v1/labels", { json: { name: "Dari CSV" }, cookie });
    expect(label.status).toBe(201);

    const context = await browser.newContext();
    await context.addCookies([{ name: "ping_session", value: token, url: worker.url }]);
    const page = await context.newPage();
    await page.goto(new URL("/app/contacts/import", worker.url).toString());
    expect(await page.locator("h1").textContent()).toBe("Impor kontak dari CSV");

    await page.locator("#import-file").setInputFiles({ name: "pelanggan.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
    await page.locator("#import-create-fields").check();
    await page.locator("#import-preview").click();
    const mapping = page.locator("#import-mapping > table:first-of-type > tbody > tr");
    await expect.poll(() => mapping.count(), { timeout: 10_000 }).toBe(5);
    const targetOf = (i: number) => mapping.nth(i).locator("select").inputValue();
    expect([await targetOf(0), await targetOf(1), await targetOf(2), await targetOf(3), await targetOf(4)]).toEqual(["name", "phone", "email", "custom:kota", "notes"]);
    // The preview shows the rows' problems with their row numbers.
    await expect.poll(() => page.locator("#import-preview-errors tbody").textContent()).toContain("bad phone");
    expect(await page.locator("#import-preview-errors tbody tr td").first().textContent()).toBe("6");
    // Every row was checked: the duplicate in the file (row 10) is found by the preview too, and counted.
    expect(await page.locator("#import-preview-errors tbody tr").allTextContents()).toEqual([expect.stringMatching(/^6.*bad phone/), expect.stringMatching(/^10.*duplicate in the file \(same as row 2\)/)]);
    expect(await page.locator("#import-summary [data-k=total_rows]").textContent()).toBe("300");
    expect(await page.locator("#import-summary [data-k=ok_rows]").textContent()).toBe("298");
    expect(await page.locator("#import-summary [data-k=problems]").textContent()).toBe("nomor salah: 1 · ganda di file: 1");

    // "catatan" is only "-": the user chooses to ignore it; the preview is redone with that mapping.
    await mapping.nth(4).locator("select").selectOption("ignore");
    await expect.poll(() => targetOf(4), { timeout: 10_000 }).toBe("ignore");
    await page.locator("#import-labels").selectOption(String(label.body?.id));
    await page.locator("#import-start").click();

    await expect.poll(() => page.locator("#import-progress").getAttribute("data-finished"), { timeout: 30_000 }).toBe("done");
    expect(await page.locator("#import-progress progress").getAttribute("value")).toBe("100");
    expect(await page.locator("[data-k=created]").textContent()).toBe("298");
    expect(await page.locator("[data-k=failed]").textContent()).toBe("2");
    const errors = await page.locator("#import-errors tbody tr").allTextContents();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^6.*bad phone/);
    expect(errors[1]).toMatch(/^10.*duplicate in the file \(same as row 2\)/);

    // The list: search by a partial number, the label from the file, then a bulk label removal.
    await page.goto(new URL("/app/contacts?q=30000042", worker.url).toString());
    await expect.poll(() => page.locator("#contacts tbody tr").count()).toBe(1);
    expect(await page.locator("#contacts tbody").textContent()).toContain("Pelanggan 42");
    expect(await page.locator("#contacts tbody").textContent()).toContain("Dari CSV");
    await page.locator("[data-contact]").first().check();
    await page.locator('[data-bulk-action="remove_label"]').click();
    await expect.poll(async () => (await page.locator("#contacts tbody").textContent()) ?? "", { timeout: 10_000 }).not.toContain("Dari CSV");

    // "Every contact matching the filter": the 297 still labelled, though the page shows 50 of them.
    await page.goto(new URL(`/app/contacts?label=${String(label.body?.id)}`, worker.url).toString());
    await expect.poll(() => page.locator("#contacts tbody tr").count()).toBe(50);
    await page.locator("[data-bulk-all]").check();
    await page.locator('[data-bulk-action="remove_label"]').click();
    await expect.poll(async () => (await api(`/api/v1/contacts?labels_any=${String(label.body?.id)}&limit=5`, { cookie })).body?.items, { timeout: 15_000 }).toEqual([]);
    const kota = await api("/api/v1/contact-fields", { cookie });
    expect((kota.body?.items as { key: string }[]).map((f) => f.key)).toEqual(["kota"]);
  });
});
