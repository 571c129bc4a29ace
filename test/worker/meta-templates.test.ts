// Meta message templates of a cloud_api device, synced from the local Graph server (Meta's documented paging and
// errors, test/worker/meta-templates-server.ts): every page followed by cursor against the configured base, only
// APPROVED (and text-only) templates selectable, a re-sync replacing the set, errors as 4xx, tenancy as 404.
import { describe, expect, it } from "vitest";
import { call, createDevice, member, signup } from "./helpers";
import { cloudDevice, configure, fillers, IMAGE_HEADER, NAMED, newWaba, PENDING, PROMO, REJECTED, serveTemplates } from "./meta-template-fixtures";
import { LOCAL_GRAPH_TOKEN, records } from "./servers";

type Listed = { name: string; language: string; status: string; selectable: boolean; not_selectable_reason: string | null; body_variables: string[]; header_variables: string[]; components: unknown[] };

describe("Meta template sync", () => {
  it("follows every page by its cursor, stores all statuses, and marks only approved text templates selectable", async () => {
    const t = await signup();
    const waba = newWaba();
    const key = await cloudDevice(t, waba);
    await serveTemplates(waba, [PROMO, NAMED, IMAGE_HEADER, PENDING, REJECTED, ...fillers(200)]);
    const r = await call(`/api/v1/devices/${key}/templates/sync`, { method: "POST", cookie: t.cookie });
    expect(r.status, r.text).toBe(200);
    expect(r.body.synced).toBe(205);
    // PROMO, NAMED, IMAGE_HEADER and every third filler (0, 3, …, 198: 67 of them).
    expect(r.body.approved).toBe(3 + 67);

    // Three pages of 100, the 2nd and 3rd asked by the `after` cursor of the one before, with the token.
    const calls = await records<{ query: Record<string, string>; authorization: string }>(`graph-templates:${waba}`);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.authorization)).toEqual(Array(3).fill(`Bearer ${LOCAL_GRAPH_TOKEN}`));
    expect(calls[0]?.query).toEqual({ fields: "name,language,status,category,components", limit: "100" });
    expect(calls[1]?.query.after).toBeTruthy();
    expect(calls[2]?.query.after).toBeTruthy();
    expect(calls[2]?.query.after).not.toBe(calls[1]?.query.after);

    const list = await call(`/api/v1/devices/${key}/templates`, { cookie: t.cookie });
    expect(list.status).toBe(200);
    const byName = new Map((list.body.items as Listed[]).map((i) => [i.name, i]));
    expect(byName.size).toBe(205);
    expect(byName.get("promo_desember")).toMatchObject({ language: "id", status: "APPROVED", selectable: true, body_variables: ["1", "2"], header_variables: ["1"], components: PROMO.components });
    expect(byName.get("sapa_nama")).toMatchObject({ selectable: true, body_variables: ["first_name"] });
    expect(byName.get("promo_gambar")).toMatchObject({ status: "APPROVED", selectable: false, not_selectable_reason: expect.stringMatching(/image header/) });
    expect(byName.get("menunggu")).toMatchObject({ status: "PENDING", selectable: false, not_selectable_reason: "status PENDING" });
    expect(byName.get("ditolak")).toMatchObject({ language: "en_US", status: "REJECTED", selectable: false });
    expect(byName.get("filler_001")).toMatchObject({ status: "PAUSED", selectable: false });

    const approved = await call(`/api/v1/devices/${key}/templates?status=APPROVED`, { cookie: t.cookie });
    expect(approved.body.items).toHaveLength(70);
    expect((approved.body.items as Listed[]).every((i) => i.status === "APPROVED")).toBe(true);
    expect((await call(`/api/v1/devices/${key}/templates?status=approved`, { cookie: t.cookie })).status).toBe(400);
  });

  it("the device page lists the synced templates, with the sync button for admins only", async () => {
    const t = await signup();
    const waba = newWaba();
    const key = await cloudDevice(t, waba);
    const empty = await call(`/app/devices/${key}`, { cookie: t.cookie });
    expect(empty.text).toContain("Belum ada template");
    await serveTemplates(waba, [PROMO, PENDING, IMAGE_HEADER]);
    expect((await call(`/api/v1/devices/${key}/templates/sync`, { method: "POST", cookie: t.cookie })).status).toBe(200);
    const page = await call(`/app/devices/${key}`, { cookie: t.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Template Meta");
    expect(page.text).toContain(`data-api="/api/v1/devices/${key}/templates/sync"`);
    for (const name of ["promo_desember", "menunggu", "promo_gambar"]) expect(page.text).toContain(`<code>${name}</code>`);
    expect(page.text).toContain("status PENDING");
    expect(page.text).toContain("header {{1}}, {{1}}, {{2}}");
    expect((await call(`/app/devices/${key}?lang=en`, { cookie: t.cookie })).text).toContain("Sync templates");
    const staff = await member(t, "staff");
    const asStaff = await call(`/app/devices/${key}`, { cookie: staff.cookie });
    expect(asStaff.text).toContain("<code>promo_desember</code>");
    expect(asStaff.text).not.toContain("templates/sync");
    expect((await call(`/api/v1/devices/${key}/templates/sync`, { method: "POST", cookie: staff.cookie })).status).toBe(403);
  });

  it("a re-sync updates changed templates, adds new ones and drops the ones Meta no longer lists", async () => {
    const t = await signup();
    const waba = newWaba();
    const key = await cloudDevice(t, waba);
    await serveTemplates(waba, [PROMO, NAMED, PENDING]);
    expect((await call(`/api/v1/devices/${key}/templates/sync`, { method: "POST", cookie: t.cookie })).body.approved).toBe(2);

    const changedBody = { type: "BODY", text: "Halo {{1}}, diskon {{2}} persen!" };
    await serveTemplates(waba, [
      { ...PROMO, status: "PAUSED" },
      { ...PENDING, status: "APPROVED", components: [changedBody] },
      { id: "1006", name: "baru", language: "en_US", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "New {{1}}" }] },
    ]);
    const r = await call(`/api/v1/devices/${key}/templates/sync`, { method: "POST", cookie: t.cookie });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ synced: 3, approved: 2 });
    const items = r.body.items as Listed[];
    expect(items.map((i) => `${i.name}/${i.language}/${i.status}`).sort()).toEqual(["baru/en_US/APPROVED", "menunggu/id/APPROVED", "promo_desember/id/PAUSED"]);
    expect(items.find((i) => i.name === "menunggu")).toMatchObject({ selectable: true, components: [changedBody], body_variables: ["1", "2"] });
    expect(items.find((i) => i.name === "promo_desember")?.selectable).toBe(false);
  });

  it("refuses devices and accounts it cannot sync with a 4xx, and hides another business's device", async () => {
    const t = await signup();
    const sandbox = await createDevice(t, "sandbox");
    const unconfigured = (await createDevice(t, "cloud_api")).device_key;
    const sync = (key: string, cookie = t.cookie) => call(`/api/v1/devices/${key}/templates/sync`, { method: "POST", cookie });
    const expectError = async (key: string, status: number, code: string) => {
      const r = await sync(key);
      expect(r.status, `${code}: ${r.text}`).toBe(status);
      expect(r.body.error_code).toBe(code);
    };
    await expectError(sandbox.device_key, 400, "NOT_A_CLOUD_API_DEVICE");
    await expectError(unconfigured, 409, "CLOUD_API_NOT_CONFIGURED");
    await expectError(crypto.randomUUID(), 404, "NOT_FOUND");
    const waba = newWaba();
    await serveTemplates(waba, [PROMO]);
    const key = await cloudDevice(t, null);
    await expectError(key, 400, "WABA_ID_REQUIRED");
    await configure(t, key, newWaba()); // an account Meta does not know (or the token may not read)
    await expectError(key, 422, "GRAPH_API_REJECTED");
    await configure(t, key, waba, "EAAwrong-token-value");
    await expectError(key, 422, "GRAPH_API_REJECTED");
    const bad = await call(`/api/v1/devices/${key}/cloud-api`, { method: "PUT", cookie: t.cookie, json: { phone_number_id: "200000000000001", access_token: LOCAL_GRAPH_TOKEN, app_secret: "app-secret-for-tests", verify_token: "verify-token-for-tests", waba_id: "abc" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("VALIDATION_ERROR");
    expect((await call(`/api/v1/devices/${key}/templates`, { cookie: t.cookie })).body.items).toEqual([]);

    await configure(t, key, waba);
    const good = key;
    expect((await sync(good)).status).toBe(200);
    const other = await signup("Toko Lain");
    expect((await sync(good, other.cookie)).status).toBe(404);
    expect((await call(`/api/v1/devices/${good}/templates`, { cookie: other.cookie })).status).toBe(404);
    expect((await call(`/api/v1/devices/${good}/templates`, { cookie: t.cookie })).body.items).toHaveLength(1);
  });
});
