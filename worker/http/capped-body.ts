// Reading a request body with a hard cap while it streams: an oversized (or chunked, undeclared) body is never
// held whole. Used where a route must see raw bytes (signatures): the webhook endpoint and the Meta webhook.
import { readCapped } from "../lib/read-capped";

/** The body, or null past `max` bytes (declared Content-Length or actual bytes). */
export async function readCappedBody(req: Request, max: number): Promise<Uint8Array | null> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) return null;
  return req.body ? readCapped(req.body, max) : new Uint8Array();
}
