import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { WorkerApi } from "../../gateway-node/src/channel/worker-api";
import { messageContent, recipientJid, SendError, typingDelay } from "../../gateway-node/src/session/outbound";

const policy = { msPerChar: 40, minMs: 800, maxMs: 6000 };

describe("outbound jobs", () => {
  it("types for a time proportional to the text, bounded; the Worker's value wins; 0 disables", () => {
    expect(typingDelay({ kind: "text", text: "ok" }, 0, policy)).toBe(800);
    expect(typingDelay({ kind: "text", text: "x".repeat(50) }, 0, policy)).toBe(2000);
    expect(typingDelay({ kind: "text", text: "x".repeat(5000) }, 0, policy)).toBe(6000);
    expect(typingDelay({ kind: "image", media_url: "https://x.test/a.jpg", mime_type: "image/jpeg", caption: "x".repeat(100) }, 0, policy)).toBe(4000);
    expect(typingDelay({ kind: "text", text: "hi" }, 1234, policy)).toBe(1234);
    expect(typingDelay({ kind: "text", text: "hi" }, 0, { ...policy, msPerChar: 0 })).toBe(0);
  });

  it("addresses phone numbers and JIDs", () => {
    expect(recipientJid("6281234567890")).toBe("6281234567890@s.whatsapp.net");
    expect(recipientJid("6281234567890@s.whatsapp.net")).toBe("6281234567890@s.whatsapp.net");
    expect(recipientJid("120363000000@g.us")).toBe("120363000000@g.us");
    expect(() => recipientJid("123")).toThrow(SendError);
  });

  it("builds Baileys content for every kind, fetching media from the Worker with the gateway's credentials", async () => {
    const seen: { path?: string; auth?: string }[] = [];
    const server = createServer((req, res) => {
      seen.push({ path: req.url, auth: req.headers.authorization });
      if (req.url === "/media/b/gone") return res.writeHead(404).end();
      if (req.url === "/media/b/busy") return res.writeHead(503).end();
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from(`bytes of ${req.url}`));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const addr = server.address();
    const base = `http://127.0.0.1:${addr && typeof addr === "object" ? addr.port : 0}`;
    const api = new WorkerApi({ pingUrl: base, gatewayId: "gw-1", gatewaySecret: "s".repeat(20) });
    const fetchMedia = (u: string) => api.fetchMedia(u);

    expect(await messageContent({ kind: "text", text: "halo" }, fetchMedia)).toEqual({ text: "halo" });
    expect(await messageContent({ kind: "location", latitude: -6.2, longitude: 106.8, name: "Toko", address: "Jl. Sudirman" }, fetchMedia)).toEqual({
      location: { degreesLatitude: -6.2, degreesLongitude: 106.8, name: "Toko", address: "Jl. Sudirman" },
    });
    const image = await messageContent({ kind: "image", media_url: `${base}/media/b/i.jpg`, mime_type: "image/jpeg", caption: "promo" }, fetchMedia);
    expect(image).toMatchObject({ image: Buffer.from("bytes of /media/b/i.jpg"), mimetype: "image/jpeg", caption: "promo" });
    expect(await messageContent({ kind: "video", media_url: `${base}/media/b/v.mp4`, mime_type: "video/mp4" }, fetchMedia)).toMatchObject({ mimetype: "video/mp4" });
    expect(await messageContent({ kind: "audio", media_url: `${base}/media/b/a.ogg`, mime_type: "audio/ogg; codecs=opus" }, fetchMedia)).toMatchObject({ ptt: true });
    expect(await messageContent({ kind: "document", media_url: `${base}/media/b/d.pdf`, mime_type: "application/pdf", file_name: "invoice.pdf" }, fetchMedia)).toMatchObject({
      fileName: "invoice.pdf",
      mimetype: "application/pdf",
    });
    expect(seen.every((s) => s.auth === `Bearer gw-1:${"s".repeat(20)}`)).toBe(true);

    await expect(messageContent({ kind: "image", media_url: `${base}/media/b/gone`, mime_type: "image/png" }, fetchMedia)).rejects.toMatchObject({ retryable: false });
    await expect(messageContent({ kind: "image", media_url: `${base}/media/b/busy`, mime_type: "image/png" }, fetchMedia)).rejects.toMatchObject({ retryable: true });
    // Media on another host never receives the gateway's credentials.
    const other = new WorkerApi({ pingUrl: "http://127.0.0.2:9", gatewayId: "gw-1", gatewaySecret: "s".repeat(20) });
    await other.fetchMedia(`${base}/media/b/x.jpg`);
    expect(seen.at(-1)?.auth).toBeUndefined();
    server.close();
  });
});
