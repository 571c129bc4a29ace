// Campaign send steps beyond text (issue 11: "send a message or template"): a saved template on a sandbox device
// and an approved Meta template on a cloud_api device (synced from the local Graph server, sent as Meta's template
// body), each resolved into the stored step when the campaign is saved; text on a cloud_api device is refused.
import { describe, expect, it } from "vitest";
import { contact, label, setup } from "./broadcast-fixtures";
import { ALL_DAY, campaignMessages, enrol, sentCount, turn } from "./campaign-fixtures";
import { call, eventually, signup } from "./helpers";
import { cloudDevice, newWaba, PHONE_NUMBER_ID, PROMO, PROMO_MESSAGE, serveTemplates } from "./meta-template-fixtures";
import { records } from "./servers";

describe("campaign send steps: saved and Meta templates", () => {
  it("a saved template step renders its body as saved with the campaign; editing the template later changes nothing sent", async () => {
    const t = await setup();
    const tpl = await call("/api/v1/templates", { cookie: t.cookie, json: { name: "terima kasih", body: "Terima kasih {name}, pesanan Anda kami proses." } });
    expect(tpl.status, tpl.text).toBe(201);
    const k = await call("/api/v1/campaigns", {
      cookie: t.cookie,
      json: { name: "Template", device_key: t.deviceKey, trigger: { type: "manual" }, window: ALL_DAY, steps: [{ type: "send", message: { type: "template", template_id: tpl.body.id, variable_defaults: { name: "Kak" } } }] },
    });
    expect(k.status, k.text).toBe(201);
    expect(k.body.steps[0].message.resolved).toEqual({ name: "terima kasih", body: "Terima kasih {name}, pesanan Anda kami proses." });
    // The saved template changes after the campaign was saved: the campaign sends what it was saved with.
    expect((await call(`/api/v1/templates/${tpl.body.id}`, { cookie: t.cookie, method: "PATCH", json: { body: "Teks baru {name}" } })).status).toBe(200);
    expect((await call(`/api/v1/campaigns/${k.body.id}/activate`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    const budi = await contact(t, { phone: "081277770001", name: "Budi" });
    await enrol(t, k.body.id, [budi]);
    await turn(t.businessId);
    const [sent] = await sentCount(t.businessId, k.body.id, 1);
    expect(sent?.text).toBe("Terima kasih Budi, pesanan Anda kami proses.");

    // An unknown template is refused when the campaign is saved.
    const bad = await call("/api/v1/campaigns", {
      cookie: t.cookie,
      json: { name: "x", device_key: t.deviceKey, trigger: { type: "manual" }, window: ALL_DAY, steps: [{ type: "send", message: { type: "template", template_id: crypto.randomUUID() } }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("UNKNOWN_TEMPLATE");
  });

  it("a cloud_api campaign sends an approved Meta template with parameters from the contact; text is refused there", async () => {
    const t = await signup();
    const waba = newWaba();
    const deviceKey = await cloudDevice(t, waba);
    await serveTemplates(waba, [PROMO]);
    expect((await call(`/api/v1/devices/${deviceKey}/templates/sync`, { method: "POST", cookie: t.cookie })).status).toBe(200);
    expect((await call("/api/v1/contact-fields", { cookie: t.cookie, json: { key: "kota", label: "Kota", type: "text" } })).status).toBe(201);
    const base = { name: "Meta", device_key: deviceKey, trigger: { type: "manual" }, window: ALL_DAY };
    const text = await call("/api/v1/campaigns", { cookie: t.cookie, json: { ...base, steps: [{ type: "send", message: { texts: ["Halo {name}"] } }] } });
    expect(text.status).toBe(400);
    expect(text.body.error_code).toBe("TEMPLATE_REQUIRED");

    const k = await call("/api/v1/campaigns", { cookie: t.cookie, json: { ...base, steps: [{ type: "send", message: PROMO_MESSAGE }] } });
    expect(k.status, k.text).toBe(201);
    expect((await call(`/api/v1/campaigns/${k.body.id}/activate`, { cookie: t.cookie, method: "POST" })).status).toBe(200);
    await label(t, "Pelanggan");
    const phone = `0812${Math.floor(1e6 + Math.random() * 8e6)}2`;
    const budi = await contact(t, { phone, name: "Budi", custom_fields: { kota: "Bandung" } });
    await enrol(t, k.body.id, [budi]);
    await turn(t.businessId);
    const to = `62${phone.slice(1)}`;
    const got = await eventually(async () => {
      const r = (await records<{ to: string; type: string; template?: unknown }>(`graph:${PHONE_NUMBER_ID}`)).filter((m) => m.to === to);
      return r.length > 0 && r;
    }, 8000, "the template message at the local Graph server");
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      type: "template",
      template: {
        name: "promo_desember",
        language: { code: "id" },
        components: [
          { type: "header", parameters: [{ type: "text", text: "Desember" }] },
          { type: "body", parameters: [{ type: "text", text: "Budi" }, { type: "text", text: "Bandung" }] },
        ],
      },
    });
    const rows = await campaignMessages(t.businessId, k.body.id);
    expect(rows).toHaveLength(1);
    // A second turn sends nothing more (the enrollment completed; the key guards a replay).
    await turn(t.businessId);
    expect((await records<{ to: string }>(`graph:${PHONE_NUMBER_ID}`)).filter((m) => m.to === to)).toHaveLength(1);
  });
});
