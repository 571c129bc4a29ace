// Business settings. The webhook URL is derived (read-only); provider secrets are write-only.
import { createRoute, z } from "@hono/zod-openapi";
import { isSupportedCountry } from "libphonenumber-js/min";
import { requireRole } from "../auth/middleware";
import { type Business, type BusinessPatch, updateBusiness } from "../db/businesses";
import { database } from "../db/client";
import { ApiError, notFound } from "../http/errors";
import { normalizePhone } from "../lib/phone";
import { encryptSecret } from "../lib/crypto";
import { forgetWebhookContext } from "../webhooks/context-cache";
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
  })
  .openapi("UpdateSettings");

export function settingsJson(env: Env, b: Business): z.infer<typeof SettingsSchema> {
  return {
    business_id: b.id,
    name: b.name,
    timezone: b.timezone,
    country: b.country,
    locale: b.locale,
    webhook_url: `${env.PUBLIC_BASE_URL.replace(/\/$/, "")}/webhook/${b.id}`,
    scalev_signing_secret_set: b.scalevSigningSecretEnc !== null,
    lynk_merchant_key_set: b.lynkMerchantKeyEnc !== null,
    custom_webhook_secret_set: b.customWebhookSecretEnc !== null,
    webhook_log_retention_days: b.webhookLogRetentionDays,
    owner_phone: b.ownerPhone,
  };
}

async function sealed(env: Env, v: string | null | undefined): Promise<string | null | undefined> {
  if (v === undefined || v === null) return v;
  return encryptSecret(env.SECRETS_KEY, v);
}

export const settingsApi = apiRouter();
settingsApi.on("PATCH", "*", requireRole("admin"));

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
  );
