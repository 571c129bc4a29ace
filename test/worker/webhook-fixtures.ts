// Seed sample payloads and helpers for the webhook tests: a tenant with a sandbox device, rules, signing.
import { env } from "cloudflare:test";
import { LYNK_SAMPLE } from "../../worker/webhooks/sources/lynk";
import { SCALEV_SAMPLE } from "../../worker/webhooks/sources/scalev";
import { call, eventually, signup, type Tenant } from "./helpers";

// The seed's sample payloads live with their adapters (the rule editor previews with the same objects).
export { LYNK_SAMPLE, SCALEV_SAMPLE };

/** A copy of a sample with its event id replaced, so each test has its own events. */
export function scalevEvent(uniqueId: string, patch: Record<string, unknown> = {}) {
  return { ...SCALEV_SAMPLE, unique_id: uniqueId, data: { ...SCALEV_SAMPLE.data, ...patch } };
}

export function lynkEvent(refId: string, messageId?: string) {
  return {
    ...LYNK_SAMPLE,
    data: {
      ...LYNK_SAMPLE.data,
      ...(messageId ? { message_id: messageId } : {}),
      message_data: { ...LYNK_SAMPLE.data.message_data, refId },
    },
  };
}

export type WebhookTenant = Tenant & { deviceKey: string };

export async function tenantWithDevice(): Promise<WebhookTenant> {
  const t = await signup("Toko Webhook");
  const d = await call("/api/v1/devices", { json: { name: "CS", provider: "sandbox" }, cookie: t.cookie });
  if (d.status !== 201) throw new Error(`device ${d.status} ${d.text}`);
  return { ...t, deviceKey: d.body.device_key };
}

export const ORDER_CREATED = { operator: "AND", rules: [{ field: "event", operator: "equals", value: "order.created" }] };

export async function createRule(t: WebhookTenant, rule: Record<string, unknown>) {
  const res = await call("/api/v1/webhook-rules", {
    cookie: t.cookie,
    json: {
      name: "Order baru",
      source: "scalev",
      conditions: ORDER_CREATED,
      template: "Halo {{data.destination_address.name}}, order {{data.order_id}} total {{data.net_revenue | rupiah}}",
      phone_field: "data.destination_address.phone",
      device_key: t.deviceKey,
      ...rule,
    },
  });
  if (res.status !== 201) throw new Error(`rule ${res.status} ${res.text}`);
  return res.body;
}

/**
 * Posts an event and waits until its customer effect (contact + order, run after the answer) is done, so a test
 * reads what the webhook recorded; the answer is returned as it came.
 */
export async function postWebhook(businessId: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await call(`/webhook/${businessId}`, { raw: typeof body === "string" ? body : JSON.stringify(body), headers });
  await customerEffectsSettled(businessId);
  return res;
}

export async function customerEffectsSettled(businessId: string, timeoutMs = 5000): Promise<void> {
  await eventually(
    async () => {
      const open = await env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_logs WHERE business_id = ? AND customer_due_at IS NOT NULL")
        .bind(businessId.toLowerCase())
        .first<{ n: number }>();
      return !open?.n;
    },
    timeoutMs,
    `webhook customer effects of ${businessId}`,
  );
}

export async function hmacBase64(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return btoa(String.fromCharCode(...sig));
}

export async function sha256HexOf(s: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

export type MessageRow = {
  id: string;
  status: string;
  to_jid: string;
  text: string;
  idempotency_key: string;
  device_key: string;
  source: string;
};

export async function messagesOf(businessId: string): Promise<MessageRow[]> {
  const r = await env.DB.prepare("SELECT * FROM messages WHERE business_id = ? ORDER BY created_at, rowid")
    .bind(businessId)
    .all<MessageRow>();
  return r.results;
}

/** Waits until the queue consumer and DeviceSession have moved a message to a final state. */
export async function waitForStatus(messageId: string, want: string, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let status = "";
  while (Date.now() < deadline) {
    const row = await env.DB.prepare("SELECT status FROM messages WHERE id = ?").bind(messageId).first<{ status: string }>();
    status = row?.status ?? "";
    if (status === want) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
  return status;
}

export async function logsOf(t: Tenant, query = "") {
  const res = await call(`/api/v1/webhook-logs${query}`, { cookie: t.cookie });
  if (res.status !== 200) throw new Error(`logs ${res.status} ${res.text}`);
  return res.body.items as {
    status: string;
    source: string;
    message: string;
    rules: string[];
    payload: string;
    event_key: string | null;
  }[];
}
