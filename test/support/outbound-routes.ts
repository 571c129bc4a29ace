// The test network's routing, given to miniflare as the Worker's `outboundService` (tests only; Ping's code has
// no switch for it): a fetch to a host of the test zone (*.example.com/.net/.org, see doh-stub.ts) is carried
// to the loopback media origin, as the internet would carry it to that host; every other fetch (the local
// servers on 127.0.0.1) goes out unchanged. The Worker's URL guard still decides, from the DoH stub's answers,
// whether it fetches at all, so a public name is fetchable in tests while 127.0.0.1 itself stays refused.

const TEST_HOST = /(^|\.)example\.(com|net|org)$/i;

// Hop-by-hop and framing headers the Node fetch sets itself.
const DROP_REQUEST = new Set(["host", "connection", "keep-alive", "transfer-encoding", "upgrade", "content-length"]);

type Fetcher = (request: Request) => Promise<Response>;

export function outboundRoutes(mediaOrigin: string): Fetcher {
  return async (request) => {
    const target = new URL(request.url);
    const headers = new Headers();
    request.headers.forEach((value, key) => {
      if (!DROP_REQUEST.has(key.toLowerCase())) headers.set(key, value);
    });
    let url = request.url;
    if (TEST_HOST.test(target.hostname)) {
      url = `${mediaOrigin}${target.pathname}${target.search}`;
      headers.set("x-forwarded-host", target.hostname);
      headers.set("x-forwarded-proto", target.protocol.replace(":", ""));
    }
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    const res = await fetch(url, { method: request.method, headers, body, redirect: "manual" });
    const out = new Headers(res.headers);
    // Node's fetch has already decoded a compressed body.
    if (out.has("content-encoding")) {
      out.delete("content-encoding");
      out.delete("content-length");
    }
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers: out });
  };
}
