// Dashboard pages of the messaging module render real data, in Bahasa Indonesia by default and in English.
import { describe, expect, it } from "vitest";
import { call, createDevice, eventually, member, signup } from "./helpers";

describe("messaging dashboard pages", () => {
  it("device page: status, pacing settings, webhook secret, sandbox chat with both sides of the conversation", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    await call(`/api/v1/devices/${d.device_key}/sandbox/inbound`, { json: { from: "081234567890", name: "Rina", text: "Halo kak, masih buka?" }, cookie: t.cookie });
    const sent = await call("/api/v1/messages", { json: { device_key: d.device_key, to: "081234567890", text: "Masih kak, silakan" }, cookie: t.cookie });
    await eventually(async () => (await call(`/api/v1/messages/${sent.body.id}`, { cookie: t.cookie })).body.status === "delivered", 8000, "delivered");
    const page = await call(`/app/devices/${d.device_key}`, { cookie: t.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Chat sandbox");
    expect(page.text).toContain("Halo kak, masih buka?");
    expect(page.text).toContain("Masih kak, silakan");
    expect(page.text).toContain("Pengaturan kecepatan kirim");
    expect(page.text).toContain(d.webhook_secret);
    const en = await call(`/app/devices/${d.device_key}?lang=en`, { cookie: t.cookie });
    expect(en.text).toContain("Sandbox chat");
    expect(en.text).toContain("Sending pace");
    // Staff see the device but not its secret.
    const staff = await member(t, "staff");
    const asStaff = await call(`/app/devices/${d.device_key}`, { cookie: staff.cookie });
    expect(asStaff.status).toBe(200);
    expect(asStaff.text).not.toContain(d.webhook_secret);
    const other = await signup("Toko Lain");
    expect((await call(`/app/devices/${d.device_key}`, { cookie: other.cookie })).status).toBe(404);
  });

  it("messages list shows status and filters; templates page lists templates", async () => {
    const t = await signup();
    await createDevice(t, "sandbox");
    await call("/api/v1/messages", { json: { to: "081298765432", text: "Paket sudah dikirim" }, cookie: t.cookie });
    const list = await call("/app/messages", { cookie: t.cookie });
    expect(list.status).toBe(200);
    expect(list.text).toContain("Paket sudah dikirim");
    expect(list.text).toContain("6281298765432");
    const filtered = await call("/app/messages?status=failed", { cookie: t.cookie });
    expect(filtered.text).not.toContain("Paket sudah dikirim");
    // The filter form keeps the chosen status selected, and only that one.
    expect(filtered.text).toMatch(/<option value="failed" selected/);
    expect(filtered.text).not.toMatch(/<option value="delivered" selected/);
    await call("/api/v1/templates", { json: { name: "resi", body: "Resi {resi} untuk {name}" }, cookie: t.cookie });
    const tpl = await call("/app/templates", { cookie: t.cookie });
    expect(tpl.status).toBe(200);
    expect(tpl.text).toContain("Resi {resi} untuk {name}");
    expect(tpl.text).toContain("{resi}, {name}");
  });
});
