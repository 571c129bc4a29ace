import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, freshIp, signup } from "./helpers";

function expectError(res: { status: number; body: any; text: string }, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body).toMatchObject({ status: "error", error_code: code, message: expect.any(String) });
  expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
}

describe("bad input never yields a 500", () => {
  it("malformed JSON", async () => {
    expectError(await call("/api/v1/auth/signup", { raw: '{"business_name": "x",', headers: { "cf-connecting-ip": freshIp() } }), 400, "INVALID_JSON");
    expectError(await call("/api/v1/auth/login", { raw: "not json" }), 400, "INVALID_JSON");
  });

  it("wrong content type", async () => {
    expectError(await call("/api/v1/auth/login", { raw: "email=a", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("wrong types and missing fields name the field", async () => {
    const res = await call("/api/v1/auth/signup", { json: { business_name: 42, name: "x", email: "a@b.co", password: "12345678" }, headers: { "cf-connecting-ip": freshIp() } });
    expectError(res, 400, "VALIDATION_ERROR");
    expect(res.body.message).toContain("business_name");
    const missing = await call("/api/v1/auth/login", { json: { email: "a@b.co" } });
    expectError(missing, 400, "VALIDATION_ERROR");
    expect(missing.body.details[0].path).toBe("password");
    expectError(await call("/api/v1/auth/signup", { json: { business_name: "x", name: "x", email: "not-an-email", password: "12345678" }, headers: { "cf-connecting-ip": freshIp() } }), 400, "VALIDATION_ERROR");
    expectError(await call("/api/v1/auth/signup", { json: { business_name: "x", name: "x", email: "a@b.co", password: "short" }, headers: { "cf-connecting-ip": freshIp() } }), 400, "VALIDATION_ERROR");
    expectError(await call("/api/v1/auth/login", { json: [1, 2, 3] }), 400, "VALIDATION_ERROR");
    expectError(await call("/api/v1/auth/login", { json: null }), 400, "VALIDATION_ERROR");
  });

  it("unknown fields are refused where they matter", async () => {
    const t = await signup();
    const res = await call("/api/v1/settings", { method: "PATCH", json: { name: "ok", business_id: "someone-else" }, cookie: t.cookie });
    expectError(res, 400, "VALIDATION_ERROR");
    const dev = await call("/api/v1/devices", { json: { name: "x", provider: "sandbox", business_id: "x" }, cookie: t.cookie });
    expectError(dev, 400, "VALIDATION_ERROR");
    const role = await call("/api/v1/users", { json: { email: "x@y.co", name: "x", role: "owner" }, cookie: t.cookie });
    expectError(role, 400, "VALIDATION_ERROR");
  });

  it("oversize bodies are refused before parsing", async () => {
    const big = JSON.stringify({ email: "a@b.co", password: "x".repeat(Number(env.MAX_BODY_BYTES)) });
    expectError(await call("/api/v1/auth/login", { raw: big }), 413, "PAYLOAD_TOO_LARGE");
  });

  it("bad UUIDs and bad cursors are 400, unknown ids 404", async () => {
    const t = await signup();
    expectError(await call("/api/v1/devices/not-a-uuid", { cookie: t.cookie }), 400, "VALIDATION_ERROR");
    expectError(await call("/api/v1/users/123", { method: "DELETE", cookie: t.cookie }), 400, "VALIDATION_ERROR");
    expectError(await call(`/api/v1/devices/${crypto.randomUUID()}`, { cookie: t.cookie }), 404, "NOT_FOUND");
    expectError(await call("/api/v1/devices?cursor=%%%", { cookie: t.cookie }), 400, "INVALID_CURSOR");
    expectError(await call("/api/v1/devices?limit=100000", { cookie: t.cookie }), 400, "VALIDATION_ERROR");
  });

  it("bad settings values are precise", async () => {
    const t = await signup();
    const tz = await call("/api/v1/settings", { method: "PATCH", json: { timezone: "Mars/Olympus" }, cookie: t.cookie });
    expectError(tz, 400, "VALIDATION_ERROR");
    expect(tz.body.message).toContain("timezone");
    expectError(await call("/api/v1/settings", { method: "PATCH", json: { country: "XX" }, cookie: t.cookie }), 400, "VALIDATION_ERROR");
  });

  it("webhook URLs pointing inside are refused", async () => {
    const t = await signup();
    for (const url of ["http://10.0.0.5/hook", "http://169.254.169.254/latest", "ftp://example.com/x", "http://192.168.1.2/", "http://[fd00::1]/"]) {
      const res = await call("/api/v1/devices", { json: { name: "x", provider: "sandbox", webhook_url: url }, cookie: t.cookie });
      expectError(res, 400, "INVALID_WEBHOOK_URL");
    }
    const ok = await call("/api/v1/devices", { json: { name: "x", provider: "sandbox", webhook_url: "https://example.com/hook" }, cookie: t.cookie });
    expect(ok.status).toBe(201);
  });

  it("unauthenticated and bad bearer", async () => {
    expectError(await call("/api/v1/me"), 401, "UNAUTHORIZED");
    expectError(await call("/api/v1/me", { headers: { authorization: "Basic abc" } }), 401, "UNAUTHORIZED");
    expectError(await call("/api/v1/me", { key: "pk_nope" }), 401, "INVALID_API_KEY");
    expectError(await call("/api/v1/me", { cookie: "ping_session=forged" }), 401, "UNAUTHORIZED");
  });

  it("unknown routes are JSON 404s", async () => {
    const t = await signup();
    expectError(await call("/api/v1/nope", { cookie: t.cookie }), 404, "NOT_FOUND");
    expectError(await call("/nowhere"), 404, "NOT_FOUND");
  });
});
