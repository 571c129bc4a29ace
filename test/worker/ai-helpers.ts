// The AI tests' side of @copilotkit/aimock (started by global-setup.ts): fixtures added and the request journal
// read over its HTTP control API, and a tenant with the agent on for its sandbox device.
import { env } from "cloudflare:test";
import { call, eventually } from "./helpers";
import { servers } from "./servers";
import { tenantWithDevice, type WebhookTenant } from "./webhook-fixtures";

export type Fixture = { match: Record<string, unknown>; response: Record<string, unknown>; chaos?: { latencyMs?: number; disconnectRate?: number; dropRate?: number; malformedRate?: number }; disconnectAfterMs?: number };

export async function addFixtures(...fixtures: Fixture[]): Promise<void> {
  const r = await fetch(`${servers().aimock}/__aimock/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ fixtures }) });
  if (!r.ok) throw new Error(`aimock fixtures ${r.status} ${await r.text()}`);
}

export type JournalEntry = { method: string; path: string; body: { messages?: { role: string; content: string | null }[]; tools?: unknown[] }; response: { status: number } };

/** Chat-completion requests whose body mentions `marker` (each test uses its own). */
export async function modelCalls(marker: string): Promise<JournalEntry[]> {
  const r = await fetch(`${servers().aimock}/__aimock/journal?path=/chat/completions`);
  const all = (await r.json()) as JournalEntry[];
  return all.filter((e) => JSON.stringify(e.body).includes(marker));
}

export const marker = (what: string) => `${what}-${crypto.randomUUID().slice(0, 8)}`;

export type AiTenant = WebhookTenant & { conversationId?: string };

export async function aiTenant(settings: Record<string, unknown> = {}): Promise<AiTenant> {
  const t = await tenantWithDevice();
  const r = await call("/api/v1/ai-settings", {
    method: "PUT",
    cookie: t.cookie,
    json: { device_keys: [t.deviceKey], base_url: `${servers().aimock}/v1`, api_key: "sk-test-aimock", debounce_ms: 300, max_wait_ms: 2000, ...settings },
  });
  if (r.status !== 200) throw new Error(`ai-settings ${r.status} ${r.text}`);
  return t;
}

export async function customerSays(t: WebhookTenant, text: string, from = "081211112222") {
  const r = await call(`/api/v1/devices/${t.deviceKey}/sandbox/inbound`, { cookie: t.cookie, json: { from, text, name: "Rani" } });
  if (r.status !== 201) throw new Error(`inbound ${r.status} ${r.text}`);
  return r.body.message as { id: string; conversation_id: string };
}

export async function conversationOf(t: WebhookTenant, messageId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT conversation_id AS c FROM messages WHERE id = ?").bind(messageId).first<{ c: string }>();
  if (!row) throw new Error("message not found");
  return row.c;
}

type Outcome = { turn_id: string; status: string; reason: string; at: number };

/** Waits for the conversation's AI Durable Object to finish `n` turns; returns them, newest first. */
export async function turns(conversationId: string, n = 1, timeoutMs = 10_000): Promise<Outcome[]> {
  const stub = env.AI_CONVERSATION.get(env.AI_CONVERSATION.idFromName(conversationId));
  return eventually(async () => {
    const o = (await stub.outcomes()) as Outcome[];
    return o.length >= n ? o : null;
  }, timeoutMs, `${n} AI turn(s)`);
}

export async function aiMessages(businessId: string, conversationId: string): Promise<{ text: string; idempotency_key: string }[]> {
  const r = await env.DB.prepare("SELECT text, idempotency_key FROM messages WHERE business_id = ? AND conversation_id = ? AND source = 'ai' ORDER BY created_at, id").bind(businessId, conversationId).all<{ text: string; idempotency_key: string }>();
  return r.results;
}

export async function botState(conversationId: string) {
  return env.DB.prepare("SELECT bot_state, bot_silenced_until, bot_state_reason FROM conversations WHERE id = ?").bind(conversationId).first<{ bot_state: string; bot_silenced_until: number | null; bot_state_reason: string | null }>();
}
