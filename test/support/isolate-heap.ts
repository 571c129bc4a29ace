// The JS heap of the Worker's own V8 isolate (the Worker and its Durable Objects; not workerd's D1/R2 storage
// engines, which are C++ in the same process), read over workerd's inspector with the Chrome DevTools protocol.
// The process RSS (proc-memory.ts) cannot tell the two apart; this can. Start the Worker with `inspectorPort`.

import WebSocket from "ws";

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export type IsolateHeap = {
  /**
   * Used and total (committed) heap in bytes. Without a forced collection (workerd's inspector does not answer
   * HeapProfiler.collectGarbage) used includes garbage; a live set that grows shows as a growing total.
   */
  usage: () => Promise<{ used: number; total: number }>;
  /**
   * The live heap in bytes: a heap snapshot (which runs a full collection; its chunks are dropped) and then the
   * used size. It pauses the isolate for the snapshot (tens of ms at these sizes), so sample it sparingly.
   */
  live: () => Promise<number>;
  close: () => void;
};

/** Connects to the isolate of the worker named `name` (startLocalWorker's is "ping"). */
export async function isolateHeap(inspectorPort: number, name = "ping"): Promise<IsolateHeap> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as { id: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((t) => t.id === `core:user:${name}`);
  if (!target) throw new Error(`no inspector target for worker ${name}: ${targets.map((t) => t.id).join(", ")}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise<void>((ok, fail) => {
    ws.once("open", () => ok());
    ws.once("error", () => fail(new Error("inspector connection failed")));
  });
  let next = 1;
  const pending = new Map<number, Pending>();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const p = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!p || msg.id === undefined) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  const send = (method: string, params?: Record<string, unknown>) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async usage() {
      const r = (await send("Runtime.getHeapUsage")) as { usedSize: number; totalSize: number };
      return { used: r.usedSize, total: r.totalSize };
    },
    async live() {
      // The inspector answers in order: the usage comes after the snapshot (and its collection) is done.
      void send("HeapProfiler.takeHeapSnapshot", { reportProgress: false }).catch(() => undefined);
      const r = (await send("Runtime.getHeapUsage")) as { usedSize: number };
      return r.usedSize;
    },
    close: () => ws.close(),
  };
}
