// npm run bench:send — jobs/s from enqueue to acknowledged through the DeviceSession, with pacing off.
// The Worker runs under plain miniflare (the `miniflare` package API, no wrangler dev proxy). Jobs are
// enqueued with the real queueMessages() (rows in D1, jobs on the queue); a test gateway client speaks
// the gateway protocol over a real WebSocket and acks every job at once. Side by side in one run:
// the sandbox provider (no gateway hop) and baileys through the gateway channel.
import { recordSection } from "../support/bench-record";
import os from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";
import { pino } from "pino";
import WebSocket from "ws";
import { DeviceChannel, type ChannelSession } from "../../gateway-node/src/channel/device-channel";
import { WorkerApi } from "../../gateway-node/src/channel/worker-api";
import { SessionStore } from "../../gateway-node/src/store/session-store";
import { parseServerFrame, type GatewayFrame, type ServerFrame } from "../../protocol/gateway-protocol";
import { type LocalD1, startLocalWorker } from "../support/local-worker";
import { unlimitedPackage } from "../support/bench-package";

const N = Number(process.env.BENCH_JOBS ?? 3000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const GATEWAY = { id: "gw-bench", secret: "bench-gateway-secret-123" };

type Tenant = { cookie: string; businessId: string };

async function http(base: URL, p: string, init: { method?: string; json?: unknown; cookie?: string } = {}) {
  const res = await fetch(new URL(p, base), {
    method: init.method ?? (init.json ? "POST" : "GET"),
    // With a cookie, the dashboard's own Origin (the CSRF check, docs/security.md).
    headers: { "content-type": "application/json", ...(init.cookie ? { cookie: init.cookie, origin: base.origin } : {}) },
    body: init.json ? JSON.stringify(init.json) : undefined,
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { res, body };
}

async function tenant(base: URL, db: LocalD1 | undefined): Promise<Tenant> {
  const { res, body } = await http(base, "/api/v1/auth/signup", { json: { business_name: "Bench", name: "Bench", email: `bench.${Date.now()}.${Math.random()}@example.co.id`, password: "bench-password-123" } });
  const cookie = /ping_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error(`signup failed: ${JSON.stringify(body)}`);
  const businessId = String(body.business_id);
  await unlimitedPackage(db, businessId);
  return { cookie, businessId };
}

async function device(base: URL, t: Tenant, provider: "sandbox" | "baileys"): Promise<string> {
  const { body } = await http(base, "/api/v1/devices", { json: { name: `bench ${provider}`, provider }, cookie: t.cookie });
  const key = String(body.device_key);
  await http(base, `/api/v1/devices/${key}`, { method: "PATCH", json: { settings: { pacing_enabled: false } }, cookie: t.cookie });
  return key;
}

/** A gateway that grants credits in bulk and acks every job the moment it arrives. */
function instantGateway(base: URL, deviceKey: string, batchAcks: boolean): Promise<{ acks: () => number; close: () => void }> {
  const url = new URL(`/gateway/v1/devices/${deviceKey}/ws`, base);
  url.protocol = "ws:";
  const ws = new WebSocket(url.href, { headers: { authorization: `Bearer ${GATEWAY.id}:${GATEWAY.secret}` } });
  let acks = 0;
  let outstanding = 0;
  const pending: { job_id: string; wa_message_id: string }[] = [];
  const send = (f: GatewayFrame) => ws.send(JSON.stringify(f));
  return new Promise((ok, fail) => {
    ws.on("error", fail);
    ws.on("open", () => send({ type: "hello", v: 1, gateway_id: GATEWAY.id, status: "connected" }));
    ws.on("message", (data) => {
      // BENCH_FAST_PARSE skips zod on the client side, to see whether the client itself limits the run.
      const f = process.env.BENCH_FAST_PARSE ? (JSON.parse(String(data)) as ServerFrame) : parseServerFrame(String(data));
      if (!f) return;
      if (f.type === "welcome") {
        // Heartbeats keep the device lease while other variants run (a lease lapses after lease_ms without a frame).
        const beat = setInterval(() => send({ type: "ping", t: Date.now() }), f.heartbeat_ms);
        ws.on("close", () => clearInterval(beat));
        send({ type: "credit", n: 1000 });
        outstanding = 1000;
        ok({ acks: () => acks, close: () => ws.close() });
      } else if (f.type === "job") {
        // Acked at once: one `ack` frame per job, or the acks of jobs arriving within 2 ms in one `acks` frame.
        if (!batchAcks) send({ type: "ack", job_id: f.job_id, wa_message_id: `BENCH.${f.job_id}` });
        else {
          pending.push({ job_id: f.job_id, wa_message_id: `BENCH.${f.job_id}` });
          if (pending.length === 1) setTimeout(() => send({ type: "acks", items: pending.splice(0) }), 2);
        }
        acks += 1;
        if (process.env.BENCH_TRACE && acks % 250 === 0) console.log(`  gateway: ${acks} jobs acked at ${performance.now().toFixed(0)} ms`);
        outstanding -= 1;
        if (outstanding < 500) {
          send({ type: "credit", n: 1000 });
          outstanding += 1000;
        }
      }
    });
  });
}

/**
 * gateway-node's own channel (DeviceChannel: credits, its ack batching, v2 handshake) over a real WebSocket, with a
 * session that "sends" instantly: what the channel and the Worker cost per job, without WhatsApp's own time.
 */
async function gatewayNodeChannel(base: URL, deviceKey: string): Promise<{ close: () => void }> {
  const status = { status: "connected" as const };
  const session: ChannelSession = {
    status,
    send: (job) => Promise.resolve(`BENCH.${job.job_id}`),
    pair: () => undefined,
    logout: () => Promise.resolve(),
    stop: () => undefined,
    presence: () => Promise.resolve(),
    downloadMedia: () => Promise.reject(new Error("no media in the bench")),
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-channel-"));
  const channel = new DeviceChannel({
    deviceKey,
    gatewayId: GATEWAY.id,
    api: new WorkerApi({ pingUrl: base.origin, gatewayId: GATEWAY.id, gatewaySecret: GATEWAY.secret }),
    store: new SessionStore(dir, Buffer.alloc(32, 7).toString("base64")),
    logger: pino({ level: "silent" }),
    // The protocol's largest credit grant: the channel keeps that many jobs coming while it acks.
    creditWindow: 1000,
  });
  channel.attach(session);
  channel.open();
  for (let i = 0; i < 200 && channel.state !== "open"; i++) await new Promise((ok) => setTimeout(ok, 25));
  if (channel.state !== "open") throw new Error("gateway-node channel did not open");
  return { close: () => channel.close() };
}

/** A dashboard tab on the live inbox (cookie + same Origin), counting the event frames it receives. */
function inboxListener(base: URL, t: Tenant): Promise<{ frames: () => number; close: () => void }> {
  const url = new URL("/api/v1/inbox/ws", base);
  url.protocol = "ws:";
  const ws = new WebSocket(url.href, { headers: { cookie: t.cookie, origin: base.origin } });
  let frames = 0;
  return new Promise((ok, fail) => {
    ws.on("error", fail);
    ws.on("message", () => {
      frames += 1;
    });
    ws.on("open", () => ok({ frames: () => frames, close: () => ws.close() }));
  });
}

async function run(d1: LocalD1, base: URL, t: Tenant, deviceKey: string, n: number, round: number | "warmup"): Promise<{ seconds: number; enqueueSeconds: number }> {
  const rows = Array.from({ length: n }, (_, i) => ({
    id: crypto.randomUUID(),
    businessId: t.businessId,
    deviceKey,
    idempotencyKey: `bench:${deviceKey}:${round}:${i}`,
    to: `62812${String(i).padStart(7, "0")}@s.whatsapp.net`,
    text: `Pesan benchmark ${i}`,
    source: "api" as const,
  }));
  const t0 = performance.now();
  if (process.env.BENCH_TRACE) console.log(`  run start at ${t0.toFixed(0)} ms`);
  for (let i = 0; i < rows.length; i += 500) {
    const res = await fetch(new URL("/__bench/enqueue", base), { method: "POST", body: JSON.stringify(rows.slice(i, i + 500)) });
    if (!res.ok) throw new Error(`enqueue failed: ${res.status} ${await res.text()}`);
  }
  const enqueued = performance.now();
  for (;;) {
    const r = await d1
      .prepare("SELECT COUNT(*) AS n FROM messages WHERE device_key = ? AND idempotency_key >= ? AND idempotency_key < ? AND status IN ('sent','delivered')")
      .bind(deviceKey, `bench:${deviceKey}:${round}:`, `bench:${deviceKey}:${round};`)
      .first<{ n: number }>();
    if ((r?.n ?? 0) >= n) break;
    if (performance.now() - t0 > 120_000) throw new Error(`stalled at ${r?.n}/${n}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
  const done = performance.now();
  return { seconds: (done - t0) / 1000, enqueueSeconds: (enqueued - t0) / 1000 };
}


// Ping's Worker plus the harness route of send-worker.ts, with wrangler.toml's bindings and queue consumers.
const worker = await startLocalWorker({
  entry: path.join(import.meta.dirname, "send-worker.ts"),
  vars: { GATEWAY_SECRETS: JSON.stringify({ [GATEWAY.id]: GATEWAY.secret }) },
});
try {
  const base = new URL(worker.url);
  const d1 = worker.db;
  const t = await tenant(base, d1);
  const sandboxKey = await device(base, t, "sandbox");
  const baileysKey = await device(base, t, "baileys");
  const singleKey = await device(base, t, "baileys");
  const gw = await instantGateway(base, baileysKey, true);
  const gwSingle = await instantGateway(base, singleKey, false);
  const nodeKey = await device(base, t, "baileys");
  const gwNode = await gatewayNodeChannel(base, nodeKey);
  // Same pipeline, another business, with a dashboard socket on its live inbox: every job then also costs a
  // message.created and a message.status frame fanned out by its InboxHub.
  const watched = await tenant(base, d1);
  const watchedKey = await device(base, watched, "sandbox");
  const tab = await inboxListener(base, watched);
  // Warm-up: first DO instantiation, first queue batch, JIT.
  await run(d1, base, t, sandboxKey, 100, "warmup");
  // Alternating runs, median of each: the machine is shared, so one run alone says little.
  const sandboxRuns: { seconds: number; enqueueSeconds: number }[] = [];
  const gatewayRuns: { seconds: number; enqueueSeconds: number }[] = [];
  const singleRuns: { seconds: number; enqueueSeconds: number }[] = [];
  const liveRuns: { seconds: number; enqueueSeconds: number }[] = [];
  const nodeRuns: { seconds: number; enqueueSeconds: number }[] = [];
  for (let i = 0; i < REPEAT; i++) {
    sandboxRuns.push(await run(d1, base, t, sandboxKey, N, i));
    liveRuns.push(await run(d1, base, watched, watchedKey, N, i));
    const cpu0 = process.cpuUsage();
    gatewayRuns.push(await run(d1, base, t, baileysKey, N, i));
    const cpu = process.cpuUsage(cpu0);
    if (process.env.BENCH_TRACE) console.log(`  bench process CPU during the gateway run: ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`);
    singleRuns.push(await run(d1, base, t, singleKey, N, i));
    nodeRuns.push(await run(d1, base, t, nodeKey, N, i));
  }
  // Status frames trail the D1 write the run waits for by one RPC: give them a moment to land.
  for (let w = 0; w < 100 && tab.frames() < 2 * N * REPEAT; w++) await new Promise((ok) => setTimeout(ok, 20));
  const liveFrames = tab.frames();
  tab.close();
  gw.close();
  gwSingle.close();
  gwNode.close();
  const median = (rs: { seconds: number; enqueueSeconds: number }[]) => [...rs].sort((a, b) => a.seconds - b.seconds)[Math.floor(rs.length / 2)] ?? { seconds: NaN, enqueueSeconds: NaN };
  const sandbox = median(sandboxRuns);
  const gateway = median(gatewayRuns);
  const single = median(singleRuns);
  const live = median(liveRuns);
  const node = median(nodeRuns);
  const rate = (r: { seconds: number }) => Math.round(N / r.seconds);
  const all = (rs: { seconds: number }[]) => rs.map(rate).join(", ");
  const lines = [
    `jobs per run: ${N} (pacing off, one device, queue batches of up to 100); median of ${REPEAT} alternating runs`,
    `sandbox provider:                ${rate(sandbox)} jobs/s  (enqueue ${sandbox.enqueueSeconds.toFixed(2)} s, total ${sandbox.seconds.toFixed(2)} s)`,
    `baileys, gateway batching acks:  ${rate(gateway)} jobs/s  (enqueue ${gateway.enqueueSeconds.toFixed(2)} s, total ${gateway.seconds.toFixed(2)} s)`,
    `baileys, one ack frame per job: ${rate(single)} jobs/s  (enqueue ${single.enqueueSeconds.toFixed(2)} s, total ${single.seconds.toFixed(2)} s)`,
    `baileys, gateway-node channel:   ${rate(node)} jobs/s  (enqueue ${node.enqueueSeconds.toFixed(2)} s, total ${node.seconds.toFixed(2)} s; its own ack batching, instant session)`,
    `sandbox, live inbox socket open: ${rate(live)} jobs/s  (enqueue ${live.enqueueSeconds.toFixed(2)} s, total ${live.seconds.toFixed(2)} s; ${liveFrames} event frames received of ${2 * N * REPEAT} published)`,
    `ratios to sandbox: batched acks ${(rate(gateway) / rate(sandbox)).toFixed(2)}, single acks ${(rate(single) / rate(sandbox)).toFixed(2)}, gateway-node ${(rate(node) / rate(sandbox)).toFixed(2)}, live inbox ${(rate(live) / rate(sandbox)).toFixed(2)}`,
    `all runs (jobs/s): sandbox ${all(sandboxRuns)}; batched ${all(gatewayRuns)}; single ${all(singleRuns)}; gateway-node ${all(nodeRuns)}; live inbox ${all(liveRuns)}`,
  ];
  console.log(lines.join("\n"));
  const cpus = os.cpus();
  recordSection(
    [
      "## Send pipeline (bench:send)",
      "",
      "`npm run bench:send` (env `BENCH_JOBS`, default 3000). The Worker under plain miniflare (`miniflare` package API,",
      "real D1, Queues and Durable Objects in workerd); jobs enqueued inside workerd with `queueMessages()` (rows then queue jobs, 500 per call, through a harness route of `test/bench/send-worker.ts`);",
      "measured from the first enqueue until every message row is `sent` in D1, i.e. acknowledged through the",
      "DeviceSession. For `baileys` a test gateway client (ws, same protocol module, in the bench process) grants",
      "credits and acks each job at once (acks of jobs arriving within 2 ms share one `acks` frame). Target: ≥ 1,000 jobs/s.",
      "\"gateway-node channel\": gateway-node's own `DeviceChannel` (protocol v2 handshake, credit window 1000, its own ack",
      "batching: one `acks` frame per ≤ 10 ms or 200 acks) with a session that answers each send at once — the gateway side of",
      "the path without WhatsApp's own time (bench:gateway measures that with real Baileys and crabline).",
      "\"live inbox\": a sandbox device of a second business whose InboxHub has one dashboard socket open (ws client in the",
      "bench process, cookie + Origin), so each job is also published as `message.created` and `message.status` and fanned out.",
      "",
      `Machine: ${cpus.length} cores (${cpus[0]?.model ?? "unknown"}), shared with other engineers' test runs (1-min load average ${os.loadavg()[0]?.toFixed(1)} at the end); ${new Date().toISOString().slice(0, 10)}.`,
      "",
      "```",
      ...lines,
      "```",
      "",
    ].join("\n"),
  );
} finally {
  await worker.close();
}
