// POST /webhook/:business_id — the seed-compatible entry point for Scalev, Lynk and custom events — and
// POST /webhook/:business_id/:token, the same with the business's secret token (for sources that cannot sign).
// Authenticate (signature policy, ./signature-policy.ts), dedupe, evaluate, then write message rows + event claim
// + log in ONE D1 batch, enqueue the new messages and answer; sending happens after the response (queue →
// DeviceSession). Every log row says how the event was authenticated: signed, token, unsigned_allowed or refused.
import { Hono } from "hono";
import type { Context } from "hono";
import { checkLimit, usagePeriod } from "../billing/limits";
import { usageAmount } from "../db/packages";
import { type Business, isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { type CreatedMessage, insertTextMessagesStatements, queuedByKeyPrefixStatement } from "../db/messages";
import type { WebhookLogStatus, WebhookSignature, WebhookSource } from "../db/schema";
import { claimEventStatement, eventLogStatement, insertLog } from "../db/webhook-logs";
import { readCappedBody } from "../http/capped-body";
import { ApiError } from "../http/errors";
import type { AppEnv } from "../http/types";
import { decryptSecret, safeEqual, sha256Hex } from "../lib/crypto";
import { enqueueJobs } from "../messaging/enqueue";
import { webhookCustomerFacts } from "../crm/webhook-customer";
import { CUSTOMER_GRACE_MS, customerEffectMessage } from "./customer-effects";
import { sendCustomerEffect } from "./effect-sends";
import { webhookContext } from "./context-cache";
import { jsonDepth } from "./path";
import { messageKeyPrefix, planMessages, planSummary } from "./process";
import { decideSignature } from "./signature-policy";
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
async function sentToday(
  d1: D1Database,
  businessId: string,
  cached: { period: string; count: number },
  allowed: number | null,
  adding: number,
): Promise<number> {
  if (allowed === null) return 0;
  const period = usagePeriod("messages_per_day", Date.now());
  if (allowed >= 1000 && cached.period === period && cached.count + adding <= allowed * 0.9) return cached.count;
  return usageAmount(database(d1), businessId, "messages_per_day", period);
}

async function reject(
  l: Logged,
  status: 400 | 403 | 413,
  code: string,
  message: string,
  eventKey: string | null = null,
): Promise<ApiError> {
  await insertLog(database(l.d1), {
    id: crypto.randomUUID(),
    businessId: l.business.id,
    source: l.source,
    status: "rejected" satisfies WebhookLogStatus,
    signature: "refused",
    eventKey,
    ruleNames: [],
    message: `${code}: ${message}`,
    ...payloadForLog(l.raw),
  });
  return new ApiError(status, code, message);
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
  if (jsonDepth(value, MAX_PAYLOAD_DEPTH) > MAX_PAYLOAD_DEPTH)
    return { ok: false, reason: `Body is nested deeper than ${MAX_PAYLOAD_DEPTH} levels` };
  return { ok: true, value: value as Record<string, unknown> };
}

export const webhookEndpoint = new Hono<AppEnv>();

/** The secret token of the URL, checked against its stored hash in constant time. */
async function tokenMatches(business: Business, token: string): Promise<boolean> {
  return business.webhookTokenHash !== null && (await safeEqual(await sha256Hex(token), business.webhookTokenHash));
}

webhookEndpoint.post("/:business_id", (c) => handleWebhook(c, c.req.param("business_id"), null));
webhookEndpoint.post("/:business_id/:token", (c) => handleWebhook(c, c.req.param("business_id"), c.req.param("token")));

async function handleWebhook(c: Context<AppEnv>, businessId: string, token: string | null): Promise<Response> {
  if (!UUID.test(businessId)) throw new ApiError(400, "INVALID_BUSINESS_ID", "Business ID is not valid");
  const d1 = c.env.DB;
  const [{ business, rules, messagesPerDay, sent }, raw] = await Promise.all([
    webhookContext(d1, businessId.toLowerCase(), (p) => c.executionCtx.waitUntil(p)),
    readCappedBody(c.req.raw, MAX_WEBHOOK_BODY_BYTES),
  ]);
  if (!business) throw new ApiError(400, "INVALID_BUSINESS_ID", "Business ID is not valid");
  const decoded = raw ? decodeUtf8(raw) : null;
  const text = decoded ?? (raw ? new TextDecoder().decode(raw) : "");
  const headers = c.req.raw.headers;
  const early: Logged = { d1, business, source: detectSource({ headers, payload: {} }).id, raw: text };

  if (token !== null && !(await tokenMatches(business, token)))
    throw await reject(early, 403, "INVALID_WEBHOOK_TOKEN", "The token in this webhook URL is not valid (it may have been rotated)");
  if (!raw) throw await reject(early, 413, "PAYLOAD_TOO_LARGE", `Body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`);
  if (!isPackageActive(business)) throw await reject(early, 403, "PACKAGE_NOT_ACTIVE", "Package is not active. Renew it to use webhooks.");
  const parsed = parseObject(decoded);
  if (!parsed.ok) throw await reject(early, 400, "INVALID_PAYLOAD", parsed.reason);

  const req: Incoming = { raw, payload: parsed.value, headers };
  const adapter = detectSource(req);
  const logged: Logged = { ...early, source: adapter.id };
  const id = adapter.eventId(req);
  const eventKey = `${adapter.id}:${id ?? `sha256:${await sha256Hex(raw)}`}`;

  const decision = decideSignature(business, adapter.id, token !== null);
  if (decision.verdict === "refuse") throw await reject(logged, 403, decision.code, decision.message, eventKey);
  let signature: WebhookSignature = decision.verdict === "accept" ? decision.signature : "signed";
  const sealed = business[adapter.secretColumn];
  if (decision.verdict === "verify" && sealed) {
    const problem = await adapter.verify(req, await decryptSecret(c.env.SECRETS_KEY, sealed), Date.now());
    if (problem) throw await reject(logged, 403, "INVALID_SIGNATURE", problem, eventKey);
    signature = "signed";
  }

  const plan = planMessages({ business, rules, source: adapter.id, eventKey, payload: parsed.value });
  if (plan.messages.length > 0) {
    try {
      checkLimit(
        "messages_per_day",
        messagesPerDay,
        await sentToday(d1, business.id, sent, messagesPerDay, plan.messages.length),
        plan.messages.length,
      );
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== "PACKAGE_LIMIT") throw e;
      throw await reject(logged, 403, "PACKAGE_LIMIT", e.message, eventKey);
    }
  }
  const status: WebhookLogStatus = plan.matched.length === 0 ? "no_match" : plan.outcomes.some((o) => !o.ok) ? "failed" : "success";
  const logId = crypto.randomUUID();
  const now = Date.now();
  // The CRM side (contact + order timeline) rides in the log row of this batch, run after the answer by the
  // webhook-effects queue (./customer-effects.ts): the sender does not wait for the merge, the merge runs in
  // batches, and a crash before it ran is re-driven by the sweep.
  const customer = webhookCustomerFacts(business, adapter.id, parsed.value, plan, now);
  const inserts = insertTextMessagesStatements(d1, plan.messages);
  const results = await d1.batch<CreatedMessage>([
    claimEventStatement(d1, business.id, eventKey, logId),
    ...inserts,
    eventLogStatement(d1, {
      id: logId,
      businessId: business.id,
      source: adapter.id,
      status,
      signature,
      eventKey,
      ruleNames: plan.matched,
      message: planSummary(plan),
      customer: customer ? { facts: customer, dueAt: now + CUSTOMER_GRACE_MS } : null,
      ...payloadForLog(text),
    }),
  ]);
  // Between the claim and the log: the message inserts, whose RETURNING rows are the messages that are new.
  let jobs = results.slice(1, 1 + inserts.length).flatMap((r) => r.results);
  const owned = results[0]?.results.length !== 0;
  if (!owned) {
    // A replay. If the first delivery died between its batch and its queue send (the sender saw no 200 and
    // retried), its messages are still `queued` with no job: enqueue them again. Jobs are idempotent by
    // message id, so a job that did exist is a harmless repeat.
    jobs = (await queuedByKeyPrefixStatement(d1, business.id, messageKeyPrefix(eventKey)).all<CreatedMessage>()).results;
  }
  // The cached count follows this isolate's own writes (other isolates' are in the next reload, ≤ 10 s).
  sent.count += jobs.length;
  await enqueueJobs(c.env.OUTBOUND, jobs);
  // The customer effect goes to its queue after the answer, with the other webhooks' of the same few ms
  // (./effect-sends.ts; a send that fails is re-driven by the sweep).
  if (customer && owned)
    sendCustomerEffect(c.env.WEBHOOK_EFFECTS, (p) => c.executionCtx.waitUntil(p), customerEffectMessage(business.id, logId, customer));
  return c.json({ status: "success", message: "Webhook processed successfully", rule_matched: plan.matched.length > 0 }, 200);
}
