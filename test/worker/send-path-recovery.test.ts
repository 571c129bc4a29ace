// What a crash or an outage leaves behind, re-driven: inbound side effects (issue 8 item 9), device webhooks that
// used up their retries (dead-letter queue), and the stuck-row sweep's fairness across businesses.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { database } from "../../worker/db/client";
import { getDeviceByKey } from "../../worker/db/devices";
import { findUnacceptedQueued } from "../../worker/db/messages";
import { EFFECT_GRACE_MS, sweepInboundEffects } from "../../worker/inbound/effects";
import { receiveInbound } from "../../worker/inbound/receive";
import worker from "../../worker/index";
import { createDevice, eventually, signup } from "./helpers";
import { records, servers } from "./servers";

type Hook = { headers: Record<string, string>; body: string };

describe("inbound side effects survive a crash between the insert and the forward (issue 8, item 9)", () => {
  it("the cron sweep forwards what the crashed run left, exactly once, even though the redelivery was deduped", async () => {
    const t = await signup();
    const name = `crash-${crypto.randomUUID()}`;
    const d = await createDevice(t, "sandbox", { webhook_url: `${servers().local}/hooks/${name}` });
    const device = await getDeviceByKey(database(env.DB), d.device_key);
    if (!device) throw new Error("no device");
    const inbound = {
      providerMessageId: `WA-${crypto.randomUUID()}`,
      chatJid: "6281234567890@s.whatsapp.net",
      senderJid: "6281234567890@s.whatsapp.net",
      senderName: "Budi",
      timestamp: Date.now(),
      kind: "text" as const,
      text: "Pesanan saya sudah dikirim?",
      isGroup: false,
      isEphemeral: false,
    };
    // The crash: the run dies right after the message is stored (at the inbox hand-off), before the forward.
    await expect(
      receiveInbound(env, device, inbound, {
        sendReply: true,
        waitUntil: () => {
          throw new Error("isolate went away");
        },
      }),
    ).rejects.toThrow("isolate went away");
    // The gateway resends (it saw no inbound_ack): the message is deduped, so this run forwards nothing.
    const again = await receiveInbound(env, device, inbound, { sendReply: true });
    expect(again.duplicate).toBe(true);
    await new Promise((ok) => setTimeout(ok, 500));
    expect(await records<Hook>(`hook:${name}`)).toHaveLength(0);
    const effects = await env.DB.prepare("SELECT kind, done_at FROM inbound_effects WHERE device_key = ? ORDER BY kind").bind(d.device_key).all<{ kind: string; done_at: number | null }>();
    expect(effects.results).toEqual([
      { kind: "auto_reply", done_at: null },
      { kind: "forward", done_at: null },
    ]);

    // Within the grace period the sweep leaves them to the live path; after it, it re-drives them.
    expect(await sweepInboundEffects(env, Date.now())).toBe(0);
    const swept = await sweepInboundEffects(env, Date.now() + EFFECT_GRACE_MS + 1);
    expect(swept).toBeGreaterThanOrEqual(2);
    const [hook] = await eventually(async () => {
      const got = await records<Hook>(`hook:${name}`);
      return got.length > 0 ? got : undefined;
    }, 8000, "forward after sweep");
    expect(JSON.parse(hook?.body ?? "{}")).toMatchObject({ device_key: d.device_key, from: "6281234567890", message: "Pesanan saya sudah dikirim?" });
    const done = await env.DB.prepare("SELECT COUNT(*) AS n FROM inbound_effects WHERE device_key = ? AND done_at IS NOT NULL").bind(d.device_key).first<{ n: number }>();
    expect(done?.n).toBe(2);
    // Done means done: another sweep sends nothing more.
    await sweepInboundEffects(env, Date.now() + EFFECT_GRACE_MS + 1);
    await new Promise((ok) => setTimeout(ok, 500));
    expect(await records<Hook>(`hook:${name}`)).toHaveLength(1);
  });

  it("a normal arrival runs its effects at once and leaves nothing for the sweep", async () => {
    const t = await signup();
    const name = `live-${crypto.randomUUID()}`;
    const d = await createDevice(t, "sandbox", { webhook_url: `${servers().local}/hooks/${name}` });
    const device = await getDeviceByKey(database(env.DB), d.device_key);
    if (!device) throw new Error("no device");
    await receiveInbound(
      env,
      device,
      { providerMessageId: `WA-${crypto.randomUUID()}`, chatJid: "6281234567891@s.whatsapp.net", senderJid: "6281234567891@s.whatsapp.net", senderName: null, timestamp: Date.now(), kind: "text", text: "halo", isGroup: false, isEphemeral: false },
      { sendReply: true },
    );
    const open = await env.DB.prepare("SELECT COUNT(*) AS n FROM inbound_effects WHERE device_key = ? AND done_at IS NULL").bind(d.device_key).first<{ n: number }>();
    expect(open?.n).toBe(0);
    await eventually(async () => (await records<Hook>(`hook:${name}`)).length === 1, 8000, "forward");
  });
});

describe("device webhooks that use up their retries (issue 8, low)", () => {
  it("land in the dead-letter queue, whose consumer writes a final 'gave up' row to the delivery log", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox", { webhook_url: `${servers().local}/hooks/dead` });
    const job = { v: 1, event_id: `msg_${crypto.randomUUID()}`, business_id: t.businessId, device_key: d.device_key, payload: { device_key: d.device_key, name: "", from: "62812", message: "x", type: "single" }, timestamp: 1 };
    const batch = createMessageBatch("device-webhooks-dlq", [{ id: "w1", timestamp: Date.now(), attempts: 7, body: job }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["w1"]);
    const row = await env.DB.prepare("SELECT ok, error, event_id, url FROM webhook_deliveries WHERE device_key = ?").bind(d.device_key).first<{ ok: number; error: string; event_id: string; url: string }>();
    expect(row).toMatchObject({ ok: 0, event_id: job.event_id, url: `${servers().local}/hooks/dead` });
    expect(row?.error).toMatch(/dead-lettered/);
  });
});

describe("the stuck-row sweep is fair across businesses (issue 8, low)", () => {
  it("a business with a large backlog cannot starve another's rows", async () => {
    const big = await signup("Toko Besar");
    const small = await signup("Toko Kecil");
    const bigDevice = await createDevice(big, "sandbox");
    const smallDevice = await createDevice(small, "sandbox");
    const old = Date.now() - 3600_000;
    const insert = (businessId: string, deviceKey: string, i: number, at: number) =>
      env.DB.prepare("INSERT INTO messages (id, business_id, device_key, idempotency_key, to_jid, text, source, created_at) VALUES (?, ?, ?, ?, '6281234567890@s.whatsapp.net', 'x', 'api', ?)").bind(
        crypto.randomUUID(),
        businessId,
        deviceKey,
        `stuck:${i}:${crypto.randomUUID()}`,
        at,
      );
    // 300 stuck rows of the big business, all older than the small business's 3.
    const rows = Array.from({ length: 300 }, (_, i) => insert(big.businessId, bigDevice.device_key, i, old + i));
    for (let i = 0; i < rows.length; i += 50) await env.DB.batch(rows.slice(i, i + 50));
    await env.DB.batch([0, 1, 2].map((i) => insert(small.businessId, smallDevice.device_key, i, old + 1000 + i)));
    const picked = await findUnacceptedQueued(database(env.DB), Date.now() - 60_000, 100, 50);
    const mine = (b: string) => picked.filter((m) => m.businessId === b).length;
    expect(mine(small.businessId)).toBe(3);
    expect(mine(big.businessId)).toBeLessThanOrEqual(50);
    // Clean up so the other sweep tests in this isolate are not flooded.
    await env.DB.prepare("UPDATE messages SET status = 'failed' WHERE business_id IN (?, ?)").bind(big.businessId, small.businessId).run();
  });
});
