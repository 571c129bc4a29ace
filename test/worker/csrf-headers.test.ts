// Issue 8 item 6: every cookie-authenticated write must come from the dashboard's own origin, whatever its
// Content-Type (403 CSRF_REJECTED); API-key requests are not cookie requests. Pages carry secureHeaders() with
// a nonce-based CSP. And a Worker missing a secret says which one (503 CONFIG_ERROR) instead of a 500.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { call, createApiKey, signup } from "./helpers";

const OWN = "http://localhost:8787";

describe("CSRF on cookie-authenticated writes", () => {
  it("refuses a cross-site JSON write, a form-encoded one and one with no Origin", async () => {
    const t = await signup();
    const attempts = [
      { origin: "https://evil.example", type: "application/json" },
      { origin: "https://evil.example", type: "text/plain" },
      { origin: "https://evil.example", type: "application/x-www-form-urlencoded" },
      { origin: "null", type: "application/json" },
      { origin: "", type: "application/json" },
      // Right Origin but the browser says the request came from another site.
      { origin: OWN, type: "application/json", site: "cross-site" },
      { origin: OWN, type: "application/json", site: "same-site" },
    ];
    for (const a of attempts) {
      const headers: Record<string, string> = { "content-type": a.type, origin: a.origin };
      if (a.site) headers["sec-fetch-site"] = a.site;
      const res = await call("/api/v1/api-keys", { raw: JSON.stringify({ name: "stolen" }), cookie: t.cookie, headers });
      expect(res.status, JSON.stringify(a)).toBe(403);
      expect(res.body.error_code).toBe("CSRF_REJECTED");
    }
    const keys = await call("/api/v1/api-keys", { cookie: t.cookie });
    expect(keys.body.items).toEqual([]);
  });

  it("lets the dashboard's own same-origin writes through, and API-key requests without any Origin", async () => {
    const t = await signup();
    const own = await call("/api/v1/api-keys", { json: { name: "mine" }, cookie: t.cookie, headers: { origin: OWN, "sec-fetch-site": "same-origin" } });
    expect(own.status).toBe(201);
    const key = await createApiKey(t, "server");
    const viaKey = await call("/api/v1/templates", { json: { name: "halo", body: "Halo {name}" }, key, headers: { origin: "https://elsewhere.example" } });
    expect(viaKey.status).toBe(201);
    // A cookie riding along with a Bearer request does not make it a cookie request.
    const both = await call("/api/v1/templates", { json: { name: "halo2", body: "Halo" }, key, cookie: t.cookie, headers: { origin: "https://elsewhere.example" } });
    expect(both.status).toBe(201);
  });

  it("logout is a cookie write too", async () => {
    const t = await signup();
    const forced = await call("/api/v1/auth/logout", { method: "POST", cookie: t.cookie, headers: { origin: "https://evil.example" } });
    expect(forced.status).toBe(403);
    expect((await call("/api/v1/me", { cookie: t.cookie })).status).toBe(200);
  });
});

describe("page headers", () => {
  it("dashboard pages carry a nonce CSP without unsafe-inline script, frame-ancestors 'none', HSTS and Referrer-Policy", async () => {
    const t = await signup();
    const res = await call("/app/webhook-rules", { cookie: t.cookie });
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? "";
    expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    expect(res.headers.get("referrer-policy")).toBeTruthy();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    // Page scripts are bundles from dashboard-client/ (src on 'self'): the page has no inline script left, and any
    // that comes back must carry this response's nonce.
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
    const inline = [...res.text.matchAll(/<script(?![^>]*\bsrc=)(?![^>]*application\/json)([^>]*)>/g)];
    for (const m of inline) expect(m[1]).toContain(`nonce="${nonce}"`);
    expect(res.text).toMatch(/<script src="\/app\/static\/rule-editor\.[0-9a-f]{12}\.js"/);
    // A fresh nonce per response.
    const again = await call("/app/webhook-rules", { cookie: t.cookie });
    expect(again.headers.get("content-security-policy")).not.toBe(csp);
  });

  it("the login page and the API reference carry them too", async () => {
    for (const path of ["/app/login", "/api/docs"]) {
      const res = await call(path);
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
    }
  });
});

describe("missing secrets", () => {
  for (const name of ["SECRETS_KEY", "GATEWAY_SECRETS", "PLATFORM_ADMIN_TOKEN"] as const) {
    it(`answers 503 CONFIG_ERROR naming ${name}, never its value`, async () => {
      const broken = { ...env, [name]: undefined };
      const res = await app.fetch(new Request("https://ping.test/api/v1/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }), broken);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error_code: string; message: string };
      expect(body.error_code).toBe("CONFIG_ERROR");
      expect(body.message).toContain(name);
      for (const other of ["SECRETS_KEY", "GATEWAY_SECRETS", "PLATFORM_ADMIN_TOKEN"] as const) {
        const value = env[other];
        if (typeof value === "string") expect(JSON.stringify(body)).not.toContain(value);
      }
    });
  }
});
