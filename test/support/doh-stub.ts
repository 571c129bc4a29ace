// A DNS-over-HTTPS server on loopback for the URL guard's tests, answering a fixed test zone in both formats a
// real resolver speaks: RFC 8484 wire format (GET ?dns=…, POST application/dns-message; encoded by dns-packet,
// an implementation independent of ours) and the JSON API of Cloudflare/Google (GET ?name=…&type=…).
// Names outside the zone are NXDOMAIN; some names make the resolver itself fail, so fail-closed is testable.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import dnsPacket from "dns-packet";

export type ZoneEntry = { A?: string[]; AAAA?: string[]; CNAME?: string; rcode?: number; httpStatus?: number; garbage?: boolean };

const RCODE = { SERVFAIL: 2, NXDOMAIN: 3 } as const;

/** Public-looking names answer with public addresses; tests reach them through the outbound routing (outbound-routes.ts). */
export const TEST_ZONE: Record<string, ZoneEntry> = {
  "cdn.example.com": { A: ["93.184.215.14"], AAAA: ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"] },
  "files.example.net": { A: ["93.184.215.15"] },
  "alias.example.org": { CNAME: "cdn.example.com" },
  "intranet.example.com": { A: ["10.0.0.7"] },
  "metadata.example.com": { A: ["169.254.169.254"] },
  "cgnat.example.com": { A: ["100.64.1.1"] },
  "loopback.example.com": { A: ["127.0.0.1"] },
  "mapped.example.com": { AAAA: ["::ffff:127.0.0.1"] },
  "nat64.example.com": { AAAA: ["64:ff9b::a00:7"] },
  "teredo.example.com": { AAAA: ["2001:0:4136:e378:8000:63bf:3fff:fdd2"] },
  "sixtofour.example.com": { AAAA: ["2002:a00:7::1"] },
  "ula.example.com": { AAAA: ["fd12:3456::1"] },
  "sitelocal.example.com": { AAAA: ["fec0::1"] },
  "mixed.example.com": { A: ["93.184.215.14"], AAAA: ["fd00::1"] },
  "private-alias.example.org": { CNAME: "intranet.example.com" },
  "empty.example.com": {},
  "servfail.example.com": { rcode: RCODE.SERVFAIL },
  "down.example.com": { httpStatus: 503 },
  "garbage.example.com": { garbage: true },
};

type Rr = { name: string; type: "A" | "AAAA" | "CNAME"; data: string };

function answer(zone: Record<string, ZoneEntry>, name: string, type: "A" | "AAAA"): { rcode: number; answers: Rr[]; entry?: ZoneEntry } {
  const answers: Rr[] = [];
  let current = name.toLowerCase().replace(/\.$/, "");
  const first = zone[current];
  if (!first) return { rcode: RCODE.NXDOMAIN, answers };
  for (let hops = 0; hops < 8; hops++) {
    const entry = zone[current];
    if (!entry) break;
    if (entry.rcode) return { rcode: entry.rcode, answers: [], entry };
    if (entry.CNAME) {
      answers.push({ name: current, type: "CNAME", data: entry.CNAME });
      current = entry.CNAME;
      continue;
    }
    for (const data of entry[type] ?? []) answers.push({ name: current, type, data });
    break;
  }
  return { rcode: 0, answers, entry: first };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export type DohStub = { url: string; queries: { name: string; type: string; format: "wire" | "json" }[]; close: () => Promise<void> };

/** Serves the zone at http://127.0.0.1:<port>/dns-query. */
export function startDohStub(zone: Record<string, ZoneEntry> = TEST_ZONE): Promise<DohStub> {
  const queries: DohStub["queries"] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname !== "/dns-query") return res.writeHead(404).end();
      const body = req.method === "POST" ? await readBody(req) : null;
      const dnsParam = url.searchParams.get("dns");
      if (body || dnsParam) {
        const query = dnsPacket.decode(body ?? Buffer.from(dnsParam ?? "", "base64url"));
        const q = query.questions?.[0];
        if (!q || (q.type !== "A" && q.type !== "AAAA")) return res.writeHead(400).end();
        queries.push({ name: q.name, type: q.type, format: "wire" });
        const a = answer(zone, q.name, q.type);
        if (a.entry?.httpStatus) return res.writeHead(a.entry.httpStatus).end("resolver down");
        if (a.entry?.garbage) return res.writeHead(200, { "content-type": "application/dns-message" }).end(Buffer.from([0x81, 0x80, 0, 1]));
        const packet = dnsPacket.encode({
          type: "response",
          id: query.id ?? 0,
          flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | a.rcode,
          questions: [q],
          answers: a.answers.map((rr) => ({ name: rr.name, type: rr.type, class: "IN", ttl: 60, data: rr.data })),
        });
        return res.writeHead(200, { "content-type": "application/dns-message" }).end(packet);
      }
      const name = url.searchParams.get("name") ?? "";
      const type = (url.searchParams.get("type") ?? "A").toUpperCase();
      if (type !== "A" && type !== "AAAA") return res.writeHead(400).end();
      queries.push({ name, type, format: "json" });
      const a = answer(zone, name, type);
      if (a.entry?.httpStatus) return res.writeHead(a.entry.httpStatus).end("resolver down");
      if (a.entry?.garbage) return res.writeHead(200, { "content-type": "application/dns-json" }).end("{not json");
      const code = { A: 1, AAAA: 28, CNAME: 5 };
      res.writeHead(200, { "content-type": "application/dns-json" });
      res.end(
        JSON.stringify({
          Status: a.rcode,
          TC: false,
          RD: true,
          RA: true,
          AD: false,
          CD: false,
          Question: [{ name, type: code[type] }],
          ...(a.answers.length ? { Answer: a.answers.map((rr) => ({ name: rr.name, type: code[rr.type], TTL: 60, data: rr.data })) } : {}),
        }),
      );
    })();
  });
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () =>
      ok({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dns-query`,
        queries,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}
