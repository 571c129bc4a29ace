// npm run bench:chat — website live chat at load: N concurrent widget sockets (default 1,000) on one business,
// each visitor sending one message every 10 s for the run (default 60 s), the inbox fanned out to 5 agent sockets
// (InboxHub), agents replying to 10% of the messages through the API. BENCH_BEFORE=<rev> runs the same scenario on
// that commit's Worker first, for before/after ratios in one run. Reports p50/p99 delivery latency
// visitor → agent (send on the widget socket → message.created on an agent socket) and agent → visitor (reply
// POST → the widget socket), and workerd RSS per socket. The Worker runs under plain miniflare
// (test/support/local-worker.ts); each visitor comes from its own client address (the per-IP limits are real).
import { recordSection } from "../support/bench-record";
import os from "node:os";
import WebSocket from "ws";
import { startLocalWorker } from "../support/local-worker";
import { beforeBuild } from "../support/before-build";
import { cpuMs, listenerPid } from "../support/proc-cpu";
import { rssKb, workerdPids } from "../support/proc-memory";

const VISITORS = Number(process.env.BENCH_SOCKETS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const AGENTS = 5;
const EVERY_MS = 10_000;
/** A commit to measure first in the same run (e.g. BENCH_BEFORE=main): the ratios are printed and recorded. */
const BEFORE = process.env.BENCH_BEFORE;
/** After the load window, how long to wait for a backlog to reach the agents (CPU is counted until then). */
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 120);

function workerdRssMb(): number {
  return workerdPids().reduce((kb, pid) => kb + rssKb(pid), 0) / 1024;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ip = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;

function openSocket(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}

type Figures = {
  label: string;
  sent: number;
  v2a: number[];
  a2v: number[];
  replies: number;
  replyErrors: number;
  rssBefore: number;
  rssConnected: number;
  rssPeak: number;
  connectSeconds: number;
  /** Visitor messages that reached an agent by the end of the drain, and how long the drain took. */
  drained: number;
  drainSeconds: number;
  /** workerd CPU (user + system) from the start of the load to the end of the drain, per visitor message delivered. */
  cpuPerMessage: number;
};

async function scenario(label: string, scriptPath?: string): Promise<Figures> {
  const worker = await startLocalWorker(scriptPath ? { scriptPath } : {});
  try {
    const base = worker.url;
    const pid = listenerPid(base);
    const wsBase = base.replace(/^http/, "ws");
    const signup = await fetch(`${base}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        business_name: "Bench Chat",
        name: "Bench",
        email: `bench.chat.${Date.now()}@example.co.id`,
        password: "bench-password-123",
      }),
    });
    const cookie = /ping_session=[^;]+/.exec(signup.headers.get("set-cookie") ?? "")?.[0] ?? "";
    if (!cookie) throw new Error(`signup failed ${signup.status}`);
    const key = ((await (await fetch(`${base}/api/v1/livechat-settings`, { headers: { cookie } })).json()) as { widget_key: string })
      .widget_key;

    const rssBefore = workerdRssMb();
    const v2a: number[] = [];
    const a2v: number[] = [];
    const seen = new Set<string>();
    let replies = 0;
    let replyErrors = 0;

    // Agents: 5 inbox sockets; the first to see a visitor message times it; 10% get a reply.
    const agents: WebSocket[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const ws = await openSocket(`${wsBase}/api/v1/inbox/ws`, { cookie, origin: base });
      ws.on("message", (data) => {
        const e = JSON.parse(String(data)) as {
          type: string;
          message?: { text: string | null; conversation_id: string | null; direction: string };
        };
        const m = e.message;
        if (e.type !== "message.created" || !m || m.direction !== "in" || !m.text?.startsWith("b|")) return;
        if (seen.has(m.text)) return;
        seen.add(m.text);
        const [, , sent] = m.text.split("|");
        v2a.push(Date.now() - Number(sent));
        if (Math.random() < 0.1 && m.conversation_id) {
          replies += 1;
          void fetch(`${base}/api/v1/conversations/${m.conversation_id}/messages`, {
            method: "POST",
            headers: { cookie, origin: base, "content-type": "application/json" },
            body: JSON.stringify({ text: `r|${Date.now()}` }),
          })
            .then((r) => {
              if (!r.ok) replyErrors += 1;
            })
            .catch(() => {
              replyErrors += 1;
            });
        }
      });
      agents.push(ws);
    }

    // Visitors: a session each (own client address), then the widget socket.
    const visitors: WebSocket[] = [];
    const t0 = Date.now();
    for (let i = 0; i < VISITORS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, VISITORS - i) }, async (_x, k) => {
          const n = i + k;
          const headers = { "cf-connecting-ip": ip(n), origin: "https://bench-shop.example" };
          const s = await fetch(`${base}/livechat/v1/session`, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify({ key }),
          });
          if (!s.ok) throw new Error(`session ${n}: ${s.status} ${await s.text()}`);
          const { token } = (await s.json()) as { token: string };
          const ws = await openSocket(`${wsBase}/livechat/v1/ws?key=${key}&token=${encodeURIComponent(token)}`, headers);
          ws.on("message", (data) => {
            const f = JSON.parse(String(data)) as { t: string; items?: { dir: string; text: string }[] };
            for (const it of f.items ?? [])
              if (it.dir === "out" && it.text.startsWith("r|")) a2v.push(Date.now() - Number(it.text.split("|")[1]));
          });
          visitors[n] = ws;
        }),
      );
    }
    const connectSeconds = (Date.now() - t0) / 1000;
    await sleep(2000);
    const rssConnected = workerdRssMb();
    console.log(
      `[${label}] ${VISITORS} widget sockets + ${AGENTS} agents open in ${connectSeconds.toFixed(1)} s; workerd RSS ${rssBefore.toFixed(0)} → ${rssConnected.toFixed(0)} MB`,
    );

    // Load: every visitor sends once per 10 s, spread evenly over the period.
    const cpuStart = cpuMs(pid);
    let sent = 0;
    const end = Date.now() + SECONDS * 1000;
    const timers = visitors.map((ws, n) =>
      setTimeout(
        function tick() {
          if (Date.now() >= end) return;
          sent += 1;
          ws.send(JSON.stringify({ t: "msg", cid: `bench-${n}-${sent}`, text: `b|${n}|${Date.now()}` }));
          timers[n] = setTimeout(tick, EVERY_MS);
        },
        (n * EVERY_MS) / VISITORS,
      ),
    );
    await sleep(SECONDS * 1000 + 5000);
    for (const t of timers) clearTimeout(t);
    const inWindow = { v2a: [...v2a], a2v: [...a2v] };
    // Drain: a saturated Worker still holds a backlog; wait for it (bounded) so the CPU covers every message's work.
    const drainStart = Date.now();
    while (v2a.length < sent && Date.now() - drainStart < DRAIN_SECONDS * 1000) await sleep(500);
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const rssPeak = workerdRssMb();
    const cpuPerMessage = (cpuMs(pid) - cpuStart) / Math.max(1, v2a.length);
    for (const ws of [...visitors, ...agents]) ws.close();

    const line = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms (n=${xs.length})`;
    console.log(`[${label}] sent ${sent} visitor messages; delivered to agents in the window ${inWindow.v2a.length}; visitor → agent ${line(inWindow.v2a)}`);
    console.log(`[${label}] replies ${replies} (${replyErrors} failed); delivered to widgets in the window ${inWindow.a2v.length}; agent → visitor ${line(inWindow.a2v)}`);
    console.log(`[${label}] backlog drained ${v2a.length} of ${sent} in ${drainSeconds.toFixed(1)} s after the window`);
    console.log(
      `[${label}] workerd CPU ${cpuPerMessage.toFixed(2)} ms per visitor message; RSS per socket ${perSocket({ rssBefore, rssConnected }).toFixed(1)} KB; peak ${rssPeak.toFixed(0)} MB`,
    );
    return { label, sent, v2a: inWindow.v2a, a2v: inWindow.a2v, drained: v2a.length, drainSeconds, replies, replyErrors, rssBefore, rssConnected, rssPeak, connectSeconds, cpuPerMessage };
  } finally {
    await worker.close();
  }
}

const perSocket = (f: Pick<Figures, "rssBefore" | "rssConnected">) => ((f.rssConnected - f.rssBefore) * 1024) / (VISITORS + AGENTS);


const before = BEFORE ? beforeBuild(BEFORE) : undefined;
const loadBefore = os
  .loadavg()
  .map((x) => x.toFixed(1))
  .join("/");
const runs: Figures[] = [];
if (before) runs.push(await scenario(`before ${before.commit}`, before.scriptPath));
runs.push(await scenario("this commit"));
const loadAfter = os
  .loadavg()
  .map((x) => x.toFixed(1))
  .join("/");

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const row = (f: Figures) =>
  `| ${f.label} | ${f.v2a.length} of ${f.sent} | ${pct(f.v2a, 50).toFixed(1)} / ${pct(f.v2a, 99).toFixed(1)} ms | ${f.a2v.length} of ${f.replies} | ${pct(f.a2v, 50).toFixed(1)} / ${pct(f.a2v, 99).toFixed(1)} ms | ${f.drained} in ${f.drainSeconds.toFixed(0)} s | ${f.cpuPerMessage.toFixed(2)} ms | ${perSocket(f).toFixed(0)} KB |`;
const [b, a] = runs.length === 2 ? runs : [undefined, runs[0]];
const ratio = (x: number, y: number) => (y > 0 ? `${(x / y).toFixed(1)}×` : "n/a");
const md = [
  "## Website live chat (bench:chat)",
  "",
  `\`${BEFORE ? `BENCH_BEFORE=${BEFORE} ` : ""}${process.env.BENCH_SOCKETS ? `BENCH_SOCKETS=${VISITORS} ` : ""}${process.env.BENCH_SECONDS ? `BENCH_SECONDS=${SECONDS} ` : ""}npm run bench:chat\` — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${cpu} (${os.cpus().length} cores shared with other work; load ${loadBefore} → ${loadAfter}), Node ${process.version}, plain miniflare.`,
  `${VISITORS} widget sockets on one business (one LiveChat object per visitor conversation, each from its own client address), ${AGENTS} agent`,
  `sockets on the business's InboxHub; every visitor sends one message every 10 s for ${SECONDS} s; agents reply to ~10% through`,
  "`POST /api/v1/conversations/{id}/messages`. Visitor → agent: widget socket send → `message.created` on an agent socket (the",
  "D1 write, the conversation update and the hub fan-out in between). Agent → visitor: the reply POST → the widget socket.",
  "Latency columns: messages delivered within the load window (+5 s). Then the run waits (≤ " + DRAIN_SECONDS + " s) for any backlog to reach the agents;",
  "CPU: the workerd process (user + system) from the start of the load to the end of that drain, per visitor message delivered",
  "(it includes the replies' work).",
  "",
  "| build | visitor → agent in window | p50 / p99 | agent → visitor in window | p50 / p99 | backlog drained | CPU per message | RSS per socket |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
  ...runs.map(row),
  "",
  ...(b && a
    ? [
        `Before ÷ after, same run: visitor → agent p99 ${ratio(pct(b.v2a, 99), pct(a.v2a, 99))}, p50 ${ratio(pct(b.v2a, 50), pct(a.v2a, 50))};`,
        `agent → visitor p99 ${ratio(pct(b.a2v, 99), pct(a.a2v, 99))}; CPU per delivered message ${ratio(b.cpuPerMessage, a.cpuPerMessage)} (above 1× = after is better).`,
        "",
      ]
    : []),
  `workerd RSS (this commit): ${a?.rssBefore.toFixed(0)} MB before, ${a?.rssConnected.toFixed(0)} MB with ${VISITORS + AGENTS} sockets open, ${a?.rssPeak.toFixed(0)} MB at the end of the load; sockets opened in ${a?.connectSeconds.toFixed(1)} s.`,
  "",
].join("\n");
recordSection(md);
console.log("recorded in docs/benchmarks.md");
