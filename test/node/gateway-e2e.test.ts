// End to end, every part real: the Worker in workerd (D1, Queues, Durable Objects, R2) ⇄ gateway channel ⇄
// gateway-node (its own process) ⇄ Baileys ⇄ the crabline WhatsApp simulator.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedRegisteredCreds } from "../../gateway-node/src/store/auth-state";
import { pino } from "pino";
import { DeviceChannel } from "../../gateway-node/src/channel/device-channel";
import { WorkerApi } from "../../gateway-node/src/channel/worker-api";
import { SessionStore } from "../../gateway-node/src/store/session-store";
import { exportSession, importSession } from "../../gateway-node/src/store/transfer";
import { Crabline } from "./support/crabline";
import { addBaileysDevice, assignGateway, pingApi, signupTenant, type Call } from "./support/ping-api";
import { waitFor } from "./support/wait";
import { GatewayProcess } from "./support/gateway-process";
import { type LocalWorker, startLocalWorker } from "../support/local-worker";
import { type DohStub, startDohStub } from "../support/doh-stub";
import { type MediaOrigin, startMediaOrigin } from "../support/media-origin";
import { outboundRoutes } from "../support/outbound-routes";

const GATEWAY_ID = "gw-e2e";
const GATEWAY_SECRET = randomBytes(24).toString("base64url");
const OTHER_GATEWAY_ID = "gw-e2e-b";
const OTHER_GATEWAY_SECRET = randomBytes(24).toString("base64url");
const ADMIN_TOKEN = randomBytes(16).toString("hex");
const STORE_KEY = randomBytes(32).toString("base64");

let crab: Crabline;
let worker: LocalWorker;
let doh: DohStub;
let mediaOrigin: MediaOrigin;
let hooks: Server;
let hookUrl: string;
const delivered: Record<string, unknown>[] = [];
const gateways: GatewayProcess[] = [];

let api: Call;

async function tenant() {
  const cookie = await signupTenant(api);
  const device = await addBaileysDevice(api, cookie, { webhook_url: hookUrl });
  // Two gateways are configured; new devices go to the least loaded one, so pin it for the test.
  await assignGateway(api, ADMIN_TOKEN, device.device_key, GATEWAY_ID);
  return { cookie, deviceKey: device.device_key };
}

function startGateway(dataDir: string, extra: Record<string, string> = {}, other = false): GatewayProcess {
  const id = other ? { gatewayId: OTHER_GATEWAY_ID, gatewaySecret: OTHER_GATEWAY_SECRET } : { gatewayId: GATEWAY_ID, gatewaySecret: GATEWAY_SECRET };
  const gw = GatewayProcess.forSimulator({ workerUrl: worker.url, ...id, storeKey: STORE_KEY, dataDir, waWebSocketUrl: crab.wsUrl }, extra);
  gateways.push(gw);
  return gw;
}

beforeAll(async () => {
  crab = await Crabline.start();
  hooks = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      delivered.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => hooks.listen(0, "127.0.0.1", r));
  const addr = hooks.address();
  hookUrl = `http://127.0.0.1:${addr && typeof addr === "object" ? addr.port : 0}/hook`;
  // The test network for media: public names of the test zone resolve through the DoH stub and lead to the media origin.
  [doh, mediaOrigin] = await Promise.all([startDohStub(), startMediaOrigin()]);
  worker = await startLocalWorker({
    outboundService: outboundRoutes(mediaOrigin.url),
    vars: {
      DNS_RESOLVER_URL: doh.url,
      SECRETS_KEY: randomBytes(32).toString("base64"),
      GATEWAY_SECRETS: JSON.stringify({ [GATEWAY_ID]: GATEWAY_SECRET, [OTHER_GATEWAY_ID]: OTHER_GATEWAY_SECRET }),
      PLATFORM_ADMIN_TOKEN: ADMIN_TOKEN,
      ALLOW_LOOPBACK_WEBHOOKS: "true",
      // Short job leases so a job held by a killed gateway comes back within the test.
      GATEWAY_JOB_LEASE_MS: "4000",
    },
  });
  api = pingApi(worker.url);
}, 120_000);

// One gateway process at a time: a leftover one would pick up the next test's device (same gateway id).
afterEach(async () => {
  await Promise.all(
    gateways.splice(0).map(async (g) => {
      const t0 = Date.now();
      await g.stop("SIGTERM");
      if (process.env.GATEWAY_TEST_LOGS) console.error(`stopped in ${Date.now() - t0} ms`, g.logs.slice(-15).map((l) => JSON.stringify(l)).join("\n"));
    }),
  );
});

afterAll(async () => {
  await worker?.close();
  await doh?.close();
  await mediaOrigin?.close();
  await crab?.close();
  await new Promise((r) => hooks?.close(r));
});

describe("gateway-node end to end", () => {
  it("connects a device, reports it connected, and carries inbound text and media to the Worker", async () => {
    const t = await tenant();
    const { gw } = await connectedGateway(t, true);

    const health = await waitFor(async () => {
      const h = await gw.health();
      return h?.httpStatus === 200 && h.sessions.some((s) => s.device_key === t.deviceKey && s.status === "connected" && s.channel === "open") ? h : null;
    }, 10_000, "health endpoint");
    expect(health.sessions).toHaveLength(1);

    await crab.inject("6281234500001", { text: "Halo kak, masih ada stok?", pushName: "Rina" });
    const text = await waitFor(async () => delivered.find((d) => d.message === "Halo kak, masih ada stok?"), 20_000, "webhook with inbound text");
    expect(text).toMatchObject({ device_key: t.deviceKey, from: "6281234500001", name: "Rina", type: "single" });

    const voice = randomBytes(2048);
    await crab.inject("6281234500002", { audio: { contentBase64: voice.toString("base64"), mimeType: "audio/ogg; codecs=opus", ptt: true } });
    const media = await waitFor(async () => delivered.find((d) => d.from === "6281234500002"), 20_000, "webhook with inbound media");
    expect(media).toMatchObject({ file_type: expect.stringMatching(/^audio\/ogg/), file_size: voice.length, file_category: "audio" });
    const fileUrl = new URL(String(media.file_url));
    const file = await fetch(worker.url + fileUrl.pathname);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(voice);
  });
});

describe("gateway-node end to end: media", () => {
  it("a media send: the Worker fetches the tenant's URL once; the gateway takes the file from the Worker by id, never the URL", async () => {
    const t = await tenant();
    const { gw } = await connectedGateway(t, true);
    // The old hole: a media URL on the Worker's own origin, fetched by the gateway with its credential.
    const leak = await api("/api/v1/messages", {
      cookie: t.cookie,
      json: { device_key: t.deviceKey, to: "081234567812", media: { kind: "document", url: `${worker.url}/gateway/v1/devices`, mime_type: "application/json" } },
    });
    expect(leak.status).toBe(400);
    expect(leak.body.error_code).toBe("INVALID_MEDIA_URL");

    const marker = `e2e-${Date.now()}`;
    const res = await api("/api/v1/messages", {
      cookie: t.cookie,
      json: { device_key: t.deviceKey, to: "081234567812", media: { kind: "image", url: `https://cdn.example.com/img/cat.png?${marker}`, mime_type: "image/png", caption: "katalog" } },
    });
    expect(res.status).toBe(202);
    const id = String(res.body.id);
    // crabline answers media_conn with 127.0.0.1 but emulates no WhatsApp media upload host, so Baileys stops at the
    // upload: reaching it means the gateway had the file, downloaded from the Worker by id (a failed download
    // would fail the job with "media <id>: HTTP …" before Baileys is called).
    const failed = await waitFor(async () => gw.logs.find((l) => l.msg === "send failed" && l.job_id === id), 30_000, "the gateway's first send attempt");
    expect(String(failed.reason)).toMatch(/Media upload failed/);
    expect(gw.logs.some((l) => l.module === "baileys" && String(l.msg).startsWith("Error in uploading"))).toBe(true);
    // The tenant's URL was fetched once, by the Worker, when the send was accepted; never by the gateway.
    expect(mediaOrigin.hits.filter((h) => h.path.includes(marker))).toEqual([{ host: "cdn.example.com", path: `/img/cat.png?${marker}` }]);
  });
});

async function sendText(t: { cookie: string; deviceKey: string }, to: string, text: string): Promise<string> {
  const res = await api("/api/v1/messages", { cookie: t.cookie, json: { device_key: t.deviceKey, to, text } });
  if (res.status !== 202) throw new Error(`send failed ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.id);
}

async function message(t: { cookie: string }, id: string) {
  const res = await api(`/api/v1/messages/${id}`, { cookie: t.cookie });
  return res.body as { id: string; status: string; provider_message_id: string | null; error: string | null };
}

/** Typing before each send (~300 ms) spreads a batch over seconds, so a kill lands in the middle of it. */
const SLOW = { TYPING_MS_PER_CHAR: "1", TYPING_MIN_MS: "300", TYPING_MAX_MS: "300" };

async function connectedGateway(t: { cookie: string; deviceKey: string }, seed: boolean, extra: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "gw-e2e-"));
  if (seed) {
    const store = new SessionStore(dataDir, STORE_KEY);
    seedRegisteredCreds(store, t.deviceKey, crab.selfJid);
    store.close();
  }
  const gw = startGateway(dataDir, extra);
  await waitConnected(t);
  return { gw, dataDir };
}

async function waitConnected(t: { cookie: string; deviceKey: string }) {
  await waitFor(async () => {
    const d = await api(`/api/v1/devices/${t.deviceKey}`, { cookie: t.cookie });
    return d.body.status === "connected" ? d.body : null;
  }, 30_000, "device connected in the Worker");
}

/** How many times crabline recorded each text. */
function recordedCounts(prefix: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const s of crab.sends()) if (s.text?.startsWith(prefix)) m.set(s.text, [...(m.get(s.text) ?? []), s.id]);
  return m;
}

describe("gateway-node end to end: sending", () => {
  it("a job becomes a WhatsApp message recorded by crabline and the message is sent with crabline's id", async () => {
    const t = await tenant();
    const { gw } = await connectedGateway(t, true);
    const id = await sendText(t, "081234567801", "Pesanan #A-1 sudah kami kirim, terima kasih!");
    const sent = await waitFor(async () => {
      const m = await message(t, id);
      return m.status === "sent" ? m : null;
    }, 20_000, "message sent");
    const recorded = crab.sends().filter((s) => s.text === "Pesanan #A-1 sudah kami kirim, terima kasih!");
    expect(recorded).toEqual([{ id: sent.provider_message_id, to: "6281234567801@s.whatsapp.net", text: "Pesanan #A-1 sudah kami kirim, terima kasih!" }]);
    await gw.stop("SIGTERM");
  });

  it("killed mid-batch, then restarted from its SQLite store: every job delivered, none twice once acked", async () => {
    const t = await tenant();
    const { gw, dataDir } = await connectedGateway(t, true, SLOW);
    const prefix = `crash-${Date.now()}-`;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await sendText(t, `0812345679${String(i).padStart(2, "0")}`, `${prefix}${i}`));
    await waitFor(async () => (recordedCounts(prefix).size >= 3 ? true : null), 20_000, "part of the batch sent");
    await gw.stop("SIGKILL");
    const before = await Promise.all(ids.map((id) => message(t, id)));
    const ackedBeforeCrash = before.filter((m) => m.status === "sent");
    expect(ackedBeforeCrash.length).toBeGreaterThan(0);
    expect(ackedBeforeCrash.length).toBeLessThan(12);

    // The same data directory: the gateway resumes with its stored credentials, no pairing.
    startGateway(dataDir, SLOW);
    await waitConnected(t);
    const after = await waitFor(async () => {
      const all = await Promise.all(ids.map((id) => message(t, id)));
      return all.every((m) => m.status === "sent") ? all : null;
    }, 40_000, "every job sent after the restart");

    const counts = recordedCounts(prefix);
    expect(counts.size).toBe(12);
    for (const m of ackedBeforeCrash) {
      const text = `${prefix}${ids.indexOf(m.id)}`;
      expect(counts.get(text), `${text} was acked before the crash`).toHaveLength(1);
    }
    // At most the one job in flight at the crash (sent, not yet acked) went twice.
    const extra = [...counts.values()].reduce((n, v) => n + v.length - 1, 0);
    expect(extra).toBeLessThanOrEqual(1);
    for (const m of after) expect(counts.get(`${prefix}${ids.indexOf(m.id)}`)).toContain(m.provider_message_id);
  });

  it("SIGTERM mid-batch finishes the send in flight, hands the rest back, and the next gateway sends each once", async () => {
    const t = await tenant();
    const { gw, dataDir } = await connectedGateway(t, true, SLOW);
    const prefix = `term-${Date.now()}-`;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await sendText(t, `0812345680${String(i).padStart(2, "0")}`, `${prefix}${i}`));
    await waitFor(async () => (recordedCounts(prefix).size >= 2 ? true : null), 20_000, "part of the batch sent");
    expect(await gw.stop("SIGTERM")).toBe(0);
    const mid = await Promise.all(ids.map((id) => message(t, id)));
    expect(mid.every((m) => m.status === "sent" || m.status === "queued")).toBe(true);
    expect(mid.filter((m) => m.status === "queued").length).toBeGreaterThan(0);

    startGateway(dataDir);
    await waitFor(async () => {
      const all = await Promise.all(ids.map((id) => message(t, id)));
      return all.every((m) => m.status === "sent") ? all : null;
    }, 40_000, "every job sent after the restart");
    const counts = recordedCounts(prefix);
    expect(counts.size).toBe(10);
    expect([...counts.values()].every((v) => v.length === 1)).toBe(true);
  });
});

describe("the channel survives the Worker", () => {
  it("a Worker restart (a deploy) drops every socket: the gateway reconnects and sending and inbound go on", async () => {
    const t = await tenant();
    const { gw } = await connectedGateway(t, true);
    await worker.restart();
    // Inbound while the channel may still be down: stored by the gateway, resent until the Worker acks it.
    await crab.inject("6281234500009", { text: "setelah deploy", pushName: "Dewi" });
    await waitFor(async () => (await gw.session(t.deviceKey))?.channel === "open", 30_000, "the channel reopened");
    const id = await sendText(t, "081234567911", "pesan setelah deploy");
    const sent = await waitFor(async () => {
      const m = await message(t, id);
      return m.status === "sent" ? m : null;
    }, 30_000, "sent after the restart");
    expect(crab.sends().filter((s) => s.text === "pesan setelah deploy")).toEqual([{ id: sent.provider_message_id, to: "6281234567911@s.whatsapp.net", text: "pesan setelah deploy" }]);
    const hook = await waitFor(async () => delivered.find((d) => d.message === "setelah deploy" && d.device_key === t.deviceKey), 30_000, "inbound after the restart");
    expect(hook).toMatchObject({ from: "6281234500009", name: "Dewi" });
  });
});

describe("channel refusals", () => {
  it("a gateway refused at the upgrade (device not assigned to it, or deleted) stops instead of retrying", async () => {
    const t = await tenant();
    const store = new SessionStore(mkdtempSync(join(tmpdir(), "gw-e2e-refused-")), STORE_KEY);
    const logger = pino({ level: "silent" });
    const channelFor = (gatewayId: string, secret: string, deviceKey: string) =>
      new DeviceChannel({ deviceKey, gatewayId, api: new WorkerApi({ pingUrl: worker.url, gatewayId, gatewaySecret: secret }), store, logger, creditWindow: 1 });

    const notMine = channelFor(OTHER_GATEWAY_ID, OTHER_GATEWAY_SECRET, t.deviceKey);
    notMine.open();
    await waitFor(() => notMine.state === "refused", 10_000, "403 → refused");

    const unknown = channelFor(GATEWAY_ID, GATEWAY_SECRET, crypto.randomUUID());
    unknown.open();
    await waitFor(() => unknown.state === "gone", 10_000, "404 → gone");

    const badSecret = channelFor(GATEWAY_ID, "not-the-secret-at-all", t.deviceKey);
    badSecret.open();
    await waitFor(() => badSecret.state === "refused", 10_000, "401 → refused");
    await new Promise((r) => setTimeout(r, 1500));
    expect([notMine.state, unknown.state, badSecret.state]).toEqual(["refused", "gone", "refused"]);
    store.close();
  });
});

describe("several gateways", () => {
  it("an admin moves a device to another gateway: the session moves with it, no new scan, sending goes on", async () => {
    const t = await tenant();
    const { gw: first, dataDir } = await connectedGateway(t, true);
    const before = await sendText(t, "081234567901", "sebelum pindah");
    await waitFor(async () => (await message(t, before)).status === "sent", 20_000, "sent through the first gateway");

    // The operator moves the session file, then the device (docs/gateway.md, "Moving a device").
    const otherDir = mkdtempSync(join(tmpdir(), "gw-e2e-b-"));
    const transferKey = randomBytes(32).toString("base64");
    const from = new SessionStore(dataDir, STORE_KEY);
    const sealed = exportSession(from, t.deviceKey, transferKey);
    from.close();
    const to = new SessionStore(otherDir, STORE_KEY);
    importSession(to, t.deviceKey, sealed, transferKey);
    to.close();
    const second = startGateway(otherDir, {}, true);
    await assignGateway(api, ADMIN_TOKEN, t.deviceKey, OTHER_GATEWAY_ID);

    // The first gateway is refused (4001) and lets the device go; the second resumes the moved session.
    await waitFor(async () => (await first.health()) !== null && (await first.session(t.deviceKey)) === undefined, 15_000, "the first gateway released the device");
    await waitFor(async () => {
      const s = await second.session(t.deviceKey);
      return s?.status === "connected" && s.channel === "open";
    }, 30_000, "the second gateway connected the device");
    await waitConnected(t);

    const after = await sendText(t, "081234567901", "sesudah pindah");
    const sent = await waitFor(async () => {
      const m = await message(t, after);
      return m.status === "sent" ? m : null;
    }, 20_000, "sent through the second gateway");
    expect(crab.sends().filter((s) => s.text === "sesudah pindah")).toEqual([{ id: sent.provider_message_id, to: "6281234567901@s.whatsapp.net", text: "sesudah pindah" }]);
  });

  it("a deleted device is logged out: its WhatsApp keys are wiped and the gateway stops hosting it", async () => {
    const t = await tenant();
    const { gw, dataDir } = await connectedGateway(t, true);
    const del = await api(`/api/v1/devices/${t.deviceKey}`, { method: "DELETE", cookie: t.cookie });
    expect(del.status).toBeLessThan(300);
    await waitFor(async () => (await gw.health()) !== null && (await gw.session(t.deviceKey)) === undefined, 15_000, "the gateway stopped hosting the deleted device");
    await waitFor(() => {
      const store = new SessionStore(dataDir, STORE_KEY);
      try {
        return store.get(t.deviceKey, "creds", "creds") === null;
      } finally {
        store.close();
      }
    }, 10_000, "the device's keys wiped");
  });
});
