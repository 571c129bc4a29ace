// The dashboard's page scripts (dashboard-client/, bundled by esbuild) are served at versioned URLs with a year of
// caching; a page links the current version, and an old or unknown version never serves stale or foreign code.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { scriptUrl } from "../../worker/dashboard/static-scripts";
import { signup } from "./helpers";

const fetchApp = (path: string, init?: RequestInit) => app.request(`http://localhost:8787${path}`, init, env);

describe("dashboard page scripts", () => {
  it("serves the bundle at its versioned URL, immutable, and pages link that URL", async () => {
    const url = scriptUrl("app");
    expect(url).toMatch(/^\/app\/static\/app\.[0-9a-f]{12}\.js$/);
    const res = await fetchApp(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/javascript");
    expect(res.headers.get("cache-control")).toContain("immutable");
    const code = await res.text();
    expect(code).toContain("/api/v1/inbox/ws");

    const t = await signup();
    const page = await fetchApp("/app", { headers: { cookie: t.cookie } });
    expect(await page.text()).toContain(`src="${url}"`);
  });

  it("redirects an older version to the current one and 404s an unknown script", async () => {
    const old = await fetchApp("/app/static/app.000000000000.js", { redirect: "manual" });
    expect(old.status).toBe(302);
    expect(old.headers.get("location")).toBe(scriptUrl("app"));
    expect((await fetchApp("/app/static/nothing.000000000000.js")).status).toBe(404);
  });
});
