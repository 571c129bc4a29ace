// "The public web" for media tests: one loopback server standing in for every public host of the test zone
// (doh-stub.ts), reached through the outbound routing (outbound-routes.ts), which names the host a request was
// meant for in x-forwarded-host. It serves files of each kind, hostile types, oversized bodies and redirects,
// and records every request so tests can prove a refused target was never fetched.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A tiny but real PNG (1×1, transparent) and JPEG header bytes: content, not just a label. */
export const PNG_BYTES = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
export const JPEG_BYTES = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("JFIF test jpeg body"), Buffer.from([0xff, 0xd9])]);
export const OGG_BYTES = Buffer.concat([Buffer.from("OggS"), Buffer.alloc(60, 7)]);
export const PDF_BYTES = Buffer.from("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");

const FILES: Record<string, { type: string; body: Buffer }> = {
  "/img/cat.png": { type: "image/png", body: PNG_BYTES },
  "/img/photo.jpg": { type: "image/jpeg", body: JPEG_BYTES },
  "/audio/voice.ogg": { type: "audio/ogg; codecs=opus", body: OGG_BYTES },
  "/doc/invoice.pdf": { type: "application/pdf", body: PDF_BYTES },
  "/page.html": { type: "text/html; charset=utf-8", body: Buffer.from("<script>alert(document.cookie)</script>") },
  "/img/logo.svg": { type: "image/svg+xml", body: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') },
};

export const MB = 1024 * 1024;

export type OriginHit = { host: string; path: string; authorization?: string; cookie?: string };

export type MediaOrigin = { url: string; hits: OriginHit[]; close: () => Promise<void> };

export function startMediaOrigin(): Promise<MediaOrigin> {
  const hits: OriginHit[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/_hits") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(hits));
    }
    const host = String(req.headers["x-forwarded-host"] ?? req.headers.host ?? "");
    hits.push({
      host,
      path: url.pathname + url.search,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
    });
    const file = FILES[url.pathname];
    if (file) return res.writeHead(200, { "content-type": file.type, "content-length": file.body.length }).end(file.body);
    // /redirect?to=<absolute or relative URL>&status=301|302|303|307|308
    if (url.pathname === "/redirect") {
      return res.writeHead(Number(url.searchParams.get("status") ?? 302), { location: url.searchParams.get("to") ?? "/" }).end();
    }
    // /hops/<n>: n redirects, then the PNG.
    const hops = /^\/hops\/(\d+)$/.exec(url.pathname);
    if (hops) {
      const n = Number(hops[1]);
      return res.writeHead(302, { location: n > 1 ? `/hops/${n - 1}` : "/img/cat.png" }).end();
    }
    // Larger than the image cap (5 MB), announced by Content-Length, or only discovered while reading (chunked).
    if (url.pathname === "/img/huge.jpg") {
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": 6 * MB });
      return res.end(Buffer.alloc(6 * MB, 1));
    }
    if (url.pathname === "/img/huge-chunked.jpg") {
      res.writeHead(200, { "content-type": "image/jpeg" });
      let sent = 0;
      const chunk = Buffer.alloc(256 * 1024, 2);
      const pump = () => {
        while (sent < 6 * MB) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => undefined);
      return pump();
    }
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (status) return res.writeHead(Number(status[1]), { "content-type": "text/plain" }).end("status");
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () =>
      ok({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        hits,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}
