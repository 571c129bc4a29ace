// POST /webhook/:business_id — the seed-compatible entry point for Scalev, Lynk and custom events.
// Verify, dedupe, evaluate, then write message rows + event claim + log in ONE D1 batch, enqueue the
// new messages and answer; sending happens after the response (queue → DeviceSession).
import { Hono } from "hono";
import type { Context } from "hono";
import { checkLimit, usagePeriod } from "../billing/limits";
import { usageAmount } from "../db/packages";
import { type Business, isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { type CreatedMessage, insertTextMessagesStatements, queuedByKeyPrefixStatement } from "../db/messages";
import type { WebhookLogStatus, WebhookSource } from "../db/schema";
import { claimEventStatement, eventLogStatement, insertLog } from "../db/webhook-logs";
import { ApiError } from "../http/errors";
import type { AppEnv } from "../http/types";
import { decryptSecret, sha256Hex } from "../lib/crypto";
import { enqueueJobs } from "../messaging/enqueue";
import { webhookContext } from "./context-cache";
import { jsonDepth } from "./path";
import { messageKeyPrefix, planMessages, planSummary } from "./process";
import { detectSource } from "./sources";
import type { Incoming } from "./sources/types";

/** Largest webhook body accepted (Scalev and Lynk events are a few KB). */
export const MAX_WEBHOOK_BODY_BYTES = 128 * 1024;
/** Largest part of a body kept in the log. */
export const MAX_LOGGED_PAYLOAD_CHARS = 16 * 1024;
export const MAX_PAYLOAD_DEPTH = 32;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

type Logged = { d1: D1Database; business: Business; source: WebhookSource; raw: string };

function payloadForLog(raw: string): { payload: string; payloadTruncated: boolean } {
  return raw.length > MAX_LOGGED_PAYLOAD_CHARS
    ? { payload: raw.slice(0, MAX_LOGGED_PAYLOAD_CHARS), payloadTruncated: true }
    : { payload: raw, payloadTruncated: false };
}

/** Logs a refused request and returns the error (seed shape) to throw. */
/**
 * Today's outbound count for the daily limit. The cached context's count (reloaded every few seconds, plus this
 * isolate's own webhook writes) is trusted while the business is below 90% of a limit of at least 1000 — no D1
 * read on the hot path; otherwise (near the limit, small limits, a new day) the exact counter is read. Sends
 * from other paths reach the cached count within one reload, so the cap can only be passed if they alone add
 * more than 10% of the daily limit within those seconds (docs/billing.md).
 */
async function sentToday(d1: D1Database, businessId: string, cached: { period: string; count: number }, allowed: number | null, adding: number): Promise<number> {
  if (allowed === null) return 0;
  const period = usagePeriod("messages_per_day", Date.now());
  if (allowed >= 1000 && cached.period === period && cached.count + adding <= allowed * 0.9) return cached.count;
  return usageAmount(database(d1), businessId, "messages_per_day", period);
}

async function reject(l: Logged, status: 400 | 403 | 413, code: string, message: string, eventKey: string | null = null): Promise<ApiError> {
  await insertLog(database(l.d1), {
    id: crypto.randomUUID(),
    businessId: l.business.id,
    source: l.source,
    status: "rejected" satisfies WebhookLogStatus,
    eventKey,
    ruleNames: [],
    message: `${code}: ${message}`,
    ...payloadForLog(l.raw),
  });
  return new ApiError(status, code, message);
}

/** The body, or null past the cap; streamed so an oversized (or chunked, undeclared) body is never held whole. */
async function readBody(c: Context<AppEnv>): Promise<Uint8Array | null> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_WEBHOOK_BODY_BYTES) return null;
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array();
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_WEBHOOK_BODY_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.byteLength;
  }
  return out;
}

function decodeUtf8(raw: Uint8Array): string | null {
  try {
    return utf8.decode(raw);
  } catch {
    return null;
  }
}

function parseObject(text: string | null): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  if (text === null) return { ok: false, reason: "Body is not valid UTF-8" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "Body is not valid JSON" };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { ok: false, reason: "Body must be a JSON object" };
  if (jsonDepth(value, MAX_PAYLOAD_DEPTH) > MAX_PAYLOAD_DEPTH) return { ok: false, reason: `Body is nested deeper than ${MAX_PAYLOAD_DEPTH} levels` };
  return { ok: true, value: value as Record<string, unknown> };
}

export const webhookEndpoint = new Hono<AppEnv>();

webhookEndpoint.post("/:business_id", async (c) => {
  const businessId = c.req.param("business_id");
  if (!UUID.test(businessId)) throw new ApiError(400, "INVALID_BUSINESS_ID", "Business ID is not valid");
  const d1 = c.env.DB;
  const context = await Promise.all([webhookContext(d1, businessId.toLowerCase(), (p) => c.executionCtx.waitUntil(p)), readBody(c)]);
  const [{ business, rules, messagesPerDay, sent }, raw] = context;
  if (!business) throw new ApiError(400, "INVALID_BUSINESS_ID", "Business ID is not valid");
  const decoded = raw ? decodeUtf8(raw) : null;
  const text = decoded ?? (raw ? new TextDecoder().decode(raw) : "");
  const headers = c.req.raw.headers;
  const early: Logged = { d1, business, source: detectSource({ headers, payload: {} }).id, raw: text };

  if (!raw) throw await reject(early, 413, "PAYLOAD_TOO_LARGE", `Body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`);
  if (!isPackageActive(business)) throw await reject(early, 403, "PACKAGE_NOT_ACTIVE", "Package is not active. Renew it to use webhooks.");
  const parsed = parseObject(decoded);
  if (!parsed.ok) throw await reject(early, 400, "INVALID_PAYLOAD", parsed.reason);

  const req: Incoming = { raw, payload: parsed.value, headers };
  const adapter = detectSource(req);
  const logged: Logged = { ...early, source: adapter.id };
  const id = adapter.eventId(req);
  const eventKey = `${adapter.id}:${id ?? `sha256:${await sha256Hex(raw)}`}`;

  const sealed = business[adapter.secretColumn];
  if (sealed) {
    const problem = await adapter.verify(req, await decryptSecret(c.env.SECRETS_KEY, sealed), Date.now());
    if (problem) throw await reject(logged, 403, "INVALID_SIGNATURE", problem, eventKey);
  }

  const plan = planMessages({ business, rules, source: adapter.id, eventKey, payload: parsed.value });
  if (plan.messages.length > 0) {
    try {
      checkLimit("messages_per_day", messagesPerDay, await sentToday(d1, business.id, sent, messagesPerDay, plan.messages.length), plan.messages.length);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== "PACKAGE_LIMIT") throw e;
      throw await reject(logged, 403, "PACKAGE_LIMIT", e.message, eventKey);
    }
  }
  const status: WebhookLogStatus =
    plan.matched.length === 0 ? "no_match" : plan.outcomes.some((o) => !o.ok) ? "failed" : "success";
  const logId = crypto.randomUUID();
  const results = await d1.batch<CreatedMessage>([
    claimEventStatement(d1, business.id, eventKey, logId),
    ...insertTextMessagesStatements(d1, plan.messages),
    eventLogStatement(d1, {
      id: logId,
      businessId: business.id,
      source: adapter.id,
      status,
      eventKey,
      ruleNames: plan.matched,
      message: planSummary(plan),
      ...payloadForLog(text),
    }),
  ]);
  // Between the claim and the log: the message inserts, whose RETURNING rows are the messages that are new.
  let jobs = results.slice(1, -1).flatMap((r) => r.results);
  if (results[0]?.results.length === 0) {
    // A replay. If the first delivery died between its batch and its queue send (the sender saw no 200 and
    // retried), its messages are still `queued` with no job: enqueue them again. Jobs are idempotent by
    // message id, so a job that did exist is a harmless repeat.
    jobs = (await queuedByKeyPrefixStatement(d1, business.id, messageKeyPrefix(eventKey)).all<CreatedMessage>()).results;
  }
  // The cached count follows this isolate's own writes (other isolates' are in the next reload, ≤ 10 s).
  sent.count += jobs.length;
  await enqueueJobs(c.env.OUTBOUND, jobs);
  return c.json({ status: "success", message: "Webhook processed successfully", rule_matched: plan.matched.length > 0 }, 200);
});
