// The visitor token: `<payload>.<mac>`, payload = base64url JSON {b: business, v: visitor, c: conversation, t:
// issued}, mac = HMAC-SHA256 under a key derived from SECRETS_KEY for this purpose only. The widget keeps it in
// localStorage; it is the visitor's only credential, bound to one business and one conversation (a token of
// shop A used with shop B's widget key is refused), and it is not a guessable id.
import { z } from "zod";
import { fromBase64, hmacSha256, randomToken, safeEqual, toBase64 } from "../lib/crypto";

export type VisitorToken = { b: string; v: string; c: string; t: number };
const Payload = z.object({ b: z.string().min(1).max(100), v: z.string().min(8).max(100), c: z.string().min(1).max(100), t: z.number() });

const b64url = (bytes: Uint8Array) => toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const fromB64url = (s: string) => fromBase64(s.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (s.length % 4)) % 4));

async function mac(secretsKey: string, payload: string): Promise<string> {
  // Purpose-bound key: a MAC made here is useless anywhere else SECRETS_KEY is used.
  const key = await hmacSha256(fromBase64(secretsKey), "ping/livechat-visitor-token/v1");
  return b64url(await hmacSha256(key, payload));
}

export function newVisitorId(): string {
  return `v_${randomToken(18)}`;
}

export async function signVisitorToken(secretsKey: string, t: VisitorToken): Promise<string> {
  const payload = b64url(new TextEncoder().encode(JSON.stringify(t)));
  return `${payload}.${await mac(secretsKey, payload)}`;
}

/** The token's claims when its MAC is ours and it belongs to `businessId`; null otherwise. */
export async function verifyVisitorToken(secretsKey: string, token: string, businessId: string): Promise<VisitorToken | null> {
  const [payload, sig, extra] = token.split(".");
  if (!payload || !sig || extra !== undefined || token.length > 600) return null;
  if (!(await safeEqual(sig, await mac(secretsKey, payload)))) return null;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(fromB64url(payload)));
  } catch {
    return null;
  }
  const p = Payload.safeParse(json);
  return p.success && p.data.b === businessId ? p.data : null;
}
