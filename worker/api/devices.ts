// WhatsApp devices (numbers). Staff can see them; admins configure them.
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { assertWithinLimit } from "../billing/limits";
import { database } from "../db/client";
import { deleteDevice, type Device, gatewayLoad, getDevice, insertDevice, listDevices, updateDevice } from "../db/devices";
import { DEVICE_STATUSES, PROVIDERS } from "../db/schema";
import { ApiError, notFound } from "../http/errors";
import type { AppEnv } from "../http/types";
import { decodeCursor, page } from "../lib/cursor";
import { decryptSecret, encryptSecret, toBase64 } from "../lib/crypto";
import { pickGateway } from "../gateway/assignment";
import { deviceSession } from "../durable/stubs";
import { DeviceSettings, DeviceSettingsPatch, effectiveSettings } from "../messaging/settings";
import { checkUrl, guardPolicy } from "../lib/url-guard";
import { apiRouter, authErrors, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";
import type { Context } from "hono";

const DeviceSchema = z
  .object({
    device_key: z.string().openapi({ example: "03359ec3-2052-43ff-9495-6155b8cab4cc" }),
    name: z.string(),
    provider: z.enum(PROVIDERS),
    phone: z.string().nullable(),
    status: z.enum(DEVICE_STATUSES),
    status_reason: z.string().nullable(),
    webhook_url: z.string().nullable(),
    webhook_secret: z.string().optional().openapi({ description: "Standard Webhooks signing secret (admins only)" }),
    gateway_id: z.string().nullable(),
    settings: DeviceSettings.openapi({ description: "Pacing and sending window, with the defaults filled in" }),
    created_at: z.number(),
  })
  .openapi("Device");

const DeviceKeyParam = z.object({ device_key: z.uuid() });

const WebhookUrl = z.url().max(2000);

const CreateDevice = z
  .strictObject({
    name: z.string().trim().min(1).max(80),
    provider: z.enum(PROVIDERS),
    webhook_url: WebhookUrl.nullable().optional(),
  })
  .openapi("CreateDevice");

const PatchDevice = z
  .strictObject({
    name: z.string().trim().min(1).max(80).optional(),
    webhook_url: WebhookUrl.nullable().optional(),
    settings: DeviceSettingsPatch.optional().openapi({ description: "Merged into the current settings" }),
  })
  .openapi("UpdateDevice");

function checkWebhookUrl(c: Context<AppEnv>, url: string | null | undefined): void {
  if (!url) return;
  // The literal check when saved; names are resolved and checked again at every delivery.
  const verdict = checkUrl(url, guardPolicy(c.env, "operator"));
  if (!verdict.ok) throw new ApiError(400, "INVALID_WEBHOOK_URL", `webhook_url: ${verdict.reason}`);
}

async function deviceJson(env: Env, d: Device, withSecret: boolean): Promise<z.infer<typeof DeviceSchema>> {
  return {
    device_key: d.deviceKey,
    name: d.name,
    provider: d.provider,
    phone: d.phone,
    status: d.status,
    status_reason: d.statusReason,
    webhook_url: d.webhookUrl,
    ...(withSecret ? { webhook_secret: await decryptSecret(env.SECRETS_KEY, d.webhookSecretEnc) } : {}),
    gateway_id: d.gatewayId,
    settings: effectiveSettings(d.provider, d.settings),
    created_at: d.createdAt,
  };
}

export const devicesApi = apiRouter();
devicesApi.on(["POST", "PATCH", "DELETE"], "*", requireRole("admin"));

devicesApi
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["devices"],
      security,
      request: { query: ListQuery },
      responses: { 200: jsonContent(listOf(DeviceSchema, "DeviceList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listDevices(database(c.env.DB), c.var.auth.business.id, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (d) => d.deviceKey);
      const items = await Promise.all(p.items.map((d) => deviceJson(c.env, d, false)));
      return c.json({ items, next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["devices"],
      summary: "Add a device (WhatsApp number)",
      security,
      request: jsonBody(CreateDevice),
      responses: { 201: jsonContent(DeviceSchema, "Created"), ...authErrors },
    }),
    async (c) => {
      const body = c.req.valid("json");
      checkWebhookUrl(c, body.webhook_url);
      const db = database(c.env.DB);
      await assertWithinLimit(db, c.var.auth.business, "devices");
      const device = await insertDevice(db, {
        deviceKey: crypto.randomUUID(),
        businessId: c.var.auth.business.id,
        name: body.name,
        provider: body.provider,
        webhookUrl: body.webhook_url ?? null,
        // Standard Webhooks secret: `whsec_` + base64 of 24 random bytes.
        webhookSecretEnc: await encryptSecret(c.env.SECRETS_KEY, `whsec_${toBase64(crypto.getRandomValues(new Uint8Array(24)))}`),
        gatewayId: body.provider === "baileys" ? pickGateway(c.env, await gatewayLoad(db)) : null,
        // A sandbox device needs no pairing: it is usable at once.
        status: body.provider === "sandbox" ? "connected" : "disconnected",
      });
      return c.json(await deviceJson(c.env, device, true), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{device_key}",
      tags: ["devices"],
      security,
      request: { params: DeviceKeyParam },
      responses: { 200: jsonContent(DeviceSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const d = await getDevice(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").device_key);
      if (!d) throw notFound("Device");
      return c.json(await deviceJson(c.env, d, c.var.auth.role !== "staff"), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{device_key}",
      tags: ["devices"],
      security,
      request: { params: DeviceKeyParam, ...jsonBody(PatchDevice) },
      responses: { 200: jsonContent(DeviceSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const body = c.req.valid("json");
      checkWebhookUrl(c, body.webhook_url);
      const db = database(c.env.DB);
      const key = c.req.valid("param").device_key;
      const current = await getDevice(db, c.var.auth.business.id, key);
      if (!current) throw notFound("Device");
      const d = await updateDevice(db, c.var.auth.business.id, key, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.webhook_url !== undefined ? { webhookUrl: body.webhook_url } : {}),
        ...(body.settings !== undefined ? { settings: { ...effectiveSettings(current.provider, current.settings), ...body.settings } } : {}),
      });
      if (!d) throw notFound("Device");
      // The outbox reconsiders what is due under the new pacing at once.
      if (body.settings !== undefined) await deviceSession(c.env, key).refresh();
      return c.json(await deviceJson(c.env, d, true), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{device_key}",
      tags: ["devices"],
      security,
      request: { params: DeviceKeyParam },
      responses: { 200: jsonContent(z.object({ deleted: z.literal(true) })), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const key = c.req.valid("param").device_key;
      const ok = await deleteDevice(database(c.env.DB), c.var.auth.business.id, key);
      if (!ok) throw notFound("Device");
      await deviceSession(c.env, key).revokeGateway("deleted");
      return c.json({ deleted: true as const }, 200);
    },
  );
