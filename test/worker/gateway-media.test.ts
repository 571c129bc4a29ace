// Media jobs over the gateway channel: the job carries a media id (never a URL), and the gateway reads the file
// from the Worker by id with its credential, only for a device assigned to it and only that device's send media.
import { describe, expect, it } from "vitest";
import { PNG_BYTES } from "../support/media-origin";
import { openGateway } from "./gateway-client";
import { call, createDevice, signup } from "./helpers";

const GW = { authorization: "Bearer gw-test:gateway-test-secret" };
const OTHER_GW = { authorization: "Bearer gw-other:other-gateway-secret" };

async function pinned(t: Awaited<ReturnType<typeof signup>>, gateway = "gw-test") {
  const d = await createDevice(t, "baileys");
  await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: gateway }, headers: { authorization: "Bearer operator-test-token" } });
  await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { pacing_enabled: false } }, cookie: t.cookie });
  return d;
}

async function mediaSend(t: Awaited<ReturnType<typeof signup>>, deviceKey: string) {
  const r = await call("/api/v1/messages", {
    cookie: t.cookie,
    json: { device_key: deviceKey, to: "081234567890", media: { kind: "image", url: `https://cdn.example.com/img/cat.png?${crypto.randomUUID()}`, mime_type: "image/png", caption: "katalog" } },
  });
  expect(r.status).toBe(202);
  return r.body as { id: string; content: { media_id: string } };
}

describe("gateway media jobs", () => {
  it("a media job carries the media id and no URL; the gateway downloads the bytes by id", async () => {
    const t = await signup();
    const d = await pinned(t);
    const sent = await mediaSend(t, d.device_key);
    const gw = await openGateway(d.device_key);
    gw.send({ type: "hello", v: 1, gateway_id: "gw-test", status: "connected" });
    await gw.next("welcome");
    gw.send({ type: "credit", n: 1 });
    const job = await gw.next("job");
    expect(job.content).toEqual({ kind: "image", media_id: sent.content.media_id, mime_type: "image/png", size: PNG_BYTES.length, caption: "katalog" });
    expect(JSON.stringify(job)).not.toMatch(/https?:/);

    const file = await call(`/gateway/v1/devices/${d.device_key}/media/${sent.content.media_id}`, { headers: GW });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(file.headers.get("content-length")).toBe(String(PNG_BYTES.length));
    gw.close();
  });

  it("refuses another gateway, another device's media, inbound media, a bad id and no credential", async () => {
    const t = await signup();
    const d = await pinned(t);
    const sibling = await pinned(t);
    const otherGwDevice = await pinned(t, "gw-other");
    const mine = await mediaSend(t, d.device_key);
    const siblings = await mediaSend(t, sibling.device_key);
    const path = (device: string, id: string) => `/gateway/v1/devices/${device}/media/${id}`;

    // Another gateway cannot read through a device it does not host…
    expect((await call(path(d.device_key, mine.content.media_id), { headers: OTHER_GW })).status).toBe(403);
    // …nor through its own device with a media id of another device (same business or not).
    const viaOwn = await call(path(otherGwDevice.device_key, mine.content.media_id), { headers: OTHER_GW });
    expect(viaOwn.status).toBe(404);
    expect(viaOwn.body.error_code).toBe("MEDIA_NOT_FOUND");
    expect((await call(path(d.device_key, siblings.content.media_id), { headers: GW })).status).toBe(404);
    const stranger = await signup("Toko Lain");
    const strangers = await pinned(stranger);
    expect((await call(path(strangers.device_key, mine.content.media_id), { headers: GW })).status).toBe(404);

    // Inbound media uploaded for the device is not a send's media.
    const up = await call(`/gateway/v1/devices/${d.device_key}/media`, { method: "POST", raw: "bytes", headers: { ...GW, "content-type": "image/jpeg" } });
    expect(up.status).toBe(201);
    expect((await call(path(d.device_key, up.body.media_id), { headers: GW })).status).toBe(404);

    expect((await call(path(d.device_key, "not-a-media-id"), { headers: GW })).status).toBe(400);
    expect((await call(path(d.device_key, mine.content.media_id))).status).toBe(401);
  });
});
