// Running the side effects of a stored inbound message or an accepted webhook event (rows of `inbound_effects`,
// written in their own batch): the device-webhook forward and the auto-reply decision (WhatsApp's `auto_reply`, the
// website chat's `web_auto_reply`), and `webhook_customer` rows left from before webhook customers moved into their
// log rows (worker/webhooks/customer-effects.ts). The live path runs them right after answering; the cron sweep
// re-drives any a crash left undone. All are safe to run twice: the forward carries the same `webhook-id` on every attempt (receivers
// dedupe, as Standard Webhooks asks), the reply is queued with the idempotency key `auto_reply:<message id>`, and
// the customer merge and order upsert are idempotent.
import { getBusiness, isPackageActive, type Business } from "../db/businesses";
import { database } from "../db/client";
import { type Device, getDeviceByKey } from "../db/devices";
import { deferEffect, dueEffects, type InboundEffect, markEffectsDone, type NewInboundEffect } from "../db/inbound-effects";
import { getMessage, type Message } from "../db/messages";
import { recordWebhookCustomer, WebhookCustomer } from "../crm/webhook-customer";
import { runWebAutoReply } from "../livechat/web-auto-reply";
import { queueMessages } from "../messaging/enqueue";
import { type AutoReply, decideAutoReply } from "./auto-reply";
import { DeviceWebhookJob } from "./device-webhook";

/** The live path has this long to run an effect before the sweep may take it. */
export const EFFECT_GRACE_MS = 60_000;
const SWEEP_PER_BUSINESS = 50;
const SWEEP_LIMIT = 200;

type Effect = Pick<InboundEffect, "id" | "kind" | "payload" | "businessId" | "messageId"> & { deviceKey?: string | null };
export type EffectContext = { business: Business; device: Device; message: Message };

export function effectId(kind: InboundEffect["kind"], deviceKey: string, providerMessageId: string): string {
  return `${kind}:${deviceKey}:${providerMessageId}`;
}

export function forwardEffect(id: string, job: DeviceWebhookJob, messageId: string, now: number): NewInboundEffect {
  return {
    id,
    businessId: job.business_id,
    deviceKey: job.device_key,
    messageId,
    kind: "forward",
    payload: job,
    nextAt: now + EFFECT_GRACE_MS,
  };
}

export function autoReplyEffect(
  id: string,
  ctx: { businessId: string; deviceKey: string; messageId: string; chatJid: string; senderName: string | null },
  now: number,
): NewInboundEffect {
  return {
    id,
    businessId: ctx.businessId,
    deviceKey: ctx.deviceKey,
    messageId: ctx.messageId,
    kind: "auto_reply",
    payload: { chat_jid: ctx.chatJid, sender_name: ctx.senderName },
    nextAt: now + EFFECT_GRACE_MS,
  };
}

async function contextOf(env: Env, e: Effect): Promise<EffectContext | null> {
  if (!e.deviceKey) return null;
  const db = database(env.DB);
  const [business, device, message] = await Promise.all([
    getBusiness(db, e.businessId),
    getDeviceByKey(db, e.deviceKey),
    getMessage(db, e.businessId, e.messageId),
  ]);
  return business && device && device.businessId === business.id && message ? { business, device, message } : null;
}

/** Runs one effect; returns the auto-reply it queued, if any. Throws when it should be tried again. */
async function runEffect(env: Env, e: Effect, given: EffectContext | null, now: number): Promise<AutoReply | null> {
  // Rows of this kind were written before webhook customers moved into their log rows (migration 0019): drained
  // here by the sweep; nothing writes them any more.
  if (e.kind === "webhook_customer") {
    const facts = WebhookCustomer.safeParse(e.payload);
    if (facts.success) await recordWebhookCustomer(database(env.DB), e.businessId, facts.data, now);
    else console.error(JSON.stringify({ level: "error", msg: "webhook customer effect unreadable; dropped", id: e.id }));
    return null;
  }
  if (e.kind === "web_auto_reply") {
    await runWebAutoReply(env, e);
    return null;
  }
  if (e.kind === "forward") {
    const job = DeviceWebhookJob.safeParse(e.payload);
    if (job.success) await env.DEVICE_WEBHOOKS.send(job.data, { contentType: "json" });
    return null;
  }
  const ctx = given ?? (await contextOf(env, e));
  // The device, business or message went away since: nothing left to answer.
  if (!ctx || !isPackageActive(ctx.business)) return null;
  const chatJid = typeof e.payload.chat_jid === "string" ? e.payload.chat_jid : ctx.message.to;
  const senderName = typeof e.payload.sender_name === "string" ? e.payload.sender_name : null;
  const reply = await decideAutoReply({ env, business: ctx.business, device: ctx.device, message: ctx.message, chatJid, senderName });
  if (reply) {
    await queueMessages(database(env.DB), env.OUTBOUND, [
      {
        id: crypto.randomUUID(),
        businessId: ctx.business.id,
        deviceKey: ctx.device.deviceKey,
        idempotencyKey: `auto_reply:${ctx.message.id}`,
        to: chatJid,
        text: reply.text,
        source: "auto_reply",
        lane: "transactional",
        conversationId: ctx.message.conversationId,
      },
    ]);
  }
  return reply;
}

function backoffMs(attempts: number): number {
  return Math.min(3600_000, 60_000 * 2 ** attempts);
}

/**
 * Runs effects and marks each one done; one that throws is left for the sweep (with backoff) and does not stop
 * the others. Returns the auto-reply that was queued, if any.
 */
export async function driveEffects(
  env: Env,
  effects: (Effect & { attempts?: number })[],
  ctx: EffectContext | null,
  now: number,
): Promise<AutoReply | null> {
  const db = database(env.DB);
  const done: string[] = [];
  let reply: AutoReply | null = null;
  for (const e of effects) {
    try {
      reply = (await runEffect(env, e, ctx, now)) ?? reply;
      done.push(e.id);
    } catch (err) {
      console.warn(JSON.stringify({ level: "warn", msg: "inbound effect failed; the sweep retries it", id: e.id, error: String(err) }));
      await deferEffect(db, e.id, now + backoffMs(e.attempts ?? 0)).catch(() => undefined);
    }
  }
  await markEffectsDone(db, done, now);
  return reply;
}

/** Cron: effects a crash (or a failure) left undone, fairly across businesses. */
export async function sweepInboundEffects(env: Env, now: number): Promise<number> {
  const due = await dueEffects(database(env.DB), now, SWEEP_PER_BUSINESS, SWEEP_LIMIT);
  if (due.length === 0) return 0;
  await driveEffects(env, due, null, now);
  console.warn(JSON.stringify({ level: "warn", msg: "inbound effects re-driven", count: due.length }));
  return due.length;
}
