// gateway-node's DeviceChannel sends jobs to different chats at the same time (SEND_CONCURRENCY), but never two
// to one chat at once and never out of the order the Worker handed them out. A local WebSocket server plays the
// Worker's side of the protocol (hello → welcome, credits → jobs, acks); the session records when each send
// starts and finishes and holds it until the test releases it.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { DeviceChannel, type ChannelSession } from "../../gateway-node/src/channel/device-channel";
import { WorkerApi } from "../../gateway-node/src/channel/worker-api";
import { SessionStore } from "../../gateway-node/src/store/session-store";
import { waitFor } from "./support/wait";

type Started = { jobId: string; to: string; release: () => void };


const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A Worker that hands out `jobs` in order as credits allow and records the acked job ids. */
async function fakeWorker(jobs: { id: string; to: string }[]) {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  const acked: string[] = [];
  const pending = [...jobs];
  wss.on("connection", (ws: WebSocket) => {
    ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as { type: string; n?: number; job_id?: string; items?: { job_id: string }[] };
      if (f.type === "hello") ws.send(JSON.stringify({ type: "welcome", v: 2, lease_ms: 60_000, heartbeat_ms: 30_000, job_lease_ms: 60_000 }));
      if (f.type === "credit") {
        for (const j of pending.splice(0, f.n ?? 0)) {
          ws.send(JSON.stringify({ type: "job", job_id: j.id, message_id: j.id, to: j.to, content: { kind: "text", text: j.id }, attempt: 1, lease_until: Date.now() + 60_000, typing_ms: 0 }));
        }
      }
      if (f.type === "ack" && f.job_id) acked.push(f.job_id);
      if (f.type === "acks") acked.push(...(f.items ?? []).map((i) => i.job_id));
    });
  });
  const address = wss.address();
  const port = typeof address === "object" && address ? address.port : 0;
  cleanup.push(() => wss.close());
  return { url: `http://127.0.0.1:${port}`, acked };
}

function channel(url: string, sendConcurrency: number, started: Started[]) {
  const session: ChannelSession = {
    status: { status: "connected" },
    send: (job) => new Promise<string>((resolve) => started.push({ jobId: job.job_id, to: job.to, release: () => resolve(`WA.${job.job_id}`) })),
    pair: () => undefined,
    logout: () => Promise.resolve(),
    stop: () => undefined,
    presence: () => Promise.resolve(),
    downloadMedia: () => Promise.reject(new Error("no media here")),
  };
  const store = new SessionStore(mkdtempSync(path.join(os.tmpdir(), "gw-concurrency-")), Buffer.alloc(32, 3).toString("base64"));
  const c = new DeviceChannel({
    deviceKey: crypto.randomUUID(),
    gatewayId: "gw-test",
    api: new WorkerApi({ pingUrl: url, gatewayId: "gw-test", gatewaySecret: "s".repeat(32) }),
    store,
    logger: pino({ level: "silent" }),
    creditWindow: 8,
    sendConcurrency,
  });
  c.attach(session);
  c.open();
  cleanup.push(() => {
    c.close();
    store.close();
  });
  return c;
}

describe("concurrent sends", () => {
  it("sends to different chats at once, up to the limit, and keeps each chat's messages in order", async () => {
    // Chat A has three messages, B two, C and D one each, interleaved as the Worker hands them out.
    const jobs = [
      { id: "a1", to: "6281100000001" },
      { id: "a2", to: "6281100000001" },
      { id: "b1", to: "6281100000002" },
      { id: "a3", to: "6281100000001" },
      { id: "c1", to: "6281100000003" },
      { id: "b2", to: "6281100000002" },
      { id: "d1", to: "6281100000004" },
    ];
    const worker = await fakeWorker(jobs);
    const started: Started[] = [];
    channel(worker.url, 3, started);
    // Three chats start at once (a1, b1, c1); a2 waits for a1, b2 for b1, d1 for a free slot.
    await waitFor(() => started.length === 3, 5000, "three sends");
    await new Promise((r) => setTimeout(r, 50));
    expect(started.map((s) => s.jobId)).toEqual(["a1", "b1", "c1"]);
    started[0]?.release(); // a1 done → a2 may go (the first queued job whose chat is free)
    await waitFor(() => started.length === 4);
    expect(started[3]?.jobId).toBe("a2");
    started[2]?.release(); // c1 done → b2 is still blocked by b1, so d1
    await waitFor(() => started.length === 5);
    expect(started[4]?.jobId).toBe("d1");
    // Release everything as it starts: every job is sent once and acked.
    for (let i = 0; i < 200 && worker.acked.length < jobs.length; i++) {
      for (const s of started) s.release();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect([...worker.acked].sort()).toEqual(jobs.map((j) => j.id).sort());
    const order = started.map((s) => s.jobId);
    expect(order.filter((id) => id.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    expect(order.filter((id) => id.startsWith("b"))).toEqual(["b1", "b2"]);
    expect(order).toHaveLength(jobs.length);
  });

  it("with a limit of 1 (the default) it sends one job at a time", async () => {
    const jobs = [
      { id: "x1", to: "6281100000011" },
      { id: "y1", to: "6281100000012" },
    ];
    const worker = await fakeWorker(jobs);
    const started: Started[] = [];
    channel(worker.url, 1, started);
    await waitFor(() => started.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toHaveLength(1);
    started[0]?.release();
    await waitFor(() => started.length === 2);
    started[1]?.release();
    await waitFor(() => worker.acked.length === 2);
  });
});
