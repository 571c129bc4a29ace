import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, cookieFrom, freshIp, signup, uniqueEmail } from "./helpers";

describe("sign-up, login, logout", () => {
  it("sign-up creates a business and its super admin with a secure session cookie", async () => {
    const email = uniqueEmail();
    const res = await call("/api/v1/auth/signup", {
      json: { business_name: "Toko Sejahtera", name: "Sari", email, password: "kata-sandi-aman" },
      headers: { "cf-connecting-ip": freshIp() },
    });
    expect(res.status).toBe(201);
    expect(res.body.business_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.user).toMatchObject({ email, name: "Sari", role: "super_admin", business_id: res.body.business_id });
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    const me = await call("/api/v1/me", { cookie: cookieFrom(res) });
    expect(me.status).toBe(200);
    expect(me.body.business).toMatchObject({ id: res.body.business_id, name: "Toko Sejahtera", timezone: "Asia/Jakarta", package_active: true });

    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE email = ?").bind(email).first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^pbkdf2_sha256\$100000\$/);
    expect(row?.password_hash).not.toContain("kata-sandi-aman");
  });

  it("refuses a second sign-up with the same email (any case)", async () => {
    const t = await signup();
    const res = await call("/api/v1/auth/signup", {
      json: { business_name: "X", name: "Y", email: t.email.toUpperCase(), password: "another-password" },
      headers: { "cf-connecting-ip": freshIp() },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: "error", error_code: "EMAIL_TAKEN" });
  });

  it("login with the right password gives a session; wrong password is 401", async () => {
    const t = await signup();
    const bad = await call("/api/v1/auth/login", { json: { email: t.email, password: "wrong-password" }, headers: { "cf-connecting-ip": freshIp() } });
    expect(bad.status).toBe(401);
    expect(bad.body.error_code).toBe("INVALID_CREDENTIALS");
    const unknown = await call("/api/v1/auth/login", { json: { email: uniqueEmail("nobody"), password: "x" }, headers: { "cf-connecting-ip": freshIp() } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error_code).toBe("INVALID_CREDENTIALS");
    const ok = await call("/api/v1/auth/login", { json: { email: t.email, password: t.password }, headers: { "cf-connecting-ip": freshIp() } });
    expect(ok.status).toBe(200);
    const me = await call("/api/v1/me", { cookie: cookieFrom(ok) });
    expect(me.body.user.id).toBe(t.userId);
  });

  it("logout ends the session", async () => {
    const t = await signup();
    expect((await call("/api/v1/me", { cookie: t.cookie })).status).toBe(200);
    const out = await call("/api/v1/auth/logout", { method: "POST", cookie: t.cookie });
    expect(out.status).toBe(200);
    const me = await call("/api/v1/me", { cookie: t.cookie });
    expect(me.status).toBe(401);
    expect(me.body.error_code).toBe("UNAUTHORIZED");
  });

  it("limits sign-ups per IP with 429 and Retry-After", async () => {
    const ip = "198.51.100.77";
    const statuses: number[] = [];
    // 10 per wall-clock minute (wrangler.toml). The limiter's windows are aligned to the clock, so a run can
    // straddle a boundary and split between two windows: keep going until it bites — some window sees its 11th
    // sign-up within 21 — and every one before that was accepted.
    while (!statuses.includes(429) && statuses.length < 22) {
      const r = await call("/api/v1/auth/signup", {
        json: { business_name: `Toko ${statuses.length}`, name: "A", email: uniqueEmail("burst"), password: "password-123" },
        headers: { "cf-connecting-ip": ip },
      });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.headers.get("retry-after")).toBe("60");
        expect(r.body.error_code).toBe("RATE_LIMITED");
      }
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 201)).toBe(true);
    expect(statuses.length).toBeGreaterThanOrEqual(11);
    // The next one in the same window is refused too.
    const again = await call("/api/v1/auth/signup", {
      json: { business_name: "Toko lagi", name: "A", email: uniqueEmail("burst"), password: "password-123" },
      headers: { "cf-connecting-ip": ip },
    });
    expect(again.status).toBe(429);
  });
});
