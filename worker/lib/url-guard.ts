// The one URL guard. Every fetch of a URL that someone outside Ping's operations chose (media of sends, device
// webhooks, later AI endpoints) passes here first, so a tenant cannot point Ping at its own origin, its
// internal networks or cloud metadata (SSRF). Addresses are classified by ipaddr.js (maintained IANA ranges),
// never by hand-written prefixes: only global unicast is public. Names are resolved over DNS-over-HTTPS and
// every A/AAAA answer must be public; a lookup that fails refuses (fail closed). docs/security.md.
import ipaddr from "ipaddr.js";
import { type Resolution, resolveHost, resolverConfig } from "./dns-over-https";

/** Who chose the target. `operator` targets (device webhooks, a local model server) may use loopback in development. */
export type TargetPurpose = "media" | "operator";

export type OwnOrigin = { hostname: string; port: string };

export type GuardPolicy = {
  /** Loopback addresses (127.0.0.0/8, ::1, localhost) allowed: local development and tests, operator targets only. */
  allowLoopback: boolean;
  /** The Worker's own origins (PUBLIC_BASE_URL, MEDIA_BASE_URL): always refused, whatever allowLoopback says. */
  ownOrigins: readonly OwnOrigin[];
};

/** `transient`: refused only because the name could not be looked up now; a later attempt may pass. */
export type Verdict = { ok: true; url: URL } | { ok: false; reason: string; transient?: boolean };

/** Names that never lead to the public internet (RFC 6761, RFC 6762, RFC 8375, RFC 9476 and common private zones). */
const SPECIAL_SUFFIXES = ["localhost", "local", "localdomain", "internal", "intranet", "lan", "home", "corp", "home.arpa", "arpa", "test", "invalid", "example", "onion", "alt"];

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

function effectivePort(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

export function ownOrigin(base: string): OwnOrigin | null {
  try {
    const url = new URL(base);
    return { hostname: url.hostname.toLowerCase().replace(/\.$/, ""), port: effectivePort(url) };
  } catch {
    return null;
  }
}

/** The policy for a purpose: loopback only for operator targets and only when ALLOW_LOOPBACK_WEBHOOKS=true. */
export function guardPolicy(env: Pick<Env, "ALLOW_LOOPBACK_WEBHOOKS" | "PUBLIC_BASE_URL" | "MEDIA_BASE_URL">, purpose: TargetPurpose): GuardPolicy {
  const origins = [env.PUBLIC_BASE_URL, env.MEDIA_BASE_URL].filter((u): u is string => typeof u === "string" && u !== "");
  return {
    allowLoopback: purpose === "operator" && env.ALLOW_LOOPBACK_WEBHOOKS === "true",
    ownOrigins: origins.map(ownOrigin).filter((o): o is OwnOrigin => o !== null),
  };
}

/**
 * The range an address is in: "public" for global unicast, otherwise the refused range's name (loopback,
 * private, linkLocal, carrierGradeNat, multicast, reserved, ipv4Mapped, ipv4Compatible, rfc6052 (NAT64),
 * 6to4, teredo, uniqueLocal, deprecatedSiteLocal, …), or "invalid" for what is not an address.
 */
export function addressRange(ip: string): string {
  if (!ipaddr.isValid(ip)) return "invalid";
  const addr = ipaddr.parse(ip);
  if (addr.kind() === "ipv4") {
    // ipaddr.parse also takes 127.1 and 0x7f.0.0.1: only the four-part decimal form is an answer we accept.
    if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) return "invalid";
    const range = addr.range();
    return range === "unicast" ? "public" : range;
  }
  const v6 = addr as ipaddr.IPv6;
  const range = v6.range();
  if (range !== "unicast") return range;
  // Outside 2000::/3 nothing is routable today; ::a.b.c.d (IPv4-compatible, RFC 4291 deprecated) has its own name.
  if (v6.parts.slice(0, 6).every((p) => p === 0)) return "ipv4Compatible";
  return v6.match(GLOBAL_UNICAST_V6) ? "public" : "reserved";
}

function loopbackName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/** A URL hostname (name, a.b.c.d or [v6]) that means this machine. */
function isLoopbackHost(hostname: string): boolean {
  return loopbackName(hostname) || addressRange(hostname.replace(/^\[|\]$/g, "")) === "loopback";
}

/** Why an address may not be fetched, or null when it may. */
function addressProblem(ip: string, port: string, policy: GuardPolicy): string | null {
  const range = addressRange(ip);
  if (range === "public") return null;
  if (range === "loopback" && policy.allowLoopback) {
    // In development the Worker itself listens on loopback: that origin stays refused.
    const own = policy.ownOrigins.some((o) => o.port === port && isLoopbackHost(o.hostname));
    return own ? "the Worker's own origin is not allowed" : null;
  }
  return `${ip} is not a public address (${range})`;
}

/** The host exactly as written in the URL string (before the URL parser turns 0x7f.1 into 127.0.0.1). */
function writtenHost(raw: string): string {
  const rest = raw.trim().replace(/^[a-z][a-z0-9+.-]*:[\\/]*/i, "");
  const authority = rest.split(/[/?#\\]/)[0] ?? "";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  if (hostPort.startsWith("[")) return hostPort.slice(0, hostPort.indexOf("]") + 1);
  return hostPort.replace(/:\d*$/, "");
}

/** The literal check: scheme, credentials, the host's written form and its name or address. No network. */
export function checkUrl(raw: string, policy: GuardPolicy): Verdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "only http and https URLs are allowed" };
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed" };
  const host = url.hostname.toLowerCase();
  if (!host) return { ok: false, reason: "the URL has no host" };
  if (host.endsWith(".")) return { ok: false, reason: "a host written with a trailing dot is not allowed" };
  const port = effectivePort(url);
  // Any port of the Worker's public host is its own zone; on a loopback host (development) only its own port.
  if (policy.ownOrigins.some((o) => o.hostname === host && (o.port === port || !isLoopbackHost(o.hostname)))) {
    return { ok: false, reason: "the Worker's own origin is not allowed" };
  }
  if (host.startsWith("[")) {
    const problem = addressProblem(host.slice(1, -1), port, policy);
    return problem ? { ok: false, reason: problem } : { ok: true, url };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) {
    // 2130706433, 0x7f.1, 017700000001, 127.1 and percent-encoded forms all parse to a dotted quad.
    if (writtenHost(raw).toLowerCase() !== host) return { ok: false, reason: "numeric host forms other than a.b.c.d are not allowed" };
    const problem = addressProblem(host, port, policy);
    return problem ? { ok: false, reason: problem } : { ok: true, url };
  }
  if (loopbackName(host)) {
    return policy.allowLoopback && !policy.ownOrigins.some((o) => o.port === port && isLoopbackHost(o.hostname))
      ? { ok: true, url }
      : { ok: false, reason: "this host is not reachable from Ping" };
  }
  if (!host.includes(".")) return { ok: false, reason: "a single-label host is not a public name" };
  if (SPECIAL_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))) return { ok: false, reason: "this host is not reachable from Ping" };
  return { ok: true, url };
}

/** The full check before a fetch: the literal check, then every A and AAAA answer of the name. */
export async function checkUrlResolved(raw: string, policy: GuardPolicy, resolve: (host: string) => Promise<Resolution>): Promise<Verdict> {
  const literal = checkUrl(raw, policy);
  if (!literal.ok) return literal;
  const host = literal.url.hostname.toLowerCase();
  if (host.startsWith("[") || ipaddr.IPv4.isValidFourPartDecimal(host) || loopbackName(host)) return literal;
  const answer = await resolve(host);
  if (!answer.ok) return { ok: false, reason: `${host}: ${answer.reason}; refused because the address could not be checked`, transient: true };
  if (answer.addresses.length === 0) return { ok: false, reason: `${host} has no A or AAAA record` };
  const port = effectivePort(literal.url);
  for (const ip of answer.addresses) {
    const problem = addressProblem(ip, port, policy);
    if (problem) return { ok: false, reason: `${host} resolves to a refused address: ${problem}` };
  }
  return literal;
}

/** The guard as the Worker uses it: the purpose's policy and the configured DNS-over-HTTPS resolver. */
export function guardUrl(env: Env, purpose: TargetPurpose, raw: string): Promise<Verdict> {
  const cfg = resolverConfig(env);
  return checkUrlResolved(raw, guardPolicy(env, purpose), (host) => resolveHost(cfg, host));
}
