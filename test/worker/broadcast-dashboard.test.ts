// The broadcast pages' server rendering in workerd: the list with state and progress, compose with the business's
// devices, labels, fields and finished imports, and one broadcast with its counters, auto-pause reason, controls
// by state and the recipients table with its status filter; admins only, another tenant's broadcast is a 404.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { draft, drive, setup } from "./broadcast-fixtures";
import { call, createDevice, member, signup } from "./helpers";

const counter = (html: string, k: string) => new RegExp(`<b data-k="${k}">(\\d+)</b>`).exec(html)?.[1];

describe("broadcast pages", () => {
  it("list, compose and detail render from the business's data; controls follow the state", async () => {
    const t = await setup();
    await createDevice(t, "cloud_api");
    const fields = await call("/api/v1/contact-fields", { cookie: t.cookie, json: { key: "kota", label: "Kota", type: "text" } });
    expect(fields.status, fields.text).toBe(201);
    const compose = await call("/app/broadcasts/new", { cookie: t.cookie });
    expect(compose.status).toBe(200);
    expect(compose.text).toContain('id="bc-compose" data-tz="Asia/Jakarta"');
    expect(compose.text).toContain(`<option value="${t.deviceKey}">`);
    // Cloud API numbers broadcast templates only: not offered here.
    expect(compose.text).not.toContain("(cloud_api)");
    for (const l of [t.vip, t.pelanggan, t.blokir]) expect(compose.text).toContain(`name="labels_all" value="${l}"`);
    expect(compose.text).toContain("<code title=\"Kota\">{kota}</code>");
    expect(compose.text).toMatch(/\/app\/static\/broadcast-compose\.[0-9a-f]+\.js/);

    const b = await draft(t, { name: "Promo <b>Natal</b>" });
    const page = await call(`/app/broadcasts/${b.id}?lang=en`, { cookie: t.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Promo &lt;b&gt;Natal&lt;/b&gt;");
    expect(page.text).toContain('data-status="draft"');
    expect(page.text).toContain(`data-api="/api/v1/broadcasts/${b.id}/start"`);
    expect(page.text).not.toContain(`/api/v1/broadcasts/${b.id}/pause`);
    // A draft previews its first recipients' texts.
    expect(page.text).toMatch(/<pre class="msg">(Halo|Hai|Selamat pagi) Budi, ada (promo|diskon) untuk Anda!<\/pre>/);

    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, json: {} })).status).toBe(200);
    await drive(t, b.id);
    const done = await call(`/app/broadcasts/${b.id}?lang=en`, { cookie: t.cookie });
    expect(done.text).toContain('data-status="completed"');
    expect([counter(done.text, "total"), counter(done.text, "skipped"), counter(done.text, "pending")]).toEqual(["7", "3", "0"]);
    expect(Number(counter(done.text, "sent")) + Number(counter(done.text, "delivered")) + Number(counter(done.text, "read"))).toBe(4);
    expect(done.text).toContain("opted out: 1");
    expect(done.text).toContain('aria-valuenow="100"');
    expect(done.text).not.toContain(`/api/v1/broadcasts/${b.id}/cancel`);
    // The recipients table and its filter.
    expect(done.text.match(/<tr data-seq=/g)).toHaveLength(7);
    const skipped = await call(`/app/broadcasts/${b.id}?status=skipped&lang=en`, { cookie: t.cookie });
    expect(skipped.text.match(/<tr data-seq=/g)).toHaveLength(3);
    expect(skipped.text).toContain("not on WhatsApp");
    expect(skipped.text).toContain('<option value="skipped" selected="">');

    const list = await call("/app/broadcasts", { cookie: t.cookie });
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/app/broadcasts/${b.id}"`);
    expect(list.text).toContain("selesai");
    expect(list.text).toContain("100% · 4/7");
  });

  it("shows the auto-pause reason with resume; staff are refused; another tenant's broadcast is a 404", async () => {
    const t = await setup();
    const b = await draft(t, { schedule: { start_at: Date.now() + 3_600_000, window_start: "00:00", window_end: "00:00" } });
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, json: {} })).status).toBe(200);
    await env.DB.prepare("UPDATE broadcasts SET status = 'auto_paused', status_reason = 'failure_rate' WHERE id = ?").bind(b.id).run();
    const page = await call(`/app/broadcasts/${b.id}`, { cookie: t.cookie });
    expect(page.text).toContain('data-reason="failure_rate"');
    expect(page.text).toContain("terlalu banyak pesan gagal");
    expect(page.text).toContain(`data-api="/api/v1/broadcasts/${b.id}/resume"`);
    expect(page.text).toContain(`data-api="/api/v1/broadcasts/${b.id}/cancel"`);
    const list = await call("/app/broadcasts", { cookie: t.cookie });
    expect(list.text).toContain("dijeda otomatis");

    const staff = await member(t, "staff");
    expect((await call("/app/broadcasts", { cookie: staff.cookie })).status).toBe(403);
    expect((await call(`/app/broadcasts/${b.id}`, { cookie: staff.cookie })).status).toBe(403);
    const other = await signup("Toko Lain");
    const foreign = await call(`/app/broadcasts/${b.id}`, { cookie: other.cookie });
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain("Promo Desember");
    expect((await call("/app/broadcasts/not-a-uuid", { cookie: t.cookie })).status).toBe(404);
  });
});
