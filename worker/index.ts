// Ping's Worker: HTTP (Hono), the outbound queue consumers and the cron sweep.
import { app } from "./app";
import "./auto-reply/modules";
// Registers the opt-out/opt-in keyword module with auto-reply (runs before keyword replies and the AI agent).
import "./broadcasts/opt-out";
import { wakeSnoozed } from "./db/conversations";
import { database } from "./db/client";
import { deleteExpiredAuthTokens } from "./db/auth-tokens";
import { deleteStaleThrottles } from "./db/login-throttles";
import { deleteExpiredSessions } from "./db/sessions";
import { deleteExpiredWebhookLogs } from "./db/webhook-logs";
import { pruneWebhookDeliveries } from "./db/webhook-deliveries";
import { pruneDoneEffects } from "./db/inbound-effects";
import { handleDeviceWebhookBatch, handleDeviceWebhookDeadLetters } from "./inbound/device-webhook";
import { sweepInboundEffects } from "./inbound/effects";
import { handleWebhookEffectsBatch, sweepWebhookCustomers } from "./webhooks/customer-effects";
import { handleOutboundBatch, handleDeadLetterBatch } from "./messaging/outbound-consumer";
import { sweepOutbox } from "./messaging/sweep";
import { sendRenewalReminders } from "./billing/reminders";
import { promoteCommissions } from "./db/affiliate";
import { sweepCampaigns } from "./campaigns/service";

export { DeviceSession } from "./durable/device-session";
export { InboxHub } from "./durable/inbox-hub";
export { ContactImport } from "./durable/contact-import";
export { AiConversation } from "./durable/ai-conversation";
export { LiveChat } from "./durable/live-chat";
export { BroadcastRunner } from "./durable/broadcast-runner";
export { CampaignEngine } from "./durable/campaign-engine";

export default {
  fetch: app.fetch,

  async queue(batch, env, ctx) {
    if (batch.queue === "device-webhooks-dlq") return handleDeviceWebhookDeadLetters(batch, env);
    if (batch.queue.endsWith("-dlq")) return handleDeadLetterBatch(batch, env, ctx);
    if (batch.queue.startsWith("device-webhooks")) return handleDeviceWebhookBatch(batch, env);
    if (batch.queue === "webhook-effects") return handleWebhookEffectsBatch(batch, env);
    return handleOutboundBatch(batch, env, ctx);
  },

  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(deleteExpiredSessions(database(env.DB), Date.now()));
    ctx.waitUntil(deleteExpiredAuthTokens(database(env.DB), Date.now()));
    ctx.waitUntil(deleteStaleThrottles(database(env.DB), Date.now()));
    ctx.waitUntil(deleteExpiredWebhookLogs(database(env.DB), Date.now()));
    ctx.waitUntil(sweepOutbox(env, Date.now()));
    ctx.waitUntil(sweepInboundEffects(env, Date.now()));
    ctx.waitUntil(sweepWebhookCustomers(env, Date.now()));
    ctx.waitUntil(pruneDoneEffects(database(env.DB), Date.now() - 30 * 86_400_000));
    ctx.waitUntil(pruneWebhookDeliveries(database(env.DB), Date.now()));
    ctx.waitUntil(wakeSnoozed(database(env.DB), Date.now()));
    ctx.waitUntil(sendRenewalReminders(env, database(env.DB), Date.now()));
    ctx.waitUntil(promoteCommissions(database(env.DB), Date.now()));
    ctx.waitUntil(sweepCampaigns(env, Date.now()));
  },
} satisfies ExportedHandler<Env>;
