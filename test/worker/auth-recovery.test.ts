// Issue 8 item 7: login does not enumerate accounts and cannot lock an owner out from elsewhere; accounts are
// recovered by email (reset: single use, 30 minutes, every session ended) and new addresses are verified.
// Mail goes through Resend's HTTP API, served here by the local Resend-format server of global-setup.ts.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { backoffAfter } from "../../worker/auth/login-backoff";
import { call, cookieFrom, freshIp, signup, uniqueEmail } from "./helpers";
import { records } from "./servers";

type Mail = { id: string; from: string; to: string[]; subject: string; text: string };

const FREE = Number(env.LOGIN_FREE_FAILURES);

async function mails(to: string): Promise<Mail[]> {
  return records<Mail>(`mail:${to.toLowerCase()}`);
}

function tokenIn(mail: Mail | undefined, page: string): string {
  const m = new RegExp(`${page}\\?token=([A-Za-z0-9_%-]+)`).exec(mail?.text ?? "");
  if (!m?.[1]) throw new Error(`no ${page} link in ${mail?.text}`);
  return decodeURIComponent(m[1]);
}

const login = (email: string, password: string, ip: string) => call("/api/v1/auth/login", { json: { email, password }, headers: { "cf-connecting-ip": ip } });

describe("login: no enumeration, no lockout from elsewhere", () => {
  it("answers a known and an unknown email identically, attempt by attempt, including the backoff", async () => {
    const t = await signup();
    const unknown = uniqueEmail("nobody");
    const ip = freshIp();
    const seen: { known: string; unknown: string }[] = [];
    for (let i = 0; i < FREE + 2; i++) {
      const k = await login(t.email, `wrong-${i}`, ip);
      const u = await login(unknown, `wrong-${i}`, ip);
      const shape = (r: typeof k) => `${r.status} ${r.body.error_code} ${r.body.message} ${r.headers.get("retry-after") ?? "-"}`;
      seen.push({ known: shape(k), unknown: shape(u) });
    }
    for (const s of seen) expect(s.known).toBe(s.unknown);
    // The free tries are 401s; then the pair waits.
    expect(seen.slice(0, FREE).every((s) => s.known.startsWith("401 INVALID_CREDENTIALS"))).toBe(true);
    expect(seen[FREE + 1]?.known).toMatch(/^429 LOGIN_THROTTLED/);
    // ACCOUNT_LOCKED no longer exists for anyone.
    expect(seen.some((s) => s.known.includes("ACCOUNT_LOCKED"))).toBe(false);
  });

  it("throttles the (account, address) pair only: the owner elsewhere still signs in", async () => {
    const t = await signup();
    const attacker = freshIp();
    for (let i = 0; i < FREE + 1; i++) await login(t.email, `guess-${i}`, attacker);
    const blocked = await login(t.email, t.password, attacker);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error_code).toBe("LOGIN_THROTTLED");
    const owner = await login(t.email, t.password, freshIp());
    expect(owner.status).toBe(200);
  });

  it("grows the wait exponentially per further failure", async () => {
    const t = await signup();
    const ip = freshIp();
    const waits: number[] = [];
    for (let i = 0; i < FREE + 3; i++) {
      // Time passes: the previous block is over (the wait is what this test measures, not sleeps).
      await env.DB.prepare("UPDATE login_throttles SET blocked_until = 0").run();
      await login(t.email, `wrong-${i}`, ip);
      const r = await login(t.email, "probe-only", ip);
      if (r.status === 429) waits.push(Number(r.headers.get("retry-after")));
      else waits.push(0);
    }
    const blockedWaits = waits.filter((w) => w > 0);
    expect(blockedWaits.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < blockedWaits.length; i++) expect(blockedWaits[i]).toBeGreaterThanOrEqual((blockedWaits[i - 1] ?? 0) * 2 - 1);
    const cfg = { freeFailures: 5, baseMs: 30_000, maxMs: 3_600_000 };
    expect([4, 5, 6, 7, 12, 99].map((n) => backoffAfter(n, cfg))).toEqual([0, 30_000, 60_000, 120_000, 3_600_000, 3_600_000]);
  });
});

describe("password reset by email", () => {
  it("emails a single-use link through Resend; the reset ends every session and the new password works", async () => {
    const t = await signup();
    const second = cookieFrom(await login(t.email, t.password, freshIp()));
    const asked = await call("/api/v1/auth/password-reset", { json: { email: t.email.toUpperCase() }, headers: { "cf-connecting-ip": freshIp() } });
    expect(asked.status).toBe(202);
    const mail = (await mails(t.email)).find((m) => m.subject.includes("sandi") || m.subject.includes("password"));
    expect(mail?.from).toBe(env.MAIL_FROM);
    expect(mail?.to).toEqual([t.email]);
    const token = tokenIn(mail, "/app/reset-password");
    // Stored hashed only.
    const stored = await env.DB.prepare("SELECT token_hash FROM auth_tokens WHERE purpose = 'password_reset' AND token_hash = ?").bind(token).first();
    expect(stored).toBeNull();

    const done = await call("/api/v1/auth/password-reset/confirm", { json: { token, password: "kata-sandi-baru-99" } });
    expect(done.status).toBe(200);
    for (const cookie of [t.cookie, second]) expect((await call("/api/v1/me", { cookie })).status).toBe(401);
    expect((await login(t.email, t.password, freshIp())).status).toBe(401);
    expect((await login(t.email, "kata-sandi-baru-99", freshIp())).status).toBe(200);

    const again = await call("/api/v1/auth/password-reset/confirm", { json: { token, password: "yet-another-pass-1" } });
    expect(again.status).toBe(400);
    expect(again.body.error_code).toBe("INVALID_TOKEN");
  });

  it("refuses a token older than 30 minutes", async () => {
    const t = await signup();
    await call("/api/v1/auth/password-reset", { json: { email: t.email }, headers: { "cf-connecting-ip": freshIp() } });
    const token = tokenIn((await mails(t.email)).find((m) => m.text.includes("reset-password")), "/app/reset-password");
    const row = await env.DB.prepare("SELECT expires_at - created_at AS ttl FROM auth_tokens WHERE purpose = 'password_reset' AND user_id = ?").bind(t.userId).first<{ ttl: number }>();
    expect(Math.round((row?.ttl ?? 0) / 60_000)).toBe(30);
    await env.DB.prepare("UPDATE auth_tokens SET expires_at = ? WHERE user_id = ?").bind(Date.now() - 1, t.userId).run();
    const late = await call("/api/v1/auth/password-reset/confirm", { json: { token, password: "kata-sandi-baru-99" } });
    expect(late.status).toBe(400);
    expect(late.body.error_code).toBe("INVALID_TOKEN");
  });

  it("answers an unknown email exactly like a known one and sends nothing", async () => {
    const nobody = uniqueEmail("ghost");
    const res = await call("/api/v1/auth/password-reset", { json: { email: nobody }, headers: { "cf-connecting-ip": freshIp() } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: "ok" });
    expect(await mails(nobody)).toEqual([]);
  });
});

describe("email verification of new accounts", () => {
  it("sign-up emails a verification link; confirming it marks the account verified", async () => {
    const t = await signup();
    expect((await call("/api/v1/me", { cookie: t.cookie })).body.user.email_verified).toBe(false);
    const mail = (await mails(t.email)).find((m) => m.text.includes("/app/verify-email"));
    const token = tokenIn(mail, "/app/verify-email");
    const ok = await call("/api/v1/auth/verify-email", { json: { token } });
    expect(ok.status).toBe(200);
    expect((await call("/api/v1/me", { cookie: t.cookie })).body.user.email_verified).toBe(true);
    const reused = await call("/api/v1/auth/verify-email", { json: { token } });
    expect(reused.body.error_code).toBe("INVALID_TOKEN");
  });

  it("the verification page carries the token to a POST (a link scanner's GET verifies nothing)", async () => {
    const t = await signup();
    const token = tokenIn((await mails(t.email)).find((m) => m.text.includes("/app/verify-email")), "/app/verify-email");
    const page = await call(`/app/verify-email?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-api="/api/v1/auth/verify-email"');
    expect((await call("/api/v1/me", { cookie: t.cookie })).body.user.email_verified).toBe(false);
  });
});
