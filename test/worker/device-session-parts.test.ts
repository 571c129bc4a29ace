// The DeviceSession's parts through the real object: a thrown direct send (issue 8 item 10), acks for jobs never
// leased (issue 8), lanes with the transactional-gap bound under a broadcast load, capacity and withdraw (issue 9),
// and protocol v1 and v2 gateways connected side by side.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { database } from "../../worker/db/client";
import { queueMessages } from "../../worker/messaging/enqueue";
import { deviceSession } from "../../worker/durable/stubs";
import { WriteBack } from "../../worker/durable/device-write-back";
import { openGateway, type TestGateway } from "./gateway-client";
import { call, createDevice, eventually, queueTestMessages, signup, type Tenant } from "./helpers";

async function messageRow(id: string) {
  return env.DB.prepare("SELECT status, provider_message_id, error, direction, source, conversation_id FROM messages WHERE id = ?")
    .bind(id)
    .first<{ status: string; provider_message_id: string | null; error: string | null; direction: string; source: string; conversation_id: string | null }>();
}

async function gatewayDevice(t: Tenant, settings: Record<string, unknown>, v: 1 | 2 = 1, gateway: "gw-test" | "gw-other" = "gw-test") {
  const d = await createDevice(t, "baileys");
  await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: gateway }, headers: { authorization: "Bearer operator-test-token" } });
  const patched = await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings }, cookie: t.cookie });
  expect(patched.status).toBe(200);
  const gw = await openGateway(d.device_key, gateway === "gw-test" ? "gw-test:gateway-test-secret" : "gw-other:other-gateway-secret");
  gw.send({ type: "hello", v, gateway_id: gateway, status: "connected" });
  expect(await gw.next("welcome")).toMatchObject({ v });
  return { d, gw };
}

function jobsOf(gw: TestGateway) {
  return gw.frames.flatMap((f) => (f.type === "job" ? [f] : []));
}

describe("a direct send that throws (issue 8, item 10)", () => {
  it("is retried instead of stranding the job, and the alarm is always set", async () => {
    const t = await signup();
    const d = await createDevice(t, "cloud_api");
    await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { pacing_enabled: false } }, cookie: t.cookie });
    // Credentials that cannot be decrypted: reading them throws inside the send.
    await env.DB.prepare("UPDATE devices SET provider_config_enc = 'not-a-sealed-secret' WHERE device_key = ?").bind(d.device_key).run();
    const r = await call("/api/v1/messages", { json: { device_key: d.device_key, to: "081233334444", meta_template: { name: "promo", language: "id", params: [] } }, cookie: t.cookie });
    expect(r.status).toBe(202);
    const stub = deviceSession(env, d.device_key);
    const state = await eventually(
      () =>
        runInDurableObject(stub, async (_o, s) => {
          const job = s.storage.sql.exec<{ state: string; attempt: number }>("SELECT state, attempt FROM jobs WHERE message_id = ?", r.body.id).toArray()[0];
          return job && job.attempt >= 1 ? { job, alarm: await s.storage.getAlarm() } : undefined;
        }),
      8000,
      "job tried",
    );
    // Back in the outbox with backoff (not leased forever), and an alarm to try again.
    expect(state.job.state).toBe("pending");
    expect(state.alarm).not.toBeNull();
    expect((await messageRow(r.body.id))?.status).toBe("queued");
  });
});

describe("acks (issue 8, low)", () => {
  it("refuses an ack for a job that was never leased; the message stays queued", async () => {
    const t = await signup();
    const { d, gw } = await gatewayDevice(t, { pacing_enabled: false });
    const [row] = await queueTestMessages(t, d.device_key, ["belum dikirim"]);
    const id = row?.id ?? "";
    await eventually(async () => (await call(`/api/v1/devices/${d.device_key}/live`, { cookie: t.cookie })).body.outbox.pending === 1, 8000, "waiting");
    // No credit was granted: the job was never handed out, yet the gateway claims it sent it.
    gw.send({ type: "ack", job_id: id, wa_message_id: "WA-forged" });
    gw.send({ type: "acks", items: [{ job_id: crypto.randomUUID(), wa_message_id: "WA-unknown" }] });
    expect(await gw.next("error")).toMatchObject({ code: "unknown_job", fatal: false });
    await new Promise((ok) => setTimeout(ok, 300));
    expect(await messageRow(id)).toMatchObject({ status: "queued", provider_message_id: null });
    // Handed out for real, the same ack counts.
    gw.send({ type: "credit", n: 1 });
    const job = await gw.next("job");
    gw.send({ type: "ack", job_id: job.job_id, wa_message_id: "WA-real" });
    await eventually(async () => (await messageRow(id))?.status === "sent", 5000, "sent");
    expect((await messageRow(id))?.provider_message_id).toBe("WA-real");
    gw.close();
  });
});

describe("lanes (issue 9)", () => {
  it("a transactional send waits at most one transactional gap while a broadcast runs and has used up the caps", async () => {
    const t = await signup();
    // Gap 1–1.3 s; the per-minute cap (3) is the broadcast lane's and the broadcast fills it.
    const { d, gw } = await gatewayDevice(t, { pacing_enabled: true, min_gap_seconds: 1, jitter_seconds: 0.3, max_per_minute: 3, window_lanes: "none" });
    gw.send({ type: "credit", n: 100 });
    const ackAll = () => {
      for (const j of jobsOf(gw)) gw.send({ type: "ack", job_id: j.job_id, wa_message_id: `WA-${j.job_id}` });
    };
    await queueTestMessages(t, d.device_key, Array.from({ length: 10 }, (_, i) => `promo ${i}`), "broadcast");
    await eventually(async () => jobsOf(gw).length >= 3, 8000, "broadcast running");
    ackAll();
    const broadcastBefore = jobsOf(gw).length;
    // Three transactional sends in a row, queued while the broadcast lane is capped.
    const tx = await queueTestMessages(t, d.device_key, ["resi 1", "resi 2", "resi 3"], "transactional");
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      await eventually(async () => jobsOf(gw).filter((j) => j.content.kind === "text" && j.content.text.startsWith("resi")).length > i, 5000, `transactional ${i + 1}`);
      seen.push(Date.now());
      ackAll();
    }
    const txJobs = jobsOf(gw).filter((j) => tx.some((m) => m.id === j.job_id));
    expect(txJobs).toHaveLength(3);
    // Between transactional sends: one transactional gap (1–1.3 s), measured on the object's own lease stamps,
    // plus the runtime's alarm delivery under load (≤ 0.6 s here). Broadcast pacing would hold them ~60 s (the cap).
    for (let i = 1; i < 3; i++) {
      const gap = (txJobs[i]?.lease_until ?? 0) - (txJobs[i - 1]?.lease_until ?? 0);
      expect(gap).toBeGreaterThanOrEqual(1000);
      expect(gap).toBeLessThanOrEqual(1900);
    }
    // The broadcast stayed held by its cap meanwhile.
    expect(jobsOf(gw).filter((j) => !tx.some((m) => m.id === j.job_id)).length).toBe(broadcastBefore);
    gw.close();
  });
});

describe("broadcast feeders: capacity and withdraw (issue 9)", () => {
  it("capacity follows the caps; withdraw removes a source's jobs not handed out and marks them skipped", async () => {
    const t = await signup();
    const { d, gw } = await gatewayDevice(t, { pacing_enabled: true, min_gap_seconds: 0, jitter_seconds: 0, max_per_minute: 5, window_lanes: "none" });
    const stub = deviceSession(env, d.device_key);
    expect(await stub.capacity()).toEqual({ available: 5, next_at: null });
    const rows = await queueMessages(
      database(env.DB),
      env.OUTBOUND,
      Array.from({ length: 4 }, (_, i) => ({
        id: crypto.randomUUID(),
        businessId: t.businessId,
        deviceKey: d.device_key,
        idempotencyKey: `broadcast:b-42:${i}`,
        to: "6281234567890@s.whatsapp.net",
        text: `promo ${i}`,
        source: "broadcast" as const,
        lane: "broadcast" as const,
      })),
    );
    await eventually(async () => (await call(`/api/v1/devices/${d.device_key}/live`, { cookie: t.cookie })).body.outbox.pending === 4, 8000, "waiting");
    // Four waiting in the broadcast lane: one more fits this minute.
    expect(await stub.capacity()).toEqual({ available: 1, next_at: null });
    gw.send({ type: "credit", n: 1 });
    const first = await gw.next("job");
    // Another source's prefix withdraws nothing; this broadcast's three waiting jobs go, the leased one stays.
    expect(await stub.withdraw("broadcast:b-4")).toEqual({ withdrawn: 0 });
    expect(await stub.withdraw("broadcast:b-42")).toEqual({ withdrawn: 3 });
    gw.send({ type: "ack", job_id: first.job_id, wa_message_id: "WA-first" });
    await eventually(async () => (await messageRow(first.job_id))?.status === "sent", 5000, "first sent");
    for (const r of rows.filter((m) => m.id !== first.job_id)) expect(await messageRow(r.id)).toMatchObject({ status: "skipped", error: "withdrawn before sending" });
    gw.send({ type: "credit", n: 10 });
    await new Promise((ok) => setTimeout(ok, 300));
    expect(jobsOf(gw)).toHaveLength(1);
    gw.close();
  });
});

describe("protocol v1 and v2 gateways connected at once (issue 9)", () => {
  it("each gets welcome in its own version; fail codes, presence and from_me work on v2 while v1 keeps working", async () => {
    const t = await signup();
    const one = await gatewayDevice(t, { pacing_enabled: false }, 1, "gw-test");
    const two = await gatewayDevice(t, { pacing_enabled: false }, 2, "gw-other");
    const live = async (key: string) => (await call(`/api/v1/devices/${key}/live`, { cookie: t.cookie })).body;
    expect((await live(one.d.device_key)).gateway_protocol).toBe(1);
    expect((await live(two.d.device_key)).gateway_protocol).toBe(2);

    // Jobs and acks on both.
    const [m1] = await queueTestMessages(t, one.d.device_key, ["lewat v1"]);
    const [m2, m3] = await queueTestMessages(t, two.d.device_key, ["lewat v2", "bukan di WhatsApp"]);
    one.gw.send({ type: "credit", n: 5 });
    two.gw.send({ type: "credit", n: 5 });
    const j1 = await one.gw.next("job");
    const [j2, j3] = await two.gw.take("job", 2);
    one.gw.send({ type: "ack", job_id: j1.job_id, wa_message_id: "WA-v1" });
    two.gw.send({ type: "acks", items: [{ job_id: j2?.job_id ?? "", wa_message_id: "WA-v2" }] });
    two.gw.send({ type: "fail", job_id: j3?.job_id ?? "", retryable: false, reason: "6281234567890 is not on WhatsApp", code: "not_on_whatsapp" });
    await eventually(async () => (await messageRow(m1?.id ?? ""))?.status === "sent", 5000, "v1 sent");
    await eventually(async () => (await messageRow(m2?.id ?? ""))?.status === "sent", 5000, "v2 sent");
    await eventually(async () => (await messageRow(m3?.id ?? ""))?.status === "failed", 5000, "v2 failed");
    // `restricted` pauses broadcast feeders on that number for a day.
    expect((await deviceSession(env, two.d.device_key).capacity()).available).toBeGreaterThan(0);
    const [m4] = await queueTestMessages(t, two.d.device_key, ["dibatasi"]);
    const j4 = await two.gw.next("job");
    expect(j4.job_id).toBe(m4?.id);
    two.gw.send({ type: "fail", job_id: j4.job_id, retryable: false, reason: "WhatsApp refused the message (error 463): the number is restricted", code: "restricted" });
    await eventually(async () => (await messageRow(m4?.id ?? ""))?.status === "failed", 5000, "restricted failed");
    const paused = await deviceSession(env, two.d.device_key).capacity();
    expect(paused.available).toBe(0);
    expect(paused.next_at).toBeGreaterThan(Date.now() + 23 * 3600_000);

    // Presence only to the gateway that understands it.
    expect(await deviceSession(env, two.d.device_key).presence("6281234567890@s.whatsapp.net", "composing")).toBe(true);
    expect(await two.gw.next("presence")).toEqual({ type: "presence", to: "6281234567890@s.whatsapp.net", state: "composing" });
    expect(await deviceSession(env, one.d.device_key).presence("6281234567890@s.whatsapp.net", "composing")).toBe(false);
    expect(one.gw.frames.some((f) => f.type === "presence")).toBe(false);

    // from_me: the owner replied from the phone: an outbound message in the customer's conversation.
    const inbound = {
      wa_message_id: "WA-customer-1",
      chat_jid: "6281299990000@s.whatsapp.net",
      sender_jid: "6281299990000@s.whatsapp.net",
      push_name: "Rina",
      timestamp: Math.floor(Date.now() / 1000),
      kind: "text" as const,
      text: "Kak, stoknya ada?",
      is_group: false,
      is_ephemeral: false,
    };
    two.gw.send({ type: "inbound", event_id: "ev-1", message: inbound });
    await two.gw.next("inbound_ack");
    two.gw.send({ type: "inbound", event_id: "ev-2", message: { ...inbound, wa_message_id: "WA-phone-1", sender_jid: "6281200000000@s.whatsapp.net", push_name: undefined, text: "Ada kak, siap kirim", from_me: true } });
    await two.gw.next("inbound_ack");
    // The same event again (a resend) is stored once; an echo of Ping's own send is not stored at all.
    two.gw.send({ type: "inbound", event_id: "ev-2", message: { ...inbound, wa_message_id: "WA-phone-1", text: "Ada kak, siap kirim", from_me: true } });
    two.gw.send({ type: "inbound", event_id: "ev-3", message: { ...inbound, wa_message_id: "WA-v2", text: "lewat v2", from_me: true } });
    await two.gw.next("inbound_ack");
    await two.gw.next("inbound_ack");
    const rows = await env.DB.prepare("SELECT direction, source, status, text, conversation_id FROM messages WHERE device_key = ? AND to_jid = ? ORDER BY created_at")
      .bind(two.d.device_key, "6281299990000@s.whatsapp.net")
      .all<{ direction: string; source: string; status: string; text: string; conversation_id: string }>();
    expect(rows.results.map((r) => [r.direction, r.source, r.status, r.text])).toEqual([
      ["in", "inbound", "delivered", "Kak, stoknya ada?"],
      ["out", "agent", "sent", "Ada kak, siap kirim"],
    ]);
    expect(rows.results[0]?.conversation_id).toBe(rows.results[1]?.conversation_id);
    const listed = await call(`/api/v1/messages?device_key=${two.d.device_key}&to=6281299990000`, { cookie: t.cookie });
    expect(listed.body.items.map((i: { direction: string }) => i.direction)).toEqual(["out", "in"]);
    one.gw.close();
    two.gw.close();
  });
});

describe("write-back to D1", () => {
  it("a flush asked for while another runs returns only once its own rows are in D1 (a pause re-pends after it)", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    for (const id of ids) {
      await env.DB.prepare("INSERT INTO messages (id, business_id, device_key, idempotency_key, to_jid, text, source, lane) VALUES (?, ?, ?, ?, ?, 'x', 'api', 'transactional')")
        .bind(id, t.businessId, d.device_key, `wb:${id}`, "6281200000000@s.whatsapp.net")
        .run();
    }
    await runInDurableObject(deviceSession(env, d.device_key), async (_o, state) => {
      const wb = new WriteBack(state.storage.sql, env, () => undefined, async () => undefined);
      wb.record(ids[0] ?? "", "skipped", null, "withdrawn");
      const first = wb.flush(d.device_key);
      // Recorded while the first flush is on its way to D1 (a withdraw during a write-back).
      wb.record(ids[1] ?? "", "skipped", null, "withdrawn");
      await wb.flush(d.device_key);
      const second = await env.DB.prepare("SELECT status FROM messages WHERE id = ?").bind(ids[1]).first<{ status: string }>();
      expect(second?.status).toBe("skipped");
      await first;
    });
  });
});

