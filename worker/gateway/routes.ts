// The Worker side of the gateway channel: which devices a gateway hosts, the per-device WebSocket (forwarded
// to the device's DeviceSession after authentication), inbound media uploads into R2, and the media of send
// jobs, read by id (the gateway never fetches a URL a tenant chose).
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { MediaId, PROTOCOL_VERSION } from "../../protocol/gateway-protocol";
import { database } from "../db/client";
import { type Device, getDeviceByKey, listGatewayDevices } from "../db/devices";
import { ApiError } from "../http/errors";
import { validationHook } from "../http/validation";
import { getMediaObject } from "../db/media-objects";
import { MAX_MEDIA_BYTES, mediaKey, storeMedia } from "../inbound/media";
import { mimeEssence } from "../media/kinds";
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
    const mime = mimeEssence(c.req.header("content-type"));
    if (!mime) throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be the media's MIME type");
    const length = Number(c.req.header("content-length") ?? "NaN");
    if (!Number.isFinite(length)) throw new ApiError(411, "LENGTH_REQUIRED", "Content-Length is required");
    if (length > MAX_MEDIA_BYTES) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `Media larger than ${MAX_MEDIA_BYTES} bytes`);
    if (length === 0 || !c.req.raw.body) throw new ApiError(400, "EMPTY_BODY", "The body is the media bytes");
    const fileName = c.req.query("file_name")?.slice(0, 255);
    const stored = await storeMedia(c.env, { businessId: device.businessId, deviceKey: device.deviceKey, direction: "in" }, c.req.raw.body, mime, fileName);
    return c.json(stored, 201);
  })
  /**
   * A send job's media, by id. Only media the Worker fetched for a send from this very device, which this gateway
   * hosts: another device's or another business's media is a 404, whatever the gateway knows about it.
   */
  .get("/devices/:device_key/media/:media_id", zValidator("param", DeviceParam.extend({ media_id: MediaId }), validationHook), async (c) => {
    const { device_key, media_id } = c.req.valid("param");
    const device = await hostedDevice(c.env, c.var.gatewayId, device_key);
    const media = await getMediaObject(database(c.env.DB), device.businessId, media_id);
    const obj = media && media.direction === "out" && media.deviceKey === device.deviceKey ? await c.env.MEDIA.get(mediaKey(device.businessId, media_id)) : null;
    if (!media || !obj) throw new ApiError(404, "MEDIA_NOT_FOUND", "No media with this id for this device");
    return new Response(obj.body, {
      headers: { "content-type": media.mimeType, "content-length": String(obj.size), "cache-control": "private, no-store", "x-content-type-options": "nosniff" },
    });
  });
