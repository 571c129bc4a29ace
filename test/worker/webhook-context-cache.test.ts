import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { forgetWebhookContext, MAX_AGE_MS, REFRESH_AFTER_MS, webhookContext } from "../../worker/webhooks/context-cache";
import { createRule, tenantWithDevice } from "./webhook-fixtures";

describe("webhook context cache", () => {
  it("serves a fresh entry, refreshes a stale one in the background, never serves one past its max age", async () => {
    const t = await tenantWithDevice();
    await createRule(t, { name: "satu" });
    const db = env.DB;
    const pending: Promise<unknown>[] = [];
    const waitUntil = (p: Promise<unknown>) => pending.push(p);
    const t0 = Date.now();
    forgetWebhookContext(t.businessId);
    expect((await webhookContext(db, t.businessId, waitUntil, t0)).rules.map((r) => r.name)).toEqual(["satu"]);

    // A change made elsewhere (another isolate): not seen while fresh…
    await env.DB.prepare("UPDATE webhook_rules SET name = 'dua' WHERE business_id = ?").bind(t.businessId).run();
    expect((await webhookContext(db, t.businessId, waitUntil, t0 + 1000)).rules[0]?.name).toBe("satu");
    expect(pending).toHaveLength(0);
    // …served stale once past REFRESH_AFTER_MS while exactly one refresh runs…
    expect((await webhookContext(db, t.businessId, waitUntil, t0 + REFRESH_AFTER_MS)).rules[0]?.name).toBe("satu");
    expect((await webhookContext(db, t.businessId, waitUntil, t0 + REFRESH_AFTER_MS + 1)).rules[0]?.name).toBe("satu");
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    // …and the refreshed value afterwards.
    expect((await webhookContext(db, t.businessId, waitUntil, t0 + REFRESH_AFTER_MS + 2)).rules[0]?.name).toBe("dua");

    // Past MAX_AGE_MS the entry is reloaded before answering.
    await env.DB.prepare("UPDATE webhook_rules SET name = 'tiga' WHERE business_id = ?").bind(t.businessId).run();
    expect((await webhookContext(db, t.businessId, waitUntil, t0 + REFRESH_AFTER_MS + MAX_AGE_MS + 1)).rules[0]?.name).toBe("tiga");
    // forget() drops it at once.
    await env.DB.prepare("UPDATE webhook_rules SET name = 'empat' WHERE business_id = ?").bind(t.businessId).run();
    forgetWebhookContext(t.businessId);
    expect((await webhookContext(db, t.businessId, waitUntil, t0 + REFRESH_AFTER_MS + MAX_AGE_MS + 2)).rules[0]?.name).toBe("empat");
  });
});
