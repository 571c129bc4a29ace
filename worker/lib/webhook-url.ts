// Outbound webhook targets chosen by tenants must not reach Ping's own network (SSRF).
// Checks the URL's scheme and literal host; hostnames are checked again at delivery time.

const BLOCKED_HOSTNAMES = new Set(["localhost", "metadata.google.internal", "metadata"]);

function ipv4Blocked(host: string, allowLoopback: boolean): boolean | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a === 127) return !allowLoopback;
  return (
    a === 0 ||
    a === 10 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    a >= 224
  );
}

function ipv6Blocked(host: string, allowLoopback: boolean): boolean | undefined {
  if (!host.startsWith("[")) return undefined;
  const h = host.slice(1, -1).toLowerCase();
  if (h === "::1") return !allowLoopback;
  if (h === "::" || h.startsWith("fc") || h.startsWith("fd") || h.startsWith("fe80")) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped?.[1]) return ipv4Blocked(mapped[1], allowLoopback) ?? true;
  // The URL parser writes IPv4-mapped addresses in hex (::ffff:7f00:1 for 127.0.0.1).
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (hex?.[1] && hex[2]) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return ipv4Blocked(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, allowLoopback) ?? true;
  }
  return false;
}

/** Returns the reason a URL may not be used as a webhook target, or null when it may. */
export function webhookUrlProblem(raw: string, allowLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a valid URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "only http and https URLs are allowed";
  if (url.username || url.password) return "credentials in the URL are not allowed";
  const host = url.hostname.toLowerCase();
  if (BLOCKED_HOSTNAMES.has(host) || host.endsWith(".localhost") || host.endsWith(".internal")) {
    return host === "localhost" && allowLoopback ? null : "this host is not reachable from Ping";
  }
  const blocked = ipv4Blocked(host, allowLoopback) ?? ipv6Blocked(host, allowLoopback) ?? false;
  return blocked ? "private, loopback, link-local and metadata addresses are not allowed" : null;
}

const DNS_OVER_HTTPS = "https://cloudflare-dns.com/dns-query";

async function resolve(host: string, type: "A" | "AAAA"): Promise<string[] | null> {
  try {
    const res = await fetch(`${DNS_OVER_HTTPS}?name=${encodeURIComponent(host)}&type=${type}`, {
      headers: { accept: "application/dns-json" },
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) return null;
    const body = (await res.json()) as { Answer?: { type: number; data: string }[] };
    return (body.Answer ?? []).filter((a) => a.type === (type === "A" ? 1 : 28)).map((a) => a.data);
  } catch {
    return null;
  }
}

/**
 * The delivery-time check: the literal check, then the host's A/AAAA records (DNS over HTTPS) so a name
 * pointing at a private address is refused too. When the resolver cannot be reached the literal check
 * stands; Cloudflare's own fetch does not reach private networks from the edge either.
 */
export async function resolvedWebhookUrlProblem(raw: string, allowLoopback: boolean): Promise<string | null> {
  const literal = webhookUrlProblem(raw, allowLoopback);
  if (literal) return literal;
  const host = new URL(raw).hostname.toLowerCase();
  if (/^[\d.]+$/.test(host) || host.startsWith("[") || host === "localhost") return null;
  const [v4, v6] = await Promise.all([resolve(host, "A"), resolve(host, "AAAA")]);
  for (const ip of v4 ?? []) if (ipv4Blocked(ip, allowLoopback)) return `${host} resolves to a private address (${ip})`;
  for (const ip of v6 ?? []) if (ipv6Blocked(`[${ip}]`, allowLoopback)) return `${host} resolves to a private address (${ip})`;
  return null;
}
