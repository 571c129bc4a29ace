// The AI agent's settings (the API key is write-only, stored encrypted) and its token usage per day.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, gte } from "drizzle-orm";
import { requireRole } from "../auth/middleware";
import { packageLimits, usagePeriod } from "../billing/limits";
import { type AiSettings, type AiSettingsPatch, getAiSettings, updateAiSettings } from "../db/ai-settings";
import { type Channel, getChannel, listChannels, webChatChannel, whatsappChannel } from "../db/channels";
import { getDevice } from "../db/devices";
import { database } from "../db/client";
import { AI_HOURS_MODES, usageCounters } from "../db/schema";
import { ApiError } from "../http/errors";
import { encryptSecret } from "../lib/crypto";
import { checkUrl, guardPolicy } from "../lib/url-guard";
import { runTurn } from "../ai/turn";
import { apiRouter, authErrors, jsonBody, jsonContent, security } from "./openapi";

const Minutes = z.number().int().min(0).max(1439);
const SettingsSchema = z
  .object({
    channel_ids: z.array(z.string()).openapi({ description: "Channels (WhatsApp devices' and the website chat's) the agent answers on" }),
    device_keys: z.array(z.string()).openapi({ description: "The WhatsApp devices among them" }),
    web_chat: z.boolean(),
    persona: z.string(),
    instructions: z.string(),
    model: z.string(),
    temperature: z.number(),
    max_reply_chars: z.number(),
    base_url: z.string(),
    api_key_set: z.boolean().openapi({ description: "The key itself is never returned" }),
    hours_mode: z.enum(AI_HOURS_MODES),
    hours_start: z.number().openapi({ description: "Business hours start, minutes after midnight (business time zone)" }),
    hours_end: z.number(),
    debounce_ms: z.number(),
    max_wait_ms: z.number(),
    groups_enabled: z.boolean(),
    handoff_keywords: z.array(z.string()),
    handoff_minutes: z.number().openapi({ description: "How long a handoff keeps the bot quiet (0: until an agent releases it)" }),
    human_silence_minutes: z.number().openapi({ description: "How long a human reply keeps the bot quiet" }),
    fallback_text: z.string(),
    updated_at: z.number().nullable(),
  })
  .openapi("AiSettings");

const PutSettings = z
  .strictObject({
    channel_ids: z.array(z.string().min(1).max(100)).max(50),
    device_keys: z.array(z.uuid()).max(50).openapi({ description: "Instead of channel_ids: the devices (with web_chat) the agent answers on" }),
    web_chat: z.boolean(),
    persona: z.string().max(2000),
    instructions: z.string().max(4000),
    model: z.string().trim().min(1).max(100),
    temperature: z.number().min(0).max(2),
    max_reply_chars: z.number().int().min(100).max(4000),
    base_url: z.string().trim().url().max(500),
    api_key: z.string().min(1).max(500).nullable().openapi({ description: "Write-only; null removes it" }),
    hours_mode: z.enum(AI_HOURS_MODES),
    hours_start: Minutes,
    hours_end: Minutes,
    debounce_ms: z.number().int().min(0).max(60_000),
    max_wait_ms: z.number().int().min(0).max(300_000),
    groups_enabled: z.boolean(),
    handoff_keywords: z.array(z.string().trim().min(1).max(50)).max(30),
    handoff_minutes: z.number().int().min(0).max(7 * 1440),
    human_silence_minutes: z.number().int().min(0).max(7 * 1440),
    fallback_text: z.string().trim().min(1).max(1000),
  })
  .partial()
  .openapi("UpdateAiSettings");

function settingsJson(s: AiSettings, chans: Channel[]): z.infer<typeof SettingsSchema> {
  const on = chans.filter((c) => s.channelIds.includes(c.id));
  return {
    channel_ids: s.channelIds,
    device_keys: on.flatMap((c) => (c.deviceKey ? [c.deviceKey] : [])),
    web_chat: on.some((c) => c.kind === "web"),
    persona: s.persona,
    instructions: s.instructions,
    model: s.model,
    temperature: s.temperature,
    max_reply_chars: s.maxReplyChars,
    base_url: s.baseUrl,
    api_key_set: s.apiKeyEnc !== null,
    hours_mode: s.hoursMode,
    hours_start: s.hoursStart,
    hours_end: s.hoursEnd,
    debounce_ms: s.debounceMs,
    max_wait_ms: s.maxWaitMs,
    groups_enabled: s.groupsEnabled,
    handoff_keywords: s.handoffKeywords,
    handoff_minutes: s.handoffMinutes,
    human_silence_minutes: s.humanSilenceMinutes,
    fallback_text: s.fallbackText,
    updated_at: s.updatedAt,
  };
}

export const aiSettingsApi = apiRouter();
aiSettingsApi.on(["PUT"], "*", requireRole("admin"));

aiSettingsApi
  .openapi(createRoute({ method: "get", path: "/", tags: ["ai"], security, responses: { 200: jsonContent(SettingsSchema), ...authErrors } }), async (c) => {
    const db = database(c.env.DB);
    return c.json(settingsJson(await getAiSettings(db, c.var.auth.business.id), await listChannels(db, c.var.auth.business.id)), 200);
  })
  .openapi(
    createRoute({ method: "put", path: "/", tags: ["ai"], security, request: jsonBody(PutSettings), responses: { 200: jsonContent(SettingsSchema), ...authErrors } }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const b = c.req.valid("json");
      if (b.base_url !== undefined) {
        // The literal check when saved; the name is resolved and checked again before every model call.
        const verdict = checkUrl(b.base_url, guardPolicy(c.env, "operator"));
        if (!verdict.ok) throw new ApiError(400, "INVALID_BASE_URL", `base_url: ${verdict.reason}`);
      }
      for (const id of b.channel_ids ?? []) if (!(await getChannel(db, businessId, id))) throw new ApiError(400, "UNKNOWN_CHANNEL", `channel_ids: ${id} is not a channel of this business`);
      let channelIds = b.channel_ids;
      if (b.device_keys !== undefined || b.web_chat !== undefined) {
        channelIds = [];
        for (const key of b.device_keys ?? []) {
          const device = await getDevice(db, businessId, key);
          if (!device) throw new ApiError(400, "UNKNOWN_DEVICE", `device_keys: ${key} is not a device of this business`);
          channelIds.push((await whatsappChannel(db, device)).id);
        }
        if (b.web_chat) channelIds.push((await webChatChannel(db, businessId)).id);
      }
      const patch: AiSettingsPatch = {
        channelIds,
        persona: b.persona,
        instructions: b.instructions,
        model: b.model,
        temperature: b.temperature,
        maxReplyChars: b.max_reply_chars,
        baseUrl: b.base_url,
        hoursMode: b.hours_mode,
        hoursStart: b.hours_start,
        hoursEnd: b.hours_end,
        debounceMs: b.debounce_ms,
        maxWaitMs: b.max_wait_ms,
        groupsEnabled: b.groups_enabled,
        handoffKeywords: b.handoff_keywords,
        handoffMinutes: b.handoff_minutes,
        humanSilenceMinutes: b.human_silence_minutes,
        fallbackText: b.fallback_text,
      };
      if (b.api_key !== undefined) patch.apiKeyEnc = b.api_key === null ? null : await encryptSecret(c.env.SECRETS_KEY, b.api_key);
      const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as AiSettingsPatch;
      return c.json(settingsJson(await updateAiSettings(db, businessId, clean), await listChannels(db, businessId)), 200);
    },
  );

// "Try it" (the dashboard's AI page): one synchronous turn on a text, with the saved settings and knowledge, no
// conversation (no history, no orders), counted in usage. Admins only: it spends the business's AI budget.
aiSettingsApi.post("/try", requireRole("admin"));
aiSettingsApi.openapi(
  createRoute({
    method: "post",
    path: "/try",
    tags: ["ai"],
    security,
    summary: "Ask the agent once, as a customer would (counted in usage; nothing is sent)",
    request: jsonBody(z.strictObject({ text: z.string().trim().min(1).max(2000) }).openapi("TryAi")),
    responses: { 200: jsonContent(z.object({ reply: z.string().nullable(), outcome: z.string() }).openapi("TryAiResult")), ...authErrors },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const business = c.var.auth.business;
    const settings = await getAiSettings(db, business.id);
    const out = await runTurn({ env: c.env, business, settings, contactId: null, history: [{ direction: "in", source: "inbound", text: c.req.valid("json").text, at: Date.now() }] });
    if (out.kind === "over_budget") return c.json({ reply: null, outcome: "usage_cap" }, 200);
    return c.json({ reply: out.parts.join("\n\n") || null, outcome: out.kind === "answer" ? "answer" : `handoff: ${out.detail}` }, 200);
  },
);

const UsageSchema = z
  .object({
    limit_per_day: z.number().nullable().openapi({ description: "The package's ai_tokens_per_day (null: unlimited)" }),
    days: z.array(z.object({ day: z.string(), tokens: z.number() })),
  })
  .openapi("AiUsage");

export const aiUsageApi = apiRouter();
aiUsageApi.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["ai"],
    security,
    summary: "AI tokens per day (Asia/Jakarta days), the last `days` days, oldest first",
    request: { query: z.object({ days: z.coerce.number().int().min(1).max(90).default(30) }) },
    responses: { 200: jsonContent(UsageSchema), ...authErrors },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const business = c.var.auth.business;
    const n = c.req.valid("query").days;
    const now = Date.now();
    const days = Array.from({ length: n }, (_, i) => usagePeriod("ai_tokens_per_day", now - (n - 1 - i) * 86_400_000));
    const rows = await db
      .select({ period: usageCounters.period, amount: usageCounters.amount })
      .from(usageCounters)
      .where(and(eq(usageCounters.businessId, business.id), eq(usageCounters.metric, "ai_tokens_per_day"), gte(usageCounters.period, days[0] ?? "")))
      .all();
    const by = new Map(rows.map((r) => [r.period, r.amount]));
    const limits = await packageLimits(db, business);
    return c.json({ limit_per_day: limits.ai_tokens_per_day, days: days.map((day) => ({ day, tokens: by.get(day) ?? 0 })) }, 200);
  },
);
