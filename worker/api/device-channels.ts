// Per-device messaging endpoints: the sandbox chat (type as the customer), live status and pairing,
// Cloud API credentials, and the device webhook's delivery log.
import { createRoute, z } from "@hono/zod-openapi";
import { requireActivePackage, requireRole } from "../auth/middleware";
import { database } from "../db/client";
import { getDevice, updateDevice } from "../db/devices";
import { listWebhookDeliveries } from "../db/webhook-deliveries";
import { ApiError, notFound } from "../http/errors";
import type { AppEnv } from "../http/types";
import { decodeCursor, page } from "../lib/cursor";
import { encryptSecret } from "../lib/crypto";
import { normalizePhone, toJid } from "../lib/phone";
import { receiveInbound } from "../inbound/receive";
import { deviceSession } from "../messaging/outbound-consumer";
import { CloudApiConfig } from "../messaging/providers/cloud-api";
import { MessageSchema, messageJson } from "./messages";
import { apiRouter, authErrors, conflictError, jsonBody, jsonContent, ListQuery, listOf, notFoundError, security } from "./openapi";
import type { Context } from "hono";
import { roleAtLeast } from "../auth/roles";
import type { Role } from "../db/schema";

const KeyParam = z.object({ device_key: z.uuid() });

async function ownDevice(c: Context<AppEnv>, key: string) {
  const d = await getDevice(database(c.env.DB), c.var.auth.business.id, key);
  if (!d) throw notFound("Device");
  return d;
}

const SandboxInbound = z
  .strictObject({
    from: z.string().trim().min(3).max(40).openapi({ example: "081234567890" }),
    name: z.string().trim().max(100).optional(),
    text: z.string().min(1).max(4096),
  })
  .openapi("SandboxInbound");

const LiveStatusSchema = z
  .object({
    status: z.string().nullable(),
    qr: z.string().nullable(),
    pairing_code: z.string().nullable(),
    gateway_connected: z.boolean(),
    gateway_id: z.string().nullable(),
    outbox: z.object({ pending: z.number(), leased: z.number() }),
  })
  .openapi("DeviceLiveStatus");

/**
 * A QR or pairing code links a WhatsApp account to the device: whoever sees it can take the number over. Only
 * admins (who may pair) see them; staff see the status without the codes.
 */
export function liveStatusFor<L extends { qr: string | null; pairing_code: string | null }>(live: L, role: Role): L {
  return roleAtLeast(role, "admin") ? live : { ...live, qr: null, pairing_code: null };
}

const DeliverySchema = z
  .object({
    id: z.string(),
    event_id: z.string(),
    attempt: z.number(),
    url: z.string(),
    status_code: z.number().nullable(),
    ok: z.boolean(),
    error: z.string().nullable(),
    duration_ms: z.number(),
    created_at: z.number(),
  })
  .openapi("WebhookDelivery");

export const deviceChannelsApi = apiRouter();
deviceChannelsApi.post("/:device_key/sandbox/inbound", requireActivePackage);
deviceChannelsApi.on(["POST", "PUT"], ["/:device_key/pair", "/:device_key/cloud-api"], requireRole("admin"));

deviceChannelsApi
  .openapi(
    createRoute({
      method: "post",
      path: "/{device_key}/sandbox/inbound",
      tags: ["devices"],
      summary: "Sandbox chat: a message from a pretend customer, through the real inbound path",
      security,
      request: { params: KeyParam, ...jsonBody(SandboxInbound) },
      responses: { 201: jsonContent(z.object({ message: MessageSchema, reply: z.string().nullable() }), "Received"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const device = await ownDevice(c, c.req.valid("param").device_key);
      if (device.provider !== "sandbox") throw new ApiError(400, "NOT_A_SANDBOX_DEVICE", "Only sandbox devices have a sandbox chat");
      const body = c.req.valid("json");
      const phone = normalizePhone(body.from, c.var.auth.business.country);
      if (!phone.ok) throw new ApiError(400, "INVALID_PHONE", phone.reason);
      const jid = toJid(phone.digits);
      const r = await receiveInbound(
        c.env,
        device,
        { providerMessageId: `sandbox-in-${crypto.randomUUID()}`, chatJid: jid, senderJid: jid, senderName: body.name ?? null, timestamp: Date.now(), kind: "text", text: body.text, isGroup: false, isEphemeral: false },
        { sendReply: true, waitUntil: (p) => c.executionCtx.waitUntil(p) },
      );
      if (!r.message) throw notFound("Device");
      return c.json({ message: messageJson(r.message), reply: r.reply?.text ?? null }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{device_key}/live",
      tags: ["devices"],
      summary: "Live status from the device's session (QR, pairing code, gateway, outbox size)",
      security,
      request: { params: KeyParam },
      responses: { 200: jsonContent(LiveStatusSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const d = await ownDevice(c, c.req.valid("param").device_key);
      return c.json(liveStatusFor(await deviceSession(c.env, d.deviceKey).liveStatus(), c.var.auth.role), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{device_key}/pair",
      tags: ["devices"],
      summary: "Ask the device's gateway to start pairing (QR or pairing code)",
      security,
      request: { params: KeyParam, ...jsonBody(z.strictObject({ method: z.enum(["qr", "code"]), phone: z.string().max(30).optional() })) },
      responses: { 202: jsonContent(z.object({ requested: z.literal(true) }), "Requested"), ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      const d = await ownDevice(c, c.req.valid("param").device_key);
      if (d.provider !== "baileys") throw new ApiError(400, "NOT_A_GATEWAY_DEVICE", "Only baileys devices are paired");
      const body = c.req.valid("json");
      let phone: string | undefined;
      if (body.method === "code") {
        const p = normalizePhone(body.phone, c.var.auth.business.country);
        if (!p.ok) throw new ApiError(400, "INVALID_PHONE", p.reason);
        phone = p.digits;
      }
      if (!(await deviceSession(c.env, d.deviceKey).pair(body.method, phone))) {
        throw new ApiError(409, "GATEWAY_NOT_CONNECTED", "No gateway is connected for this device yet; try again in a moment");
      }
      return c.json({ requested: true as const }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{device_key}/cloud-api",
      tags: ["devices"],
      summary: "Set the Cloud API credentials of a cloud_api device (write-only)",
      security,
      request: { params: KeyParam, ...jsonBody(CloudApiConfig) },
      responses: { 200: jsonContent(z.object({ configured: z.literal(true), webhook_url: z.string() })), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const d = await ownDevice(c, c.req.valid("param").device_key);
      if (d.provider !== "cloud_api") throw new ApiError(400, "NOT_A_CLOUD_API_DEVICE", "Only cloud_api devices take Cloud API credentials");
      const cfg = c.req.valid("json");
      if (cfg.graph_api_base && c.env.ALLOW_GRAPH_API_OVERRIDE !== "true") {
        throw new ApiError(400, "GRAPH_API_BASE_NOT_ALLOWED", "graph_api_base is only for local development and tests");
      }
      await updateDevice(database(c.env.DB), d.businessId, d.deviceKey, {
        providerConfigEnc: await encryptSecret(c.env.SECRETS_KEY, JSON.stringify(cfg)),
        status: "connected",
        statusReason: null,
      });
      await deviceSession(c.env, d.deviceKey).refresh();
      return c.json({ configured: true as const, webhook_url: `${c.env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/meta/webhook/${d.deviceKey}` }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{device_key}/webhook-deliveries",
      tags: ["devices"],
      summary: "The device webhook's delivery log: every attempt",
      security,
      request: { params: KeyParam, query: ListQuery },
      responses: { 200: jsonContent(listOf(DeliverySchema, "WebhookDeliveryList")), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const d = await ownDevice(c, c.req.valid("param").device_key);
      const q = c.req.valid("query");
      const rows = await listWebhookDeliveries(database(c.env.DB), d.businessId, d.deviceKey, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (r) => r.id);
      return c.json(
        {
          items: p.items.map((r) => ({ id: r.id, event_id: r.eventId, attempt: r.attempt, url: r.url, status_code: r.statusCode, ok: r.ok, error: r.error, duration_ms: r.durationMs, created_at: r.createdAt })),
          next_cursor: p.next_cursor,
        },
        200,
      );
    },
  );
