// The one URL guard: the address classifier (table and property tests against an independent RFC 6890 oracle),
// the literal URL check, and the resolved check through the DoH stub in both formats, failing closed.
import { env } from "cloudflare:test";
import dnsPacket from "dns-packet";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ResolverConfig, resolveHost } from "../../worker/lib/dns-over-https";
import { decodeAnswers, encodeQuery } from "../../worker/lib/dns-wire";
import { addressRange, checkUrl, checkUrlResolved, type GuardPolicy, guardPolicy, guardUrl } from "../../worker/lib/url-guard";
import { servers } from "./servers";

const MEDIA: GuardPolicy = { allowLoopback: false, ownOrigins: [{ hostname: "ping.example.co.id", port: "443" }] };
const DEV_OPERATOR: GuardPolicy = { allowLoopback: true, ownOrigins: [{ hostname: "localhost", port: "8787" }] };

// The oracle: IPv4 special-purpose blocks (RFC 6890 and successors), written out here independently of ipaddr.js.
const V4_SPECIAL: [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];
const toInt = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const toIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
const inV4Special = (ip: string) => V4_SPECIAL.some(([base, bits]) => Math.floor(toInt(ip) / 2 ** (32 - bits)) === Math.floor(toInt(base) / 2 ** (32 - bits)));

const anyV4 = fc.integer({ min: 0, max: 2 ** 32 - 1 }).map(toIp);
const specialV4 = fc
  .tuple(fc.constantFrom(...V4_SPECIAL), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
  .map(([[base, bits], r]) => toIp(toInt(base) + (bits === 32 ? 0 : r % 2 ** (32 - bits))));
const hex16 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const v4AsHexPair = (ip: string) => {
  const n = toInt(ip);
  return `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
};

describe("address classifier", () => {
  it("names every refused range the issue lists (table)", () => {
    const table: [string, string][] = [
      ["127.0.0.1", "loopback"],
      ["127.255.0.9", "loopback"],
      ["10.1.2.3", "private"],
      ["172.16.0.1", "private"],
      ["172.31.255.255", "private"],
      ["192.168.1.1", "private"],
      ["169.254.169.254", "linkLocal"],
      ["100.64.0.1", "carrierGradeNat"],
      ["100.127.255.254", "carrierGradeNat"],
      ["224.0.0.251", "multicast"],
      ["239.255.255.250", "multicast"],
      ["255.255.255.255", "broadcast"],
      ["0.0.0.0", "unspecified"],
      ["192.0.2.10", "reserved"],
      ["198.18.0.1", "reserved"],
      ["240.0.0.1", "reserved"],
      ["::1", "loopback"],
      ["::", "unspecified"],
      ["fe80::1", "linkLocal"],
      ["ff02::1", "multicast"],
      ["fc00::1", "uniqueLocal"],
      ["fd12:3456::1", "uniqueLocal"],
      ["fec0::1", "deprecatedSiteLocal"],
      ["::ffff:127.0.0.1", "ipv4Mapped"],
      ["::ffff:8.8.8.8", "ipv4Mapped"],
      ["::7f00:1", "ipv4Compatible"],
      ["64:ff9b::a00:1", "rfc6052"],
      ["64:ff9b::8.8.8.8", "rfc6052"],
      ["2002:a00:1::1", "6to4"],
      ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"],
      ["2001:db8::1", "reserved"],
      ["100::1", "discard"],
      ["127.1", "invalid"],
      ["0x7f.0.0.1", "invalid"],
      ["not-an-ip", "invalid"],
    ];
    for (const [ip, range] of table) expect(addressRange(ip), ip).toBe(range);
    expect(addressRange("::127.0.0.1")).not.toBe("public");
    for (const ip of ["8.8.8.8", "93.184.215.14", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"]) {
      expect(addressRange(ip), ip).toBe("public");
    }
  });

  it("agrees with the RFC 6890 oracle on every IPv4 address", () => {
    fc.assert(fc.property(anyV4, (ip) => (addressRange(ip) === "public") === !inV4Special(ip)), { numRuns: 5000 });
    fc.assert(fc.property(specialV4, (ip) => addressRange(ip) !== "public"), { numRuns: 2000 });
  });

  it("refuses every IPv4 address embedded in IPv6 (mapped, compatible, NAT64, 6to4), public or not", () => {
    fc.assert(
      fc.property(anyV4, (ip) => {
        for (const v6 of [`::ffff:${ip}`, `::ffff:${v4AsHexPair(ip)}`, `64:ff9b::${ip}`, `2002:${v4AsHexPair(ip)}::1`]) {
          if (addressRange(v6) === "public") return false;
          if (checkUrl(`http://[${v6}]/x`, DEV_OPERATOR).ok) return false;
        }
        return toInt(ip) === 0 || toInt(ip) === 1 || addressRange(`::${ip}`) !== "public";
      }),
      { numRuns: 1000 },
    );
  });

  it("calls only global unicast IPv6 (2000::/3, less its special blocks) public", () => {
    fc.assert(
      fc.property(fc.array(hex16, { minLength: 8, maxLength: 8 }), (parts) => {
        const ip = parts.join(":");
        const first = parseInt(parts[0] ?? "0", 16);
        if (addressRange(ip) === "public") return first >= 0x2000 && first <= 0x3fff && first !== 0x2002;
        return true;
      }),
      { numRuns: 3000 },
    );
    fc.assert(fc.property(fc.array(hex16, { minLength: 7, maxLength: 7 }), (rest) => addressRange(["fd00", ...rest].join(":")) === "uniqueLocal"));
    fc.assert(fc.property(fc.array(hex16, { minLength: 6, maxLength: 6 }), (rest) => addressRange(["2001", "0", ...rest].join(":")) === "teredo"));
  });
});

describe("literal URL check", () => {
  it("refuses numeric host forms, trailing dots, special names, credentials and non-http schemes", () => {
    const refused = [
      "http://2130706433/",
      "http://0x7f.1/",
      "http://0x7f000001/",
      "http://017700000001/",
      "http://0177.0.0.1/",
      "http://127.1/",
      "http://%31%32%37.0.0.1/",
      "http://1572395042/", // 93.184.215.34, public, but only the a.b.c.d form is accepted
      "http://cdn.example.com./img.png",
      "http://localhost./",
      "http://localhost/",
      "http://foo.localhost/",
      "http://metadata.google.internal/",
      "http://printer.local/",
      "http://router.home.arpa/",
      "http://intranet/",
      "http://1.1.1.1.in-addr.arpa/",
      "http://user:pw@cdn.example.com/",
      "ftp://cdn.example.com/x",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "http://[::1]/",
      "http://[::ffff:169.254.169.254]/",
      "http://[64:ff9b::7f00:1]/",
      "http://[fe80::1]/",
      "http://169.254.169.254/latest/meta-data",
      "http://100.100.100.200/",
      "https://ping.example.co.id/gateway/v1/devices",
      "https://PING.example.co.id:8443/media/x",
      "not a url",
    ];
    for (const url of refused) expect(checkUrl(url, MEDIA).ok, url).toBe(false);
    fc.assert(
      fc.property(anyV4, (ip) => {
        const n = toInt(ip);
        return [`http://${n}/`, `http://0x${n.toString(16)}/`, `http://0${n.toString(8)}/`].every((u) => !checkUrl(u, MEDIA).ok);
      }),
      { numRuns: 500 },
    );
    fc.assert(fc.property(fc.domain(), (d) => !checkUrl(`https://${d}./x`, MEDIA).ok));
  });

  it("accepts public names and public dotted quads", () => {
    for (const url of ["https://cdn.example.com/img/cat.png", "http://93.184.215.14/x.jpg", "https://[2606:4700:4700::1111]/a", "https://toko.co.id:8443/p.pdf"]) {
      expect(checkUrl(url, MEDIA), url).toMatchObject({ ok: true });
    }
  });

  it("lets an operator target use loopback only when allowed, and never the Worker's own origin", () => {
    expect(checkUrl("http://127.0.0.1:9000/hook", DEV_OPERATOR).ok).toBe(true);
    expect(checkUrl("http://localhost:9000/hook", DEV_OPERATOR).ok).toBe(true);
    expect(checkUrl("http://[::1]:9000/hook", DEV_OPERATOR).ok).toBe(true);
    // The Worker itself listens on localhost:8787 in development: by name and by loopback address.
    for (const url of ["http://localhost:8787/gateway/v1/devices", "http://127.0.0.1:8787/gateway/v1/devices", "http://[::1]:8787/x"]) {
      expect(checkUrl(url, DEV_OPERATOR), url).toMatchObject({ ok: false, reason: expect.stringMatching(/own origin/) });
    }
    expect(checkUrl("http://10.0.0.1/hook", DEV_OPERATOR).ok).toBe(false);
  });

  it("derives the policy from the environment: loopback never for media, own origins from PUBLIC_BASE_URL and MEDIA_BASE_URL", () => {
    const vars = { ALLOW_LOOPBACK_WEBHOOKS: "true", PUBLIC_BASE_URL: "https://app.ping.co.id", MEDIA_BASE_URL: "https://media.ping.co.id" };
    expect(guardPolicy(vars, "media")).toEqual({
      allowLoopback: false,
      ownOrigins: [
        { hostname: "app.ping.co.id", port: "443" },
        { hostname: "media.ping.co.id", port: "443" },
      ],
    });
    expect(guardPolicy(vars, "operator").allowLoopback).toBe(true);
    expect(guardPolicy({ ...vars, ALLOW_LOOPBACK_WEBHOOKS: "false" }, "operator").allowLoopback).toBe(false);
    expect(checkUrl("http://127.0.0.1:9000/x", guardPolicy(vars, "media")).ok).toBe(false);
    expect(checkUrl("https://media.ping.co.id/media/x", guardPolicy(vars, "operator")).ok).toBe(false);
  });
});

describe("DNS over HTTPS (local DoH stub)", () => {
  const wire = (): ResolverConfig => ({ url: servers().doh, format: "wire", timeoutMs: 3000 });
  const json = (): ResolverConfig => ({ ...wire(), format: "json" });

  it("resolves A and AAAA in wire and JSON format, following CNAMEs", async () => {
    for (const cfg of [wire(), json()]) {
      expect(await resolveHost(cfg, "cdn.example.com"), cfg.format).toEqual({ ok: true, addresses: ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"] });
      expect(await resolveHost(cfg, "alias.example.org"), cfg.format).toMatchObject({ ok: true, addresses: expect.arrayContaining(["93.184.215.14"]) });
    }
  });

  it("reports every failure: NXDOMAIN, SERVFAIL, resolver down, malformed answer, resolver unreachable", async () => {
    for (const cfg of [wire(), json()]) {
      for (const name of ["nope.example.com", "servfail.example.com", "down.example.com", "garbage.example.com"]) {
        expect(await resolveHost(cfg, name), `${cfg.format} ${name}`).toMatchObject({ ok: false });
      }
    }
    expect(await resolveHost({ url: "http://127.0.0.1:9/dns-query", format: "wire", timeoutMs: 1000 }, "cdn.example.com")).toMatchObject({ ok: false });
  });

  it("refuses names whose answers are not all public, and fails closed when the lookup fails", async () => {
    const resolve = (host: string) => resolveHost(wire(), host);
    expect(await checkUrlResolved("https://cdn.example.com/img/cat.png", MEDIA, resolve)).toMatchObject({ ok: true });
    const refused = [
      "intranet.example.com",
      "metadata.example.com",
      "cgnat.example.com",
      "loopback.example.com",
      "mapped.example.com",
      "nat64.example.com",
      "teredo.example.com",
      "sixtofour.example.com",
      "ula.example.com",
      "sitelocal.example.com",
      "mixed.example.com",
      "private-alias.example.org",
      "empty.example.com",
    ];
    for (const host of refused) expect(await checkUrlResolved(`https://${host}/x`, MEDIA, resolve), host).toMatchObject({ ok: false });
    for (const host of ["servfail.example.com", "down.example.com", "garbage.example.com", "nope.example.com"]) {
      expect(await checkUrlResolved(`https://${host}/x`, MEDIA, resolve), host).toMatchObject({ ok: false, transient: true });
    }
  });

  it("is what the Worker uses: DNS_RESOLVER_URL from the environment, loopback answers only for operator targets", async () => {
    expect(await guardUrl(env, "media", "https://cdn.example.com/img/cat.png")).toMatchObject({ ok: true });
    expect(await guardUrl(env, "media", "http://loopback.example.com:9000/x")).toMatchObject({ ok: false });
    expect(await guardUrl(env, "operator", "http://loopback.example.com:9000/x")).toMatchObject({ ok: true });
    expect(await guardUrl(env, "operator", "http://intranet.example.com/x")).toMatchObject({ ok: false });
    expect(await guardUrl({ ...env, DNS_RESOLVER_URL: "http://127.0.0.1:9/dns-query" }, "operator", "https://cdn.example.com/x")).toMatchObject({ ok: false, transient: true });
  });
});

describe("DNS wire format", () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
  const name = fc.array(label, { minLength: 2, maxLength: 5 }).map((l) => l.join("."));
  const v6 = fc.array(hex16, { minLength: 8, maxLength: 8 }).map((p) => p.join(":"));

  it("writes queries an independent decoder (dns-packet) reads back", () => {
    fc.assert(
      fc.property(name, fc.constantFrom("A" as const, "AAAA" as const), (n, type) => {
        const q = dnsPacket.decode(Buffer.from(encodeQuery(n, type)));
        return q.questions?.[0]?.name === n && q.questions[0].type === type && ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) !== 0;
      }),
    );
  });

  it("reads the addresses and rcode of answers an independent encoder (dns-packet) wrote, CNAMEs and compression included", () => {
    fc.assert(
      fc.property(name, name, fc.array(anyV4, { maxLength: 5 }), fc.array(v6, { maxLength: 5 }), fc.constantFrom(0, 2, 3), (n, alias, v4s, v6s, rcode) => {
        const packet = dnsPacket.encode({
          type: "response",
          id: 0,
          flags: dnsPacket.RECURSION_AVAILABLE | rcode,
          questions: [{ name: n, type: "A", class: "IN" }],
          answers: [
            { name: n, type: "CNAME", class: "IN", ttl: 30, data: alias },
            ...v4s.map((data) => ({ name: alias, type: "A" as const, class: "IN" as const, ttl: 30, data })),
            ...v6s.map((data) => ({ name: alias, type: "AAAA" as const, class: "IN" as const, ttl: 30, data })),
          ],
        });
        const got = decodeAnswers(new Uint8Array(packet));
        const norm = (ip: string) => (ip.includes(":") ? ip.split(":").map((p) => parseInt(p, 16).toString(16)).join(":") : ip);
        expect(got.rcode).toBe(rcode);
        expect(got.addresses).toEqual([...v4s, ...v6s.map(norm)]);
      }),
      { numRuns: 300 },
    );
  });

  it("throws on truncated or non-response messages instead of guessing", () => {
    expect(() => decodeAnswers(new Uint8Array([0, 0, 0x81]))).toThrow();
    expect(() => decodeAnswers(encodeQuery("cdn.example.com", "A"))).toThrow(/not a DNS response/);
    const full = dnsPacket.encode({ type: "response", id: 0, questions: [{ name: "a.example.com", type: "A", class: "IN" }], answers: [{ name: "a.example.com", type: "A", class: "IN", ttl: 1, data: "1.2.3.4" }] });
    fc.assert(fc.property(fc.integer({ min: 12, max: full.length - 1 }), (cut) => {
      expect(() => decodeAnswers(new Uint8Array(full.subarray(0, cut)))).toThrow();
    }));
  });
});
