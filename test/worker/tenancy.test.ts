import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DAY_MS, GRACE_DAYS } from "../../worker/billing/policy";
import { call, createApiKey, member, signup } from "./helpers";

describe("roles", () => {
  it("staff can read but not configure; admin configures devices but not users or keys", async () => {
    const owner = await signup();
    const admin = await member(owner, "admin");
    const staff = await member(owner, "staff");

    expect((await call("/api/v1/devices", { cookie: staff.cookie })).status).toBe(200);
    const staffCreate = await call("/api/v1/devices", { json: { name: "CS", provider: "sandbox" }, cookie: staff.cookie });
    expect(staffCreate.status).toBe(403);
    expect(staffCreate.body.error_code).toBe("FORBIDDEN");
    expect((await call("/api/v1/settings", { method: "PATCH", json: { name: "X" }, cookie: staff.cookie })).status).toBe(403);

    const adminCreate = await call("/api/v1/devices", { json: { name: "CS", provider: "sandbox" }, cookie: admin.cookie });
    expect(adminCreate.status).toBe(201);
    expect((await call("/api/v1/users", { cookie: admin.cookie })).status).toBe(403);
    expect((await call("/api/v1/api-keys", { cookie: admin.cookie })).status).toBe(403);
    expect((await call("/api/v1/billing", { cookie: admin.cookie })).status).toBe(403);

    expect((await call("/api/v1/users", { cookie: owner.cookie })).status).toBe(200);
    expect((await call("/api/v1/billing", { cookie: owner.cookie })).status).toBe(200);
  });

  it("an API key acts as an admin of its business", async () => {
    const owner = await signup();
    const key = await createApiKey(owner);
    const me = await call("/api/v1/me", { key });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: null, role: "admin", business: { id: owner.businessId } });
    expect((await call("/api/v1/devices", { json: { name: "API", provider: "sandbox" }, key })).status).toBe(201);
    expect((await call("/api/v1/api-keys", { key })).status).toBe(403);
  });

  it("the last super admin cannot be demoted or deleted, and nobody deletes themselves", async () => {
    const owner = await signup();
    const demote = await call(`/api/v1/users/${owner.userId}`, { method: "PATCH", json: { role: "admin" }, cookie: owner.cookie });
    expect(demote.status).toBe(409);
    expect(demote.body.error_code).toBe("LAST_SUPER_ADMIN");
    const self = await call(`/api/v1/users/${owner.userId}`, { method: "DELETE", cookie: owner.cookie });
    expect(self.status).toBe(409);
  });

  it("a role change takes effect at once: the member's sessions end", async () => {
    const owner = await signup();
    const admin = await member(owner, "admin");
    const res = await call(`/api/v1/users/${admin.id}`, { method: "PATCH", json: { role: "staff" }, cookie: owner.cookie });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe("staff");
    expect((await call("/api/v1/me", { cookie: admin.cookie })).status).toBe(401);
  });

  it("invite without a password returns a temporary one that works once shown", async () => {
    const owner = await signup();
    const email = `agent.${Date.now()}@example.co.id`;
    const inv = await call("/api/v1/users", { json: { email, name: "Agen", role: "staff" }, cookie: owner.cookie });
    expect(inv.status).toBe(201);
    expect(inv.body.temporary_password).toEqual(expect.any(String));
    const login = await call("/api/v1/auth/login", { json: { email, password: inv.body.temporary_password }, headers: { "cf-connecting-ip": "192.0.2.10" } });
    expect(login.status).toBe(200);
    const list = await call("/api/v1/users", { cookie: owner.cookie });
    expect(list.body.items.map((u: { email: string }) => u.email)).toContain(email);
    expect(JSON.stringify(list.body)).not.toContain("password");
  });
});

describe("tenancy", () => {
  it("another business's objects answer 404, never their data", async () => {
    const a = await signup("Toko A");
    const b = await signup("Toko B");
    const device = await call("/api/v1/devices", { json: { name: "A's number", provider: "sandbox" }, cookie: a.cookie });
    const deviceKey = device.body.device_key;
    const keyA = await call("/api/v1/api-keys", { json: { name: "a" }, cookie: a.cookie });
    const staffA = await member(a, "staff");

    for (const [method, path, json] of [
      ["GET", `/api/v1/devices/${deviceKey}`, undefined],
      ["PATCH", `/api/v1/devices/${deviceKey}`, { name: "stolen" }],
      ["DELETE", `/api/v1/devices/${deviceKey}`, undefined],
      ["GET", `/api/v1/users/${staffA.id}`, undefined],
      ["PATCH", `/api/v1/users/${staffA.id}`, { name: "stolen" }],
      ["DELETE", `/api/v1/users/${staffA.id}`, undefined],
      ["DELETE", `/api/v1/api-keys/${keyA.body.id}`, undefined],
    ] as const) {
      const res = await call(path, { method, json, cookie: b.cookie });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error_code).toBe("NOT_FOUND");
      expect(res.text).not.toContain("A's number");
    }
    const listB = await call("/api/v1/devices", { cookie: b.cookie });
    expect(listB.body.items).toEqual([]);
    // A's objects are untouched.
    const still = await call(`/api/v1/devices/${deviceKey}`, { cookie: a.cookie });
    expect(still.body.name).toBe("A's number");
    expect((await call("/api/v1/me", { key: keyA.body.api_key })).status).toBe(200);
  });
});

describe("API keys", () => {
  it("is shown once, stored hashed, listed by prefix, and revocable", async () => {
    const owner = await signup();
    const created = await call("/api/v1/api-keys", { json: { name: "Scalev sync" }, cookie: owner.cookie });
    expect(created.status).toBe(201);
    const key: string = created.body.api_key;
    expect(key).toMatch(/^pk_[A-Za-z0-9_-]{40,}$/);
    const stored = await env.DB.prepare("SELECT key_hash FROM api_keys WHERE id = ?").bind(created.body.id).first<{ key_hash: string }>();
    expect(stored?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.key_hash).not.toContain(key);

    const list = await call("/api/v1/api-keys", { cookie: owner.cookie });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ id: created.body.id, name: "Scalev sync", prefix: key.slice(0, 10) });
    expect(JSON.stringify(list.body)).not.toContain(key);

    expect((await call("/api/v1/me", { key })).status).toBe(200);
    expect((await call(`/api/v1/api-keys/${created.body.id}`, { method: "DELETE", cookie: owner.cookie })).status).toBe(200);
    const revoked = await call("/api/v1/me", { key });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error_code).toBe("INVALID_API_KEY");
  });

  it("rate-limits per API key with 429 and Retry-After, without affecting other keys", async () => {
    const owner = await signup();
    const hot = await createApiKey(owner, "hot");
    const cold = await createApiKey(owner, "cold");
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    // The limit is 600 per wall-clock minute (wrangler.toml; the limiter's windows are aligned to the clock), so
    // a burst can straddle a boundary and split between two windows without reaching 600 in either. Keep going
    // until it bites: at most 600 pass per window, and 25 requests at a time run far above 10/s, so some window
    // sees its 601st request within 1,225 requests whatever the clock says.
    let sent = 0;
    let ok = 0;
    while (!limited && sent < 1300) {
      const batch = await Promise.all(Array.from({ length: 25 }, () => call("/api/v1/me", { key: hot })));
      sent += batch.length;
      for (const r of batch) {
        if (r.status === 429) limited ??= r;
        else {
          expect(r.status).toBe(200);
          ok += 1;
        }
      }
    }
    expect(limited?.body.error_code).toBe("RATE_LIMITED");
    expect(limited?.headers.get("retry-after")).toBe("60");
    expect(ok).toBeGreaterThanOrEqual(600);
    expect((await call("/api/v1/me", { key: cold })).status).toBe(200);
  }, 150_000);

  it("lists paginate with a cursor", async () => {
    const owner = await signup();
    for (let i = 0; i < 5; i++) await createApiKey(owner, `k${i}`);
    const first = await call("/api/v1/api-keys?limit=2", { cookie: owner.cookie });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const seen = new Set(first.body.items.map((k: { id: string }) => k.id));
    let cursor = first.body.next_cursor;
    while (cursor) {
      const next = await call(`/api/v1/api-keys?limit=2&cursor=${encodeURIComponent(cursor)}`, { cookie: owner.cookie });
      for (const k of next.body.items) {
        expect(seen.has(k.id)).toBe(false);
        seen.add(k.id);
      }
      cursor = next.body.next_cursor;
    }
    expect(seen.size).toBe(5);
  });
});

describe("package", () => {
  it("a new business gets a trial; the operator endpoint changes the package and /me reports it", async () => {
    const owner = await signup();
    const me = await call("/api/v1/me", { cookie: owner.cookie });
    expect(me.body.business.package).toBe("trial");
    expect(me.body.business.active_until).toBeGreaterThan(Date.now() + 13 * 86400_000);

    const noToken = await call(`/internal/businesses/${owner.businessId}/package`, { method: "PUT", json: { package: "pro", active_until: 1 } });
    expect(noToken.status).toBe(401);
    const expired = await call(`/internal/businesses/${owner.businessId}/package`, {
      method: "PUT",
      json: { package: "basic", active_until: Date.now() - GRACE_DAYS * DAY_MS - 1000 }, // past the grace period
      headers: { authorization: `Bearer ${env.PLATFORM_ADMIN_TOKEN}` },
    });
    expect(expired.status).toBe(200);
    const after = await call("/api/v1/me", { cookie: owner.cookie });
    expect(after.body.business).toMatchObject({ package: "basic", package_active: false });
    const billing = await call("/api/v1/billing", { cookie: owner.cookie });
    expect(billing.body.package_active).toBe(false);
  });
});
