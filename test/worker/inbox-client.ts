// A test's inbox socket (/api/v1/inbox/ws) opened through the real Worker: the events it received, and waiting
// for the next one of a type.
import { exports } from "cloudflare:workers";
import { type InboxEvent, parseInboxEvent } from "../../worker/inbox/events";
import { eventually } from "./helpers";

export type Client = {
  status: number;
  body: string;
  events: InboxEvent[];
  /** Every text frame as received, events or not. */
  raw: string[];
  send(text: string): void;
  next<T extends InboxEvent["type"]>(type: T, match?: (e: Extract<InboxEvent, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<InboxEvent, { type: T }>>;
  /** A round trip: proves the socket is open and that every frame the hub sent before it has arrived. */
  ping(): Promise<void>;
  close(): void;
};

export async function openInbox(opts: { cookie?: string; key?: string; origin?: string; upgrade?: boolean; headers?: Record<string, string> } = {}): Promise<Client> {
  const headers = new Headers(opts.headers);
  if (opts.upgrade !== false) headers.set("upgrade", "websocket");
  if (opts.cookie) headers.set("cookie", opts.cookie);
  if (opts.key) headers.set("authorization", `Bearer ${opts.key}`);
  if (opts.origin) headers.set("origin", opts.origin);
  const res = await exports.default.fetch(new Request("https://ping.test/api/v1/inbox/ws", { headers }));
  const ws = res.webSocket;
  const events: InboxEvent[] = [];
  const raw: string[] = [];
  const taken = new Set<number>();
  let pongs = 0;
  let body = "";
  if (ws) {
    ws.accept();
    ws.addEventListener("message", (e) => {
      const data = String(e.data);
      raw.push(data);
      if (data === '{"type":"pong"}') pongs += 1;
      const ev = parseInboxEvent(data);
      if (ev) events.push(ev);
    });
  } else {
    body = await res.text();
  }
  return {
    status: res.status,
    body,
    events,
    raw,
    send(text) {
      ws?.send(text);
    },
    next<T extends InboxEvent["type"]>(type: T, match?: (e: Extract<InboxEvent, { type: T }>) => boolean, timeoutMs = 8000) {
      const isType = (e: InboxEvent): e is Extract<InboxEvent, { type: T }> => e.type === type;
      return eventually(
        async () => {
          const i = events.findIndex((e, idx) => !taken.has(idx) && isType(e) && (!match || match(e)));
          const found = events[i];
          if (i < 0 || !found || !isType(found)) return undefined;
          taken.add(i);
          return found;
        },
        timeoutMs,
        `${type} frame (got ${JSON.stringify(events)})`,
      );
    },
    async ping() {
      if (!ws) throw new Error(`no socket (status ${res.status})`);
      const before = pongs;
      ws.send('{"type":"ping"}');
      await eventually(async () => pongs > before, 5000, "pong");
    },
    close() {
      try {
        ws?.close(1000, "bye");
      } catch {
        // already closed
      }
    },
  };
}

