// Business settings. The webhook URL is derived (read-only); provider secrets are write-only.
import { createRoute, z } from "@hono/zod-openapi";
import { isSupportedCountry } from "libphonenumber-js/min";
import { requireRole } from "../auth/middleware";
import { type Business, type BusinessPatch, updateBusiness } from "../db/businesses";
import { database } from "../db/client";
import { ApiError, notFound } from "../http/errors";
import { WEBHOOK_SOURCES } from "../db/schema";
import { normalizePhone } from "../lib/phone";
import { encryptSecret, randomToken, sha256Hex } from "../lib/crypto";
import { forgetWebhookContext } from "../webhooks/context-cache";
import { hasAnyCredential, sourceState } from "../webhooks/signature-policy";
import { sourceById } from "../webhooks/sources";
import { apiRouter, authErrors, jsonBody, jsonContent, security } from "./openapi";

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const Secret = z.string().min(1).max(500).nullable();

const SettingsSchema = z
  .object({
    business_id: z.string(),
    name: z.string(),
    timezone: z.string(),
    country: z.string(),
    locale: z.enum(["id", "en"]),
    webhook_url: z.string().openapi({ example: "https://chat.ping.co.id/webhook/6f1c…" }),
    scalev_signing_secret_set: z.boolean(),
    lynk_merchant_key_set: z.boolean(),
    custom_webhook_secret_set: z.boolean(),
    webhook_log_retention_days: z.number(),
    owner_phone: z.string().nullable().openapi({ description: "Owner's WhatsApp number (62…) for renewal reminders", example: "6281234567890" }),
    webhook_unsigned_allowed: z.array(z.enum(WEBHOOK_SOURCES)),
    webhook_token_set: z.boolean().openapi({ description: "A secret token URL exists (its token is shown only when created)" }),
    webhook_secured: z.boolean().openapi({ description: "False: no secret and no token, anyone who knows the webhook URL can fire its rules" }),
    webhook_sources: z
      .array(
        z.object({
          source: z.enum(WEBHOOK_SOURCES),
          secret_set: z.boolean(),
          unsigned_allowed: z.boolean(),
          state: z.enum(["signed", "unsigned_allowed", "refused", "open"]),
        }),
      )
      .openapi({ description: "Per source: signed (signature required), unsigned_allowed, refused (403 UNSIGNED_SOURCE) or open (no credential at all)" }),
  })
  .openapi("Settings");

const PatchSettings = z
  .strictObject({
    name: z.string().trim().min(1).max(120).optional(),
    timezone: z.string().refine(validTimeZone, "unknown IANA time zone").optional(),
    country: z
      .string()
      .length(2)
      .transform((s) => s.toUpperCase())
      .refine((s) => isSupportedCountry(s), "unknown country code")
      .optional(),
    locale: z.enum(["id", "en"]).optional(),
    scalev_signing_secret: Secret.optional(),
    lynk_merchant_key: Secret.optional(),
    custom_webhook_secret: Secret.optional(),
    webhook_log_retention_days: z.number().int().min(1).max(365).optional(),
    // 08…, +62…, 62… accepted; stored as digits. null removes it.
    owner_phone: z.string().trim().min(5).max(30).nullable().optional(),
    webhook_unsigned_allowed: z
      .array(z.enum(WEBHOOK_SOURCES))
      .max(WEBHOOK_SOURCES.length)
      .transform((l) => [...new Set(l)])
      .optional()
      .openapi({ description: "Sources whose unsigned events are accepted although the business has a secret" }),
  })
  .openapi("UpdateSettings");

export function settingsJson(env: Env, b: Business): z.infer<typeof SettingsSchema> {
  return {
    business_id: b.id,
    name: b.name,
    timezone: b.timezone,
    country: b.country,
    locale: b.locale,
    webhook_url: webhookBase(env, b.id),
    scalev_signing_secret_set: b.scalevSigningSecretEnc !== null,
    lynk_merchant_key_set: b.lynkMerchantKeyEnc !== null,
    custom_webhook_secret_set: b.customWebhookSecretEnc !== null,
    webhook_log_retention_days: b.webhookLogRetentionDays,
    owner_phone: b.ownerPhone,
    webhook_unsigned_allowed: b.webhookUnsignedAllowed,
    webhook_token_set: b.webhookTokenHash !== null,
    webhook_secured: hasAnyCredential(b),
    webhook_sources: WEBHOOK_SOURCES.map((source) => ({
      source,
      secret_set: b[sourceById(source).secretColumn] !== null,
      unsigned_allowed: b.webhookUnsignedAllowed.includes(source),
      state: sourceState(b, source),
    })),
  };
}

const webhookBase = (env: Env, businessId: string) => `${env.PUBLIC_BASE_URL.replace(/\/$/, "")}/webhook/${businessId}`;

async function sealed(env: Env, v: string | null | undefined): Promise<string | null | undefined> {
  if (v === undefined || v === null) return v;
  return encryptSecret(env.SECRETS_KEY, v);
}

export const settingsApi = apiRouter();
settingsApi.on(["PATCH", "POST", "DELETE"], "*", requireRole("admin"));

settingsApi
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["settings"],
      security,
      responses: { 200: jsonContent(SettingsSchema), ...authErrors },
    }),
    (c) => c.json(settingsJson(c.env, c.var.auth.business), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/",
      tags: ["settings"],
      summary: "Update settings; secrets are write-only (send null to remove one)",
      security,
      request: jsonBody(PatchSettings),
      responses: { 200: jsonContent(SettingsSchema), ...authErrors },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const patch: BusinessPatch = {};
      if (body.name !== undefined) patch.name = body.name;
      if (body.timezone !== undefined) patch.timezone = body.timezone;
      if (body.country !== undefined) patch.country = body.country;
      if (body.locale !== undefined) patch.locale = body.locale;
      if (body.webhook_log_retention_days !== undefined) patch.webhookLogRetentionDays = body.webhook_log_retention_days;
      if (body.owner_phone !== undefined) {
        const p = body.owner_phone === null ? null : normalizePhone(body.owner_phone, body.country ?? c.var.auth.business.country);
        if (p && !p.ok) throw new ApiError(400, "INVALID_PHONE", `owner_phone: ${p.reason}`);
        patch.ownerPhone = p ? p.digits : null;
      }
      if (body.webhook_unsigned_allowed !== undefined) patch.webhookUnsignedAllowed = body.webhook_unsigned_allowed;
      const scalev = await sealed(c.env, body.scalev_signing_secret);
      if (scalev !== undefined) patch.scalevSigningSecretEnc = scalev;
      const lynk = await sealed(c.env, body.lynk_merchant_key);
      if (lynk !== undefined) patch.lynkMerchantKeyEnc = lynk;
      const custom = await sealed(c.env, body.custom_webhook_secret);
      if (custom !== undefined) patch.customWebhookSecretEnc = custom;
      const updated = await updateBusiness(database(c.env.DB), c.var.auth.business.id, patch);
      if (!updated) throw notFound("Business");
      forgetWebhookContext(updated.id);
      return c.json(settingsJson(c.env, updated), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/webhook-token",
      tags: ["settings"],
      summary: "Create (or rotate) the secret token webhook URL; the URL is in this response only, the old one stops working",
      security,
      responses: { 201: jsonContent(z.object({ webhook_token_url: z.string() }), "Created"), ...authErrors },
    }),
    async (c) => {
      const token = randomToken(32);
      const updated = await updateBusiness(database(c.env.DB), c.var.auth.business.id, { webhookTokenHash: await sha256Hex(token) });
      if (!updated) throw notFound("Business");
      forgetWebhookContext(updated.id);
      return c.json({ webhook_token_url: `${webhookBase(c.env, updated.id)}/${token}` }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/webhook-token",
      tags: ["settings"],
      summary: "Remove the secret token webhook URL",
      security,
      responses: { 200: jsonContent(SettingsSchema), ...authErrors },
    }),
    async (c) => {
      const updated = await updateBusiness(database(c.env.DB), c.var.auth.business.id, { webhookTokenHash: null });
      if (!updated) throw notFound("Business");
      forgetWebhookContext(updated.id);
      return c.json(settingsJson(c.env, updated), 200);
    },
  );
