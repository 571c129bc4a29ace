// The Worker side of the gateway channel: which devices a gateway hosts, the per-device WebSocket (forwarded
// to the device's DeviceSession after authentication) and inbound media uploads into R2.
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { PROTOCOL_VERSION } from "../../protocol/gateway-protocol";
import { database } from "../db/client";
import { type Device, getDeviceByKey, listGatewayDevices } from "../db/devices";
import { ApiError } from "../http/errors";
import { validationHook } from "../http/validation";
import { MAX_MEDIA_BYTES, storeMedia } from "../inbound/media";
import { deviceSession } from "../durable/stubs";
import { type GatewayEnv, requireGateway } from "./auth";

const DeviceParam = z.object({ device_key: z.uuid() });

/** The device must exist, use the baileys provider and be assigned to the calling gateway. */
async function hostedDevice(env: Env, gatewayId: string, deviceKey: string): Promise<Device> {
  const device = await getDeviceByKey(database(env.DB), deviceKey);
  if (!device) throw new ApiError(404, "DEVICE_NOT_FOUND", "Device not found (deleted?): stop hosting it");
  if (device.provider !== "baileys" || device.gatewayId !== gatewayId) {
    throw new ApiError(403, "DEVICE_NOT_ASSIGNED", "This device is not assigned to this gateway");
  }
  return device;
}

export const gatewayApi = new Hono<GatewayEnv>()
  .use(requireGateway)
  .get("/devices", async (c) => {
    const rows = await listGatewayDevices(database(c.env.DB), c.var.gatewayId);
    return c.json({
      protocol_version: PROTOCOL_VERSION,
      gateway_id: c.var.gatewayId,
      items: rows.map((d) => ({ device_key: d.deviceKey, name: d.name, phone: d.phone, status: d.status })),
    });
  })
  .get("/devices/:device_key/ws", zValidator("param", DeviceParam, validationHook), async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "UPGRADE_REQUIRED", "This endpoint is a WebSocket");
    }
    const { device_key } = c.req.valid("param");
    await hostedDevice(c.env, c.var.gatewayId, device_key);
    const headers = new Headers(c.req.raw.headers);
    headers.delete("authorization");
    headers.set("x-ping-gateway-id", c.var.gatewayId);
    headers.set("x-ping-device-key", device_key);
    return deviceSession(c.env, device_key).fetch(new Request(c.req.raw.url, { headers }));
  })
  .post("/devices/:device_key/media", zValidator("param", DeviceParam, validationHook), async (c) => {
    const device = await hostedDevice(c.env, c.var.gatewayId, c.req.valid("param").device_key);
    const mime = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!/^[a-z]+\/[a-z0-9.+-]+$/.test(mime)) throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be the media's MIME type");
    const length = Number(c.req.header("content-length") ?? "NaN");
    if (!Number.isFinite(length)) throw new ApiError(411, "LENGTH_REQUIRED", "Content-Length is required");
    if (length > MAX_MEDIA_BYTES) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `Media larger than ${MAX_MEDIA_BYTES} bytes`);
    if (length === 0 || !c.req.raw.body) throw new ApiError(400, "EMPTY_BODY", "The body is the media bytes");
    const fileName = c.req.query("file_name")?.slice(0, 255);
    const stored = await storeMedia(c.env, device.businessId, c.req.raw.body, mime, fileName);
    return c.json(stored, 201);
  });
