import { describe, expect, it } from "vitest";
import { scriptUrl } from "../../worker/dashboard/static-scripts";
import { call, member } from "./helpers";
import { createRule, postWebhook, scalevEvent, tenantWithDevice } from "./webhook-fixtures";

describe("webhook dashboard pages", () => {
  it("rules page lists rules in firing order and opens the editor with the rule and a sample payload", async () => {
    const t = await tenantWithDevice();
    const second = await createRule(t, { name: "Kedua", priority: 50 });
    await createRule(t, { name: "Pertama", priority: 1 });
    const res = await call("/app/webhook-rules", { cookie: t.cookie });
    expect(res.status).toBe(200);
    expect(res.text.indexOf("Pertama")).toBeLessThan(res.text.indexOf("Kedua"));
    expect(res.text).toContain("Tambah Rule");
    expect(res.text).toContain("250130JQHFZG");
    // The editor's script (dashboard-client/rule-editor.ts, served at its versioned URL) previews through the test route.
    expect(res.text).toContain(`src="${scriptUrl("rule-editor")}"`);
    expect((await call(scriptUrl("rule-editor"))).text).toContain("/api/v1/webhook-rules/test");
    const edit = await call(`/app/webhook-rules?id=${second.id}&lang=en`, { cookie: t.cookie });
    expect(edit.text).toContain("Edit rule: Kedua");
    expect(edit.text).toContain(`"ruleId":"${second.id}"`);
  });

  it("escapes user text: a rule name or payload cannot inject markup", async () => {
    const t = await tenantWithDevice();
    await createRule(t, { name: "<img src=x onerror=alert(1)>", template: "</script><script>alert(2)</script>" });
    await postWebhook(t.businessId, { ...scalevEvent("xss"), note: "</script><b>x</b>" });
    const rules = await call("/app/webhook-rules", { cookie: t.cookie });
    expect(rules.text).not.toContain("<img src=x");
    expect(rules.text).toContain("&lt;img src=x onerror=alert(1)&gt;");
    const logs = await call("/app/webhook-logs", { cookie: t.cookie });
    expect(logs.text).not.toContain("</script><b>x</b>");
  });

  it("logs page shows the seed's columns, filters and the retention", async () => {
    const t = await tenantWithDevice();
    await createRule(t, {});
    await postWebhook(t.businessId, scalevEvent("dash-1"));
    await postWebhook(t.businessId, { event: "lain" });
    const res = await call("/app/webhook-logs?lang=id", { cookie: t.cookie });
    expect(res.status).toBe(200);
    for (const col of ["Waktu", "Source", "Status", "Rule", "Pesan/Error"]) expect(res.text).toContain(`<th>${col}</th>`);
    expect(res.text).toContain("Log disimpan selama 30 hari");
    expect(res.text).toContain("Order baru");
    const filtered = await call("/app/webhook-logs?status=no_match&lang=en", { cookie: t.cookie });
    expect(filtered.text).toContain("No match");
    expect(filtered.text).not.toContain("Order baru</td>");
  });

  it("staff cannot open the webhook pages; settings show the webhook URL", async () => {
    const t = await tenantWithDevice();
    const staff = await member(t, "staff");
    expect((await call("/app/webhook-rules", { cookie: staff.cookie })).status).toBe(403);
    expect((await call("/app/webhook-logs", { cookie: staff.cookie })).status).toBe(403);
    const settings = await call("/app/settings", { cookie: t.cookie });
    expect(settings.text).toContain(`/webhook/${t.businessId}`);
    expect(settings.text).toContain('name="webhook_log_retention_days"');
  });
});
