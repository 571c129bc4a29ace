// Name resolution for the URL guard, over DNS-over-HTTPS: the resolver is configurable (DNS_RESOLVER_URL) and
// speaks either RFC 8484 wire format (`DNS_RESOLVER_FORMAT=wire`, every public DoH service) or the JSON API
// of Cloudflare and Google (`json`). Any failure is reported, never guessed: the guard then refuses.
import { z } from "zod";
import { decodeAnswers, encodeQuery, type QType, QTYPE } from "./dns-wire";
import { toBase64 } from "./crypto";

export type ResolverConfig = { url: string; format: "wire" | "json"; timeoutMs: number };

export type Resolution = { ok: true; addresses: string[] } | { ok: false; reason: string };

export const DEFAULT_DNS_RESOLVER_URL = "https://cloudflare-dns.com/dns-query";

export function resolverConfig(env: Pick<Env, "DNS_RESOLVER_URL" | "DNS_RESOLVER_FORMAT">): ResolverConfig {
  return {
    url: env.DNS_RESOLVER_URL || DEFAULT_DNS_RESOLVER_URL,
    format: env.DNS_RESOLVER_FORMAT === "json" ? "json" : "wire",
    timeoutMs: 3000,
  };
}

const RCODE_NAMES: Record<number, string> = { 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED" };

const JsonAnswer = z.object({
  Status: z.number().int(),
  Answer: z.array(z.object({ type: z.number().int(), data: z.string() })).optional(),
});

type OneType = { ok: true; rcode: number; addresses: string[] } | { ok: false; reason: string };

async function query(cfg: ResolverConfig, name: string, type: QType): Promise<OneType> {
  const url = new URL(cfg.url);
  const wire = cfg.format === "wire";
  if (wire) url.searchParams.set("dns", toBase64(encodeQuery(name, type)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));
  else {
    url.searchParams.set("name", name);
    url.searchParams.set("type", type);
  }
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: wire ? "application/dns-message" : "application/dns-json" }, signal: AbortSignal.timeout(cfg.timeoutMs) });
  } catch (e) {
    return { ok: false, reason: `DNS resolver unreachable (${e instanceof Error ? e.name : "error"})` };
  }
  if (!res.ok) {
    await res.body?.cancel();
    return { ok: false, reason: `DNS resolver answered HTTP ${res.status}` };
  }
  try {
    if (wire) {
      const answer = decodeAnswers(new Uint8Array(await res.arrayBuffer()));
      return { ok: true, rcode: answer.rcode, addresses: answer.addresses };
    }
    const body = JsonAnswer.parse(await res.json());
    const addresses = (body.Answer ?? []).filter((a) => a.type === QTYPE[type]).map((a) => a.data);
    return { ok: true, rcode: body.Status, addresses };
  } catch {
    return { ok: false, reason: "DNS resolver sent a malformed answer" };
  }
}

/** Every A and AAAA address of a name. NXDOMAIN, SERVFAIL, a timeout or a malformed answer is a failure. */
export async function resolveHost(cfg: ResolverConfig, name: string): Promise<Resolution> {
  const answers = await Promise.all([query(cfg, name, "A"), query(cfg, name, "AAAA")]);
  const addresses: string[] = [];
  for (const a of answers) {
    if (!a.ok) return a;
    if (a.rcode !== 0) return { ok: false, reason: `DNS lookup failed (${RCODE_NAMES[a.rcode] ?? `rcode ${a.rcode}`})` };
    addresses.push(...a.addresses);
  }
  return { ok: true, addresses };
}
