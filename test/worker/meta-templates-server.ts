// The Graph API's message templates edge as the local server speaks it (Node side, part of global-setup.ts's
// local server): GET /graph/<version>/<waba_id>/message_templates?fields=…&limit=…&after=… answers Meta's
// documented shape — {data: [only the asked fields, plus id], paging: {cursors: {before, after}, next?}}, `next`
// absent on the last page — with Meta's errors for a bad token (190) and an unknown account (100/33). `next` is an
// absolute graph.facebook.com URL as Meta gives it: a client that followed it instead of its cursor would leave
// the test network. Tests set an account's templates with PUT /_meta_templates/<waba_id> (a JSON array).
import type { IncomingMessage } from "node:http";

type Json = (status: number, v: unknown) => void;
type Record_ = (key: string, value: unknown) => void;

const accounts = new Map<string, Record<string, unknown>[]>();
const cursor = (i: number) => Buffer.from(`cursor:${i}`).toString("base64url");
const offsetOf = (c: string | null) => {
  const m = /^cursor:(\d+)$/.exec(Buffer.from(c ?? "", "base64url").toString("utf8"));
  return m ? Number(m[1]) : null;
};

/** Handles the request when it is the templates edge or its test control; false otherwise. */
export function metaTemplatesRoute(req: IncomingMessage, url: URL, body: string, token: string, json: Json, record: Record_): boolean {
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts[0] === "_meta_templates" && req.method === "PUT" && parts[1]) {
    accounts.set(parts[1], JSON.parse(body) as Record<string, unknown>[]);
    json(200, { ok: true });
    return true;
  }
  if (!(parts[0] === "graph" && req.method === "GET" && parts.length === 4 && parts[3] === "message_templates")) return false;
  const [, version, waba] = parts;
  record(`graph-templates:${waba}`, { query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization ?? null });
  if (req.headers.authorization !== `Bearer ${token}`) {
    json(401, { error: { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190, fbtrace_id: "LOCAL" } });
    return true;
  }
  const all = accounts.get(waba ?? "");
  if (!all) {
    json(400, {
      error: {
        message: `Unsupported get request. Object with ID '${waba}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        type: "GraphMethodException",
        code: 100,
        error_subcode: 33,
        fbtrace_id: "LOCAL",
      },
    });
    return true;
  }
  const limit = Math.min(Math.max(Number(url.searchParams.get("limit") ?? 25) || 25, 1), 1000);
  const start = url.searchParams.has("after") ? offsetOf(url.searchParams.get("after")) : 0;
  if (start === null) {
    json(400, { error: { message: "Invalid cursor", type: "OAuthException", code: 100, fbtrace_id: "LOCAL" } });
    return true;
  }
  const fields = (url.searchParams.get("fields") ?? "name,status,language,category,id").split(",").map((f) => f.trim());
  const page = all.slice(start, start + limit).map((t) => Object.fromEntries(Object.entries(t).filter(([k]) => k === "id" || fields.includes(k))));
  const end = start + page.length;
  const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(end) } };
  if (end < all.length) {
    const next = new URLSearchParams(url.searchParams);
    next.set("after", cursor(end));
    paging.next = `https://graph.facebook.com/${version}/${waba}/message_templates?${next}`;
  }
  json(200, { data: page, paging });
  return true;
}
