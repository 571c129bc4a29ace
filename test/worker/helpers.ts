// Test client: calls the real Worker entry point (exports.default.fetch) inside workerd.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { database } from "../../worker/db/client";
import { queueMessages } from "../../worker/messaging/enqueue";

export type Res = { status: number; body: any; headers: Headers; text: string };

let ipCounter = 0;
/** Each test identity gets its own client IP so per-IP limits of one test do not leak into another. */
export function freshIp(): string {
  ipCounter += 1;
  return `203.0.113.${ipCounter % 250}`;
}

export async function call(
  path: string,
  opts: { method?: string; json?: unknown; raw?: string; cookie?: string; key?: string; headers?: Record<string, string> } = {},
): Promise<Res> {
  const headers = new Headers(opts.headers);
  if (opts.json !== undefined || opts.raw !== undefined) {
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  if (opts.cookie) {
    headers.set("cookie", opts.cookie);
    // What a browser on the dashboard sends with every write (CSRF check, worker/http/csrf.ts).
    if (!headers.has("origin")) headers.set("origin", "http://localhost:8787");
  }
  if (opts.key) headers.set("authorization", `Bearer ${opts.key}`);
  const res = await exports.default.fetch(
    new Request(`https://ping.test${path}`, {
      method: opts.method ?? (opts.json !== undefined || opts.raw !== undefined ? "POST" : "GET"),
      headers,
      redirect: "manual",
      body: opts.raw ?? (opts.json !== undefined ? JSON.stringify(opts.json) : undefined),
    }),
  );
  const text = await res.text();
  let body: any = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, headers: res.headers, text };
}

let n = 0;
export function uniqueEmail(prefix = "owner"): string {
  n += 1;
  return `${prefix}.${Date.now()}.${n}.${Math.random().toString(36).slice(2, 8)}@example.co.id`;
}

export function cookieFrom(res: Res): string {
  const set = res.headers.get("set-cookie") ?? "";
  const m = /ping_session=([^;]+)/.exec(set);
  if (!m) throw new Error(`no session cookie in ${set}`);
  return `ping_session=${m[1]}`;
}

export type Tenant = { cookie: string; businessId: string; userId: string; email: string; password: string };

export async function signup(name = "Toko Maju"): Promise<Tenant> {
  const email = uniqueEmail();
  const password = "rahasia-sekali-123";
  const res = await call("/api/v1/auth/signup", {
    json: { business_name: name, name: "Budi", email, password },
    headers: { "cf-connecting-ip": freshIp() },
  });
  if (res.status !== 201) throw new Error(`signup failed ${res.status} ${res.text}`);
  return { cookie: cookieFrom(res), businessId: res.body.business_id, userId: res.body.user.id, email, password };
}

export async function createApiKey(t: Tenant, name = "integration"): Promise<string> {
  const res = await call("/api/v1/api-keys", { json: { name }, cookie: t.cookie });
  if (res.status !== 201) throw new Error(`api key failed ${res.status} ${res.text}`);
  return res.body.api_key;
}

/** Adds a user with a role to the tenant and signs them in. */
export async function member(t: Tenant, role: "admin" | "staff"): Promise<{ cookie: string; id: string }> {
  const email = uniqueEmail(role);
  const password = "password-anggota-1";
  const inv = await call("/api/v1/users", { json: { email, name: role, role, password }, cookie: t.cookie });
  if (inv.status !== 201) throw new Error(`invite failed ${inv.status} ${inv.text}`);
  const login = await call("/api/v1/auth/login", { json: { email, password }, headers: { "cf-connecting-ip": freshIp() } });
  if (login.status !== 200) throw new Error(`login failed ${login.status} ${login.text}`);
  return { cookie: cookieFrom(login), id: inv.body.user.id };
}

export async function createDevice(
  t: Tenant,
  provider: "sandbox" | "cloud_api" | "baileys" = "sandbox",
  extra: Record<string, unknown> = {},
): Promise<{ device_key: string; webhook_secret: string; gateway_id: string | null }> {
  const res = await call("/api/v1/devices", { json: { name: `HP ${provider}`, provider, ...extra }, cookie: t.cookie });
  if (res.status !== 201) throw new Error(`device failed ${res.status} ${res.text}`);
  return res.body;
}

/** Polls until `check` returns a value (queues, alarms and sockets are asynchronous). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 8000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await check();
    if (r !== undefined && r !== null && r !== false) return r;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 25));
  }
}

/** Text messages to one customer, queued straight into the pipeline as a rule or a broadcast would. */
export async function queueTestMessages(t: Tenant, deviceKey: string, texts: string[], lane: "transactional" | "broadcast" = "transactional") {
  return queueMessages(
    database(env.DB),
    env.OUTBOUND,
    texts.map((text) => ({
      id: crypto.randomUUID(),
      businessId: t.businessId,
      deviceKey,
      idempotencyKey: `test:${crypto.randomUUID()}`,
      to: "6281234567890@s.whatsapp.net",
      text,
      source: lane === "broadcast" ? ("broadcast" as const) : ("api" as const),
      lane,
    })),
  );
}
