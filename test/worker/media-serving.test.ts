// Stored XSS through inbound media (issue 8, item 3): a WhatsApp sender chooses the MIME type of what it sends.
// Media is served inert, decided when served: inline only for raster images, audio and video; everything else
// as an attachment; every response sandboxed (CSP) and nosniff. Optional separate media origin (MEDIA_BASE_URL).
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { mediaUrl } from "../../worker/inbound/media";
import { call, createDevice, signup } from "./helpers";

const GW = { authorization: "Bearer gw-test:gateway-test-secret" };

async function hostedDevice() {
  const t = await signup();
  const d = await createDevice(t, "baileys");
  await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
  return { t, d };
}

/** What a hostile sender can do today: its phone sends a file with a type of its choosing; the gateway uploads it. */
async function inboundFile(deviceKey: string, type: string, body: string, fileName?: string): Promise<string> {
  const q = fileName ? `?file_name=${encodeURIComponent(fileName)}` : "";
  const up = await call(`/gateway/v1/devices/${deviceKey}/media${q}`, { method: "POST", raw: body, headers: { ...GW, "content-type": type } });
  expect(up.status).toBe(201);
  return up.body.media_id as string;
}

function expectInert(res: { headers: Headers }) {
  expect(res.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
}

describe("media is served inert", () => {
  it("attack: an inbound text/html or image/svg+xml file is an attachment in a sandbox, never a page on Ping's origin", async () => {
    const { t, d } = await hostedDevice();
    for (const [type, body] of [
      ["text/html", "<script>fetch('/api/v1/api-keys',{method:'POST'})</script>"],
      ["image/svg+xml", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'],
      ["application/xhtml+xml", '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'],
      ["text/xml", "<x/>"],
      ["application/javascript", "alert(1)"],
    ]) {
      const id = await inboundFile(d.device_key, type ?? "", body ?? "", "promo.html");
      const res = await call(`/media/${t.businessId}/${id}`);
      expect(res.status, type).toBe(200);
      expect(res.headers.get("content-disposition"), type).toMatch(/^attachment;/);
      expectInert(res);
    }
  });

  it("shows raster images, audio and video inline (sandboxed too), with the file name encoded safely", async () => {
    const { t, d } = await hostedDevice();
    for (const type of ["image/png", "image/jpeg", "image/gif", "image/webp", "audio/ogg", "video/mp4"]) {
      const id = await inboundFile(d.device_key, type, "bytes");
      const res = await call(`/media/${t.businessId}/${id}`);
      expect(res.headers.get("content-type"), type).toBe(type);
      expect(res.headers.get("content-disposition"), type).toBe("inline");
      expectInert(res);
    }
    const named = await inboundFile(d.device_key, "image/jpeg", "bytes", 'bukti "transfer"\r\nX-Evil: 1 ✓.jpg');
    const res = await call(`/media/${t.businessId}/${named}`);
    expect(res.headers.get("content-disposition")).toBe(`inline; filename="bukti _transfer___X-Evil: 1 _.jpg"; filename*=UTF-8''${encodeURIComponent('bukti "transfer"\r\nX-Evil: 1 ✓.jpg')}`);
    expect(res.headers.get("x-evil")).toBeNull();
    for (const type of ["application/pdf", "text/plain", "application/octet-stream", "image/x-icon"]) {
      const id = await inboundFile(d.device_key, type, "bytes", "nota.bin");
      expect((await call(`/media/${t.businessId}/${id}`)).headers.get("content-disposition"), type).toMatch(/^attachment; filename="nota.bin"/);
    }
  });

  it("decides when serving: a file stored earlier with an inline disposition and an HTML type is still an attachment", async () => {
    const t = await signup();
    const id = "L".repeat(32);
    // As the old storeMedia wrote it: Content-Disposition inline in the object's own metadata.
    await env.MEDIA.put(`media/${t.businessId}/${id}`, "<script>alert(1)</script>", {
      httpMetadata: { contentType: "text/html", contentDisposition: 'inline; filename="x.html"' },
      customMetadata: { fileName: "x.html" },
    });
    const res = await call(`/media/${t.businessId}/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="x.html"/);
    expectInert(res);
    // A stored type that is not a media type at all is served as bytes.
    await env.MEDIA.put(`media/${t.businessId}/${"M".repeat(32)}`, "x", { httpMetadata: { contentType: "text/html\r\nSet-Cookie: a=b" } });
    const odd = await call(`/media/${t.businessId}/${"M".repeat(32)}`);
    expect(odd.headers.get("content-disposition")).toBe("attachment");
    expect(odd.headers.get("set-cookie")).toBeNull();
  });
});

describe("separate media origin (MEDIA_BASE_URL)", () => {
  const mediaEnv = { ...env, PUBLIC_BASE_URL: "https://app.ping.test", MEDIA_BASE_URL: "https://media.pingusercontent.test" };
  const ctx = createExecutionContext();

  it("links point at the media origin; the dashboard origin redirects there; the media origin serves media only", async () => {
    const { t, d } = await hostedDevice();
    const id = await inboundFile(d.device_key, "image/png", "png-bytes");
    expect(mediaUrl(mediaEnv, t.businessId, id)).toBe(`https://media.pingusercontent.test/media/${t.businessId}/${id}`);
    expect(mediaUrl(env, t.businessId, id)).toBe(`http://localhost:8787/media/${t.businessId}/${id}`);

    const onApp = await app.fetch(new Request(`https://app.ping.test/media/${t.businessId}/${id}`), mediaEnv, ctx);
    expect(onApp.status).toBe(301);
    expect(onApp.headers.get("location")).toBe(`https://media.pingusercontent.test/media/${t.businessId}/${id}`);

    const onMedia = await app.fetch(new Request(`https://media.pingusercontent.test/media/${t.businessId}/${id}`), mediaEnv, ctx);
    expect(onMedia.status).toBe(200);
    expect(await onMedia.text()).toBe("png-bytes");
    expect(onMedia.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");

    for (const path of ["/app", "/app/login", "/api/v1/me", "/healthz"]) {
      const res = await app.fetch(new Request(`https://media.pingusercontent.test${path}`), mediaEnv, ctx);
      expect(res.status, path).toBe(404);
    }
    const dashboard = await app.fetch(new Request("https://app.ping.test/healthz"), mediaEnv, ctx);
    expect(dashboard.status).toBe(200);
  });
});
