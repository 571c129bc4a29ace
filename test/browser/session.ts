// What the browser tests share: calling the local Worker's API (with a cookie, as the dashboard's own page does:
// its Origin passes the CSRF check, docs/security.md) and a signed-up business with a browser page logged in.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import type { LocalWorker } from "../support/local-worker";

export type ApiResult = { status: number; headers: Headers; body: Record<string, unknown> | null };
export type Api = (path: string, init?: { method?: string; json?: unknown; cookie?: string }) => Promise<ApiResult>;

export function apiOf(worker: () => LocalWorker): Api {
  return async (path, init = {}) => {
    const w = worker();
    const res = await fetch(new URL(path, w.url), {
      method: init.method ?? (init.json === undefined ? "GET" : "POST"),
      headers: { "content-type": "application/json", ...(init.cookie ? { cookie: init.cookie, origin: new URL(w.url).origin } : {}) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    return { status: res.status, headers: res.headers, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };
}

export type Session = { token: string; cookie: string; businessId: string; context: BrowserContext; page: Page };

/** Signs a new business up through the API and opens a browser page with its session cookie. */
export async function signedIn(worker: LocalWorker, browser: Browser, api: Api, business: string, email: string, browserZone?: string): Promise<Session> {
  const signup = await api("/api/v1/auth/signup", { json: { business_name: business, name: "Ani", email, password: "kata-sandi-aman-1" } });
  expect(signup.status).toBe(201);
  const token = /ping_session=([^;]+)/.exec(signup.headers.get("set-cookie") ?? "")?.[1] ?? "";
  const context = await browser.newContext(browserZone ? { timezoneId: browserZone } : {});
  await context.addCookies([{ name: "ping_session", value: token, url: worker.url }]);
  return { token, cookie: `ping_session=${token}`, businessId: String(signup.body?.business_id), context, page: await context.newPage() };
}
