// HTTP client for a running Worker (tests and benchmark): JSON calls, a fresh tenant, a baileys device.
export type Call = (
  path: string,
  init?: { method?: string; json?: unknown; cookie?: string; headers?: Record<string, string> },
) => Promise<{ status: number; body: Record<string, any>; headers: Headers }>;

export function pingApi(baseUrl: string): Call {
  return async (path, init = {}) => {
    const res = await fetch(baseUrl + path, {
      method: init.method ?? (init.json ? "POST" : "GET"),
      // With a cookie, what the dashboard's page sends: its own Origin (the CSRF check, docs/security.md).
      headers: { "content-type": "application/json", ...(init.cookie ? { cookie: init.cookie, origin: new URL(baseUrl).origin } : {}), ...init.headers },
      body: init.json ? JSON.stringify(init.json) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {}, headers: res.headers };
  };
}

/** Signs a new business up and returns its owner's session cookie. */
export async function signupTenant(call: Call): Promise<string> {
  const email = `owner.${Date.now()}.${Math.random().toString(36).slice(2)}@example.co.id`;
  const res = await call("/api/v1/auth/signup", { json: { business_name: "Toko Maju", name: "Budi", email, password: "rahasia-sekali-123" } });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${JSON.stringify(res.body)}`);
  return /ping_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0] ?? "";
}

/** A baileys device with pacing off (so tests and the benchmark are not held to a real number's pace). */
export async function addBaileysDevice(call: Call, cookie: string, extra: Record<string, unknown> = {}): Promise<{ device_key: string; gateway_id: string }> {
  const device = await call("/api/v1/devices", { cookie, json: { name: "HP toko", provider: "baileys", ...extra } });
  if (device.status !== 201) throw new Error(`device: ${device.status} ${JSON.stringify(device.body)}`);
  const key = String(device.body.device_key);
  const patch = await call(`/api/v1/devices/${key}`, { method: "PATCH", cookie, json: { settings: { pacing_enabled: false } } });
  if (patch.status !== 200) throw new Error(`device settings: ${patch.status} ${JSON.stringify(patch.body)}`);
  return { device_key: key, gateway_id: String(device.body.gateway_id) };
}

/** The operator endpoint that moves a device to another gateway (PUT /internal/devices/:device_key/gateway). */
export async function assignGateway(call: Call, adminToken: string, deviceKey: string, gatewayId: string | null): Promise<void> {
  const res = await call(`/internal/devices/${deviceKey}/gateway`, { method: "PUT", json: { gateway_id: gatewayId }, headers: { authorization: `Bearer ${adminToken}` } });
  if (res.status !== 200) throw new Error(`assign gateway: ${res.status} ${JSON.stringify(res.body)}`);
}
