// The device webhook: each inbound message POSTed to the device's webhook URL in the seed's payload,
// signed with Standard Webhooks headers, retried with backoff through the device-webhooks queue, and
// every attempt written to the delivery log the user sees.
import { z } from "zod";
import { database } from "../db/client";
import { getDeviceByKey } from "../db/devices";
import { webhookDeliveries } from "../db/schema";
import { decryptSecret, fromBase64, hmacSha256, toBase64 } from "../lib/crypto";
import { guardUrl } from "../lib/url-guard";

/** The seed's payload: file fields only when there is a file; `message: null` for a file without text. */
export const DeviceWebhookPayload = z.object({
  device_key: z.string(),
  name: z.string(),
  from: z.string(),
  message: z.string().nullable(),
  type: z.string(),
  file_url: z.string().optional(),
  file_type: z.string().optional(),
  file_size: z.number().optional(),
  file_category: z.string().optional(),
});
export type DeviceWebhookPayload = z.infer<typeof DeviceWebhookPayload>;

export const DeviceWebhookJob = z.object({
  v: z.literal(1),
  event_id: z.string(),
  business_id: z.string(),
  device_key: z.string(),
  payload: DeviceWebhookPayload,
  /** Seconds since epoch of the event; the same in every attempt. */
  timestamp: z.number().int(),
});
export type DeviceWebhookJob = z.infer<typeof DeviceWebhookJob>;

export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Standard Webhooks key: the bytes after `whsec_`, base64 (base64url accepted for older secrets). */
function secretBytes(secret: string): Uint8Array {
  const b64 = secret.replace(/^whsec_/, "").replaceAll("-", "+").replaceAll("_", "/");
  return fromBase64(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
}

export async function standardWebhookHeaders(secret: string, id: string, timestamp: number, body: string): Promise<Record<string, string>> {
  const sig = await hmacSha256(secretBytes(secret), `${id}.${timestamp}.${body}`);
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${toBase64(sig)}` };
}

export function webhookRetryDelaySeconds(attempts: number, baseSeconds = 10): number {
  return Math.min(3600, baseSeconds * 3 ** Math.max(0, attempts - 1));
}

type AttemptResult = { ok: boolean; retry: boolean; status: number | null; error: string | null };

async function attempt(env: Env, job: DeviceWebhookJob, attemptNo: number): Promise<AttemptResult> {
  const db = database(env.DB);
  const device = await getDeviceByKey(db, job.device_key);
  // The device or its URL went away since the message arrived: nothing left to deliver to.
  if (!device || device.businessId !== job.business_id || !device.webhookUrl) return { ok: false, retry: false, status: null, error: "no webhook URL" };
  const url = device.webhookUrl;
  const started = Date.now();
  let result: AttemptResult;
  const verdict = await guardUrl(env, "operator", url);
  if (!verdict.ok) {
    // Nothing is sent to a refused target; a failed lookup is retried like a network error.
    result = { ok: false, retry: verdict.transient === true, status: null, error: `refused: ${verdict.reason}` };
  } else {
    const body = JSON.stringify(job.payload);
    const secret = await decryptSecret(env.SECRETS_KEY, device.webhookSecretEnc);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Ping-Webhook/1.0", ...(await standardWebhookHeaders(secret, job.event_id, job.timestamp, body)) },
        body,
        // A redirect could point at an address the check above refused.
        redirect: "manual",
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await res.body?.cancel();
      const ok = res.status >= 200 && res.status < 300;
      result = { ok, retry: !ok, status: res.status, error: ok ? null : `HTTP ${res.status}` };
    } catch (e) {
      const timeout = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
      result = { ok: false, retry: true, status: null, error: timeout ? `timeout after ${WEBHOOK_TIMEOUT_MS / 1000} s` : String(e).slice(0, 300) };
    }
  }
  await db.insert(webhookDeliveries).values({
    id: crypto.randomUUID(),
    businessId: job.business_id,
    deviceKey: job.device_key,
    eventId: job.event_id,
    attempt: attemptNo,
    url,
    statusCode: result.status,
    ok: result.ok,
    error: result.error,
    durationMs: Date.now() - started,
  });
  return result;
}

export async function handleDeviceWebhookBatch(batch: MessageBatch, env: Env): Promise<void> {
  const base = Number(env.WEBHOOK_RETRY_BASE_SECONDS) || 10;
  for (const msg of batch.messages) {
    const parsed = DeviceWebhookJob.safeParse(msg.body);
    if (!parsed.success) {
      msg.ack();
      continue;
    }
    try {
      const r = await attempt(env, parsed.data, msg.attempts);
      if (r.ok || !r.retry) msg.ack();
      else msg.retry({ delaySeconds: webhookRetryDelaySeconds(msg.attempts, base) });
    } catch (e) {
      console.warn(JSON.stringify({ level: "warn", msg: "device webhook attempt crashed", error: String(e) }));
      msg.retry({ delaySeconds: webhookRetryDelaySeconds(msg.attempts, base) });
    }
  }
}

/**
 * Deliveries that used up their retries (`device-webhooks-dlq`): the last word in the delivery log the user sees,
 * so a forward is never lost without a trace. Nothing is sent again from here.
 */
export async function handleDeviceWebhookDeadLetters(batch: MessageBatch, env: Env): Promise<void> {
  const db = database(env.DB);
  for (const msg of batch.messages) {
    const parsed = DeviceWebhookJob.safeParse(msg.body);
    if (parsed.success) {
      const job = parsed.data;
      const device = await getDeviceByKey(db, job.device_key);
      await db.insert(webhookDeliveries).values({
        id: crypto.randomUUID(),
        businessId: job.business_id,
        deviceKey: job.device_key,
        eventId: job.event_id,
        attempt: msg.attempts,
        url: device && device.businessId === job.business_id ? (device.webhookUrl ?? "") : "",
        statusCode: null,
        ok: false,
        error: "gave up: every retry failed (dead-lettered)",
        durationMs: 0,
      });
    }
    msg.ack();
  }
}
