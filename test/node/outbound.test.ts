import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { JobContent } from "../../protocol/gateway-protocol";
import { WorkerApi } from "../../gateway-node/src/channel/worker-api";
import { messageContent, recipientJid, SendError, typingDelay } from "../../gateway-node/src/session/outbound";

const policy = { msPerChar: 40, minMs: 800, maxMs: 6000 };
const IMG = "A".repeat(32);
const GONE = "G".repeat(32);
const BUSY = "B".repeat(32);

describe("outbound jobs", () => {
  it("types for a time proportional to the text, bounded; the Worker's value wins; 0 disables", () => {
    expect(typingDelay({ kind: "text", text: "ok" }, 0, policy)).toBe(800);
    expect(typingDelay({ kind: "text", text: "x".repeat(50) }, 0, policy)).toBe(2000);
    expect(typingDelay({ kind: "text", text: "x".repeat(5000) }, 0, policy)).toBe(6000);
    expect(typingDelay({ kind: "image", media_id: IMG, size: 3, mime_type: "image/jpeg", caption: "x".repeat(100) }, 0, policy)).toBe(4000);
    expect(typingDelay({ kind: "text", text: "hi" }, 1234, policy)).toBe(1234);
    expect(typingDelay({ kind: "text", text: "hi" }, 0, { ...policy, msPerChar: 0 })).toBe(0);
  });

  it("addresses phone numbers and JIDs", () => {
    expect(recipientJid("6281234567890")).toBe("6281234567890@s.whatsapp.net");
    expect(recipientJid("6281234567890@s.whatsapp.net")).toBe("6281234567890@s.whatsapp.net");
    expect(recipientJid("120363000000@g.us")).toBe("120363000000@g.us");
    expect(() => recipientJid("123")).toThrow(SendError);
  });

  it("builds Baileys content for every kind, downloading media from the Worker by id with the gateway's credentials", async () => {
    const seen: { path?: string; auth?: string }[] = [];
    const server = createServer((req, res) => {
      seen.push({ path: req.url, auth: req.headers.authorization });
      if (req.url?.endsWith("/media/" + GONE)) return res.writeHead(404).end();
      if (req.url?.endsWith("/media/" + BUSY)) return res.writeHead(503).end();
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from(`bytes of ${req.url}`));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const addr = server.address();
    const base = `http://127.0.0.1:${addr && typeof addr === "object" ? addr.port : 0}`;
    const api = new WorkerApi({ pingUrl: base, gatewayId: "gw-1", gatewaySecret: "s".repeat(20) });
    const device = "0b6c3c0e-8f0a-4c1e-9d55-2a3f1c7e9b10";
    const fetchMedia = (id: string) => api.downloadMedia(device, id);
    const path = (id: string) => `/gateway/v1/devices/${device}/media/${id}`;

    expect(await messageContent({ kind: "text", text: "halo" }, fetchMedia)).toEqual({ text: "halo" });
    expect(await messageContent({ kind: "location", latitude: -6.2, longitude: 106.8, name: "Toko", address: "Jl. Sudirman" }, fetchMedia)).toEqual({
      location: { degreesLatitude: -6.2, degreesLongitude: 106.8, name: "Toko", address: "Jl. Sudirman" },
    });
    const image = await messageContent({ kind: "image", media_id: IMG, size: 10, mime_type: "image/jpeg", caption: "promo" }, fetchMedia);
    expect(image).toMatchObject({ image: Buffer.from(`bytes of ${path(IMG)}`), mimetype: "image/jpeg", caption: "promo" });
    expect(await messageContent({ kind: "video", media_id: IMG, size: 10, mime_type: "video/mp4" }, fetchMedia)).toMatchObject({ mimetype: "video/mp4" });
    expect(await messageContent({ kind: "audio", media_id: IMG, size: 10, mime_type: "audio/ogg; codecs=opus" }, fetchMedia)).toMatchObject({ ptt: true });
    expect(await messageContent({ kind: "document", media_id: IMG, size: 10, mime_type: "application/pdf", file_name: "invoice.pdf" }, fetchMedia)).toMatchObject({
      fileName: "invoice.pdf",
      mimetype: "application/pdf",
    });
    expect(seen.every((s) => s.auth === `Bearer gw-1:${"s".repeat(20)}` && s.path === path(IMG))).toBe(true);

    await expect(messageContent({ kind: "image", media_id: GONE, size: 1, mime_type: "image/png" }, fetchMedia)).rejects.toMatchObject({ retryable: false });
    await expect(messageContent({ kind: "image", media_id: BUSY, size: 1, mime_type: "image/png" }, fetchMedia)).rejects.toMatchObject({ retryable: true });
    // Only ids go into the Worker's path: anything else (a URL, a path) is refused before any request.
    const before = seen.length;
    await expect(api.downloadMedia(device, "https://evil.example/x.jpg")).rejects.toMatchObject({ retryable: false });
    await expect(api.downloadMedia(device, "../../devices")).rejects.toMatchObject({ retryable: false });
    expect(seen.length).toBe(before);
    server.close();
  });

  it("has no way left to fetch a URL: the job schema carries media ids only", () => {
    expect("fetchMedia" in WorkerApi.prototype).toBe(false);
    expect(JobContent.safeParse({ kind: "image", media_url: "http://localhost:8787/gateway/v1/devices", mime_type: "image/png" }).success).toBe(false);
    expect(JobContent.safeParse({ kind: "image", media_id: IMG, size: 3, mime_type: "image/png" }).success).toBe(true);
  });
});
