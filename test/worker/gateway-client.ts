// A test gateway: speaks the documented gateway protocol to the real Worker over a real WebSocket.
import { exports } from "cloudflare:workers";
import { type GatewayFrame, parseServerFrame, type ServerFrame } from "../../protocol/gateway-protocol";

export type TestGateway = {
  status: number;
  ws: WebSocket | null;
  frames: ServerFrame[];
  closed: { code: number; reason: string } | null;
  send(frame: GatewayFrame): void;
  /** Resolves with the next frame of a type not yet taken (frames are consumed in order). */
  next<T extends ServerFrame["type"]>(type: T, timeoutMs?: number): Promise<Extract<ServerFrame, { type: T }>>;
  /** Collects `count` frames of a type. */
  take<T extends ServerFrame["type"]>(type: T, count: number, timeoutMs?: number): Promise<Extract<ServerFrame, { type: T }>[]>;
  waitClosed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  close(): void;
};

export async function openGateway(deviceKey: string, creds = "gw-test:gateway-test-secret"): Promise<TestGateway> {
  const res = await exports.default.fetch(
    new Request(`https://ping.test/gateway/v1/devices/${deviceKey}/ws`, {
      headers: { upgrade: "websocket", authorization: `Bearer ${creds}` },
    }),
  );
  const ws = res.webSocket;
  const frames: ServerFrame[] = [];
  const taken = new Set<number>();
  let closed: { code: number; reason: string } | null = null;
  if (ws) {
    ws.accept();
    ws.addEventListener("message", (e) => {
      const f = parseServerFrame(String(e.data));
      if (f) frames.push(f);
    });
    ws.addEventListener("close", (e) => {
      closed = { code: e.code, reason: e.reason };
    });
  } else {
    await res.body?.cancel();
  }
  const waitFor = async <R>(check: () => R | undefined, timeoutMs: number, what: string): Promise<R> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = check();
      if (r !== undefined) return r;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(frames)}`);
      await new Promise((ok) => setTimeout(ok, 10));
    }
  };
  const gw: TestGateway = {
    status: res.status,
    ws,
    frames,
    get closed() {
      return closed;
    },
    send(frame) {
      ws?.send(JSON.stringify(frame));
    },
    next(type, timeoutMs = 5000) {
      return waitFor(
        () => {
          const i = frames.findIndex((f, idx) => f.type === type && !taken.has(idx));
          if (i < 0) return undefined;
          taken.add(i);
          return frames[i] as Extract<ServerFrame, { type: typeof type }>;
        },
        timeoutMs,
        type,
      );
    },
    async take(type, count, timeoutMs = 5000) {
      const out = [];
      for (let i = 0; i < count; i++) out.push(await gw.next(type, timeoutMs));
      return out;
    },
    waitClosed(timeoutMs = 5000) {
      return waitFor(() => closed ?? undefined, timeoutMs, "close");
    },
    close() {
      try {
        ws?.close(1000, "bye");
      } catch {
        // already closed
      }
    },
  };
  return gw;
}
