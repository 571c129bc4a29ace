import { describe, expect, it } from "vitest";
import { call, signup } from "./helpers";

describe("OpenAPI document and reference page", () => {
  it("describes every foundation route with its schemas", async () => {
    const res = await call("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const paths = Object.keys(res.body.paths);
    for (const p of ["/auth/signup", "/auth/login", "/auth/logout", "/me", "/api-keys", "/api-keys/{id}", "/users", "/users/{id}", "/devices", "/devices/{device_key}", "/settings"]) {
      expect(paths.some((x) => x.endsWith(p)), p).toBe(true);
    }
    const signupPath = Object.entries(res.body.paths).find(([k]) => k.endsWith("/auth/signup"))?.[1] as any;
    expect(signupPath.post.requestBody.content["application/json"].schema).toBeDefined();
    expect(res.body.components.schemas.Error).toBeDefined();
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("serves a readable reference at /api/docs", async () => {
    const res = await call("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain("/api/v1/openapi.json");
  });
});

describe("dashboard shell", () => {
  it("redirects to login without a session and renders login in Indonesian by default", async () => {
    const app = await call("/app/settings");
    expect(app.status).toBe(302);
    expect(app.headers.get("location")).toBe("/app/login");
    const login = await call("/app/login");
    expect(login.status).toBe(200);
    expect(login.text).toContain("Kata sandi");
    expect(login.text).toContain('lang="id"');
    const en = await call("/app/login?lang=en");
    expect(en.text).toContain("Password");
    expect(en.headers.get("set-cookie")).toContain("ping_lang=en");
  });

  it("settings page shows the business webhook URL with a copy button; navigation covers every module", async () => {
    const t = await signup("Toko Batik");
    const res = await call("/app/settings", { cookie: t.cookie });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`/webhook/${t.businessId}`);
    expect(res.text).toContain('data-copy="webhook-url"');
    for (const href of ["/app/inbox", "/app/contacts", "/app/devices", "/app/broadcasts", "/app/webhook-rules", "/app/webhook-logs", "/app/ai", "/app/livechat", "/app/users", "/app/api-keys"]) {
      expect(res.text).toContain(`href="${href}"`);
    }
  });

  it("devices, users and API keys pages list the business's own objects only", async () => {
    const a = await signup("Toko A");
    const b = await signup("Toko B");
    await call("/api/v1/devices", { json: { name: "Nomor CS Toko A", provider: "sandbox" }, cookie: a.cookie });
    const pageA = await call("/app/devices", { cookie: a.cookie });
    expect(pageA.text).toContain("Nomor CS Toko A");
    const pageB = await call("/app/devices", { cookie: b.cookie });
    expect(pageB.text).not.toContain("Nomor CS Toko A");
    expect((await call("/app/users", { cookie: a.cookie })).text).toContain("Budi");
    expect((await call("/app/api-keys", { cookie: a.cookie })).status).toBe(200);
  });
});
