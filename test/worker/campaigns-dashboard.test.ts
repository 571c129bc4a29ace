// The campaigns pages in workerd: the list (filtered by label), the builder with its step templates and script,
// a campaign's funnel drawn as server-side bars from real enrollments, admins only, another tenant's a 404.
import { describe, expect, it } from "vitest";
import { setup } from "./broadcast-fixtures";
import { createCampaign, enrol, idsOf, sentCount } from "./campaign-fixtures";
import { call, member, signup } from "./helpers";

describe("campaigns dashboard", () => {
  it("lists campaigns, draws the builder and the funnel; staff and strangers are kept out", async () => {
    const t = await setup();
    const p = idsOf(t);
    const k = await createCampaign(t, { name: "Upsell Kopi", label_ids: [t.vip] });
    await createCampaign(t, { name: "Tanpa Label" }, false);
    await enrol(t, k.id, [p.budi, p.sari]);
    await sentCount(t.businessId, k.id, 2);

    const list = await call("/app/campaigns", { cookie: t.cookie });
    expect(list.status).toBe(200);
    expect(list.text).toContain("Campaign Upselling");
    expect(list.text).toContain("Upsell Kopi");
    expect(list.text).toContain("Tanpa Label");
    expect(list.text).toContain("data-campaign-builder");
    expect(list.text).toMatch(/<template data-step-template="condition">/);
    expect(list.text).toMatch(/\/app\/static\/campaign-builder\.[0-9a-f]{12}\.js/);
    const filtered = await call(`/app/campaigns?label_id=${t.vip}`, { cookie: t.cookie });
    expect(filtered.text).toContain("Upsell Kopi");
    expect(filtered.text).not.toContain("Tanpa Label");
    const en = await call("/app/campaigns?lang=en", { cookie: t.cookie });
    expect(en.text).toContain("Upselling campaigns");

    const detail = await call(`/app/campaigns/${k.id}`, { cookie: t.cookie });
    expect(detail.status).toBe(200);
    const funnel = /data-funnel[^>]*>([\s\S]*?)<\/svg>/.exec(detail.text)?.[1] ?? "";
    // Enrolled 2, step 1 (send) 2, step 2 (wait) 2, step 3 (send) 0, replied 0, left 0: each bar labelled with its count.
    const counts = [...funnel.matchAll(/<text[^>]*font-size="13"[^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(counts).toEqual([2, 2, 2, 0, 0, 0]);
    expect(funnel).toContain("Terdaftar");
    expect(funnel).toContain("Membalas");
    expect(detail.text).toContain("Nonaktifkan");

    const staff = await member(t, "staff");
    expect((await call("/app/campaigns", { cookie: staff.cookie })).status).toBe(403);
    const stranger = await signup("Toko Lain");
    expect((await call(`/app/campaigns/${k.id}`, { cookie: stranger.cookie })).status).toBe(404);
    expect((await call("/app/campaigns/not-a-uuid", { cookie: t.cookie })).status).toBe(404);
  });
});
