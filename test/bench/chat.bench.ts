// npm run bench:chat — website live chat at load: N concurrent widget sockets (default 1,000) on one business,
// each visitor sending one message every 10 s for the run (default 60 s), the inbox fanned out to 5 agent sockets
// (InboxHub), agents replying to 10% of the messages through the API. Reports p50/p99 delivery latency
// visitor → agent (send on the widget socket → message.created on an agent socket) and agent → visitor (reply
// POST → the widget socket), and workerd RSS per socket. The Worker runs under plain miniflare
// (test/support/local-worker.ts); each visitor comes from its own client address (the per-IP limits are real).
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { ROOT, startLocalWorker } from "../support/local-worker";
import { rssKb, workerdPids } from "../support/proc-memory";

const VISITORS = Number(process.env.BENCH_SOCKETS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const AGENTS = 5;
const EVERY_MS = 10_000;

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

const worker = await startLocalWorker();
try {
  const base = worker.url;
  const wsBase = base.replace(/^http/, "ws");
  const signup = await fetch(`${base}/api/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ business_name: "Bench Chat", name: "Bench", email: `bench.chat.${Date.now()}@example.co.id`, password: "bench-password-123" }),
  });
  const cookie = /ping_session=[^;]+/.exec(signup.headers.get("set-cookie") ?? "")?.[0] ?? "";
  if (!cookie) throw new Error(`signup failed ${signup.status}`);
  const key = ((await (await fetch(`${base}/api/v1/livechat-settings`, { headers: { cookie } })).json()) as { widget_key: string }).widget_key;

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
      const e = JSON.parse(String(data)) as { type: string; message?: { text: string | null; conversation_id: string | null; direction: string } };
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
        const s = await fetch(`${base}/livechat/v1/session`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ key }) });
        if (!s.ok) throw new Error(`session ${n}: ${s.status} ${await s.text()}`);
        const { token } = (await s.json()) as { token: string };
        const ws = await openSocket(`${wsBase}/livechat/v1/ws?key=${key}&token=${encodeURIComponent(token)}`, headers);
        ws.on("message", (data) => {
          const f = JSON.parse(String(data)) as { t: string; items?: { dir: string; text: string }[] };
          for (const it of f.items ?? []) if (it.dir === "out" && it.text.startsWith("r|")) a2v.push(Date.now() - Number(it.text.split("|")[1]));
        });
        visitors[n] = ws;
      }),
    );
  }
  const connectSeconds = (Date.now() - t0) / 1000;
  await sleep(2000);
  const rssConnected = workerdRssMb();
  console.log(`${VISITORS} widget sockets + ${AGENTS} agents open in ${connectSeconds.toFixed(1)} s; workerd RSS ${rssBefore.toFixed(0)} → ${rssConnected.toFixed(0)} MB`);

  // Load: every visitor sends once per 10 s, spread evenly over the period.
  let sent = 0;
  const end = Date.now() + SECONDS * 1000;
  const timers = visitors.map((ws, n) =>
    setTimeout(function tick() {
      if (Date.now() >= end) return;
      sent += 1;
      ws.send(JSON.stringify({ t: "msg", cid: `bench-${n}-${sent}`, text: `b|${n}|${Date.now()}` }));
      timers[n] = setTimeout(tick, EVERY_MS);
    }, (n * EVERY_MS) / VISITORS),
  );
  await sleep(SECONDS * 1000 + 5000);
  for (const t of timers) clearTimeout(t);
  const rssPeak = workerdRssMb();
  for (const ws of [...visitors, ...agents]) ws.close();

  const perSocketKb = ((rssConnected - rssBefore) * 1024) / (VISITORS + AGENTS);
  const line = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms (n=${xs.length})`;
  console.log(`sent ${sent} visitor messages; delivered to agents ${v2a.length}; visitor → agent ${line(v2a)}`);
  console.log(`replies ${replies} (${replyErrors} failed); delivered to widgets ${a2v.length}; agent → visitor ${line(a2v)}`);
  console.log(`workerd RSS per socket ${perSocketKb.toFixed(1)} KB; peak during load ${rssPeak.toFixed(0)} MB`);

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const md = [
    "## Website live chat (bench:chat)",
    "",
    `\`npm run bench:chat\` — ${new Date().toISOString().slice(0, 10)}, ${cpu} (${os.cpus().length} cores shared with other work), Node ${process.version}, plain miniflare.`,
    `${VISITORS} widget sockets on one business (one LiveChat object per visitor conversation, each from its own client address), ${AGENTS} agent`,
    `sockets on the business's InboxHub; every visitor sends one message every 10 s for ${SECONDS} s; agents reply to ~10% through`,
    "`POST /api/v1/conversations/{id}/messages`. Visitor → agent: widget socket send → `message.created` on an agent socket (the",
    "D1 write, the conversation update and the hub fan-out in between). Agent → visitor: the reply POST → the widget socket.",
    "",
    "| path | messages | p50 | p99 |",
    "|---|---:|---:|---:|",
    `| visitor → agent | ${v2a.length} of ${sent} | ${pct(v2a, 50).toFixed(1)} ms | ${pct(v2a, 99).toFixed(1)} ms |`,
    `| agent → visitor | ${a2v.length} of ${replies} | ${pct(a2v, 50).toFixed(1)} ms | ${pct(a2v, 99).toFixed(1)} ms |`,
    "",
    `workerd RSS: ${rssBefore.toFixed(0)} MB before, ${rssConnected.toFixed(0)} MB with ${VISITORS + AGENTS} sockets open (${perSocketKb.toFixed(1)} KB per socket,`,
    `including each visitor's Durable Object and its SQLite storage), ${rssPeak.toFixed(0)} MB at the end of the load. Sockets opened in ${connectSeconds.toFixed(1)} s.`,
    "",
  ].join("\n");
  const file = path.join(ROOT, "docs", "benchmarks.md");
  writeFileSync(file, `${readFileSync(file, "utf8").trimEnd()}\n\n${md}`);
  console.log(`appended to ${file}`);
} finally {
  await worker.close();
}
