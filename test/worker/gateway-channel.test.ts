// The Worker side of the gateway channel, driven by a test gateway that speaks the documented protocol.
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../protocol/gateway-protocol";
import { openGateway } from "./gateway-client";
import { call, createDevice, eventually, queueTestMessages, signup, type Tenant } from "./helpers";

async function messageRow(id: string) {
  return env.DB.prepare("SELECT status, provider_message_id, error FROM messages WHERE id = ?")
    .bind(id)
    .first<{ status: string; provider_message_id: string | null; error: string | null }>();
}

async function connected(deviceKey: string) {
  const gw = await openGateway(deviceKey);
  expect(gw.status).toBe(101);
  gw.send({ type: "hello", v: 1, gateway_id: "gw-test", status: "connected" });
  const welcome = await gw.next("welcome");
  expect(welcome).toMatchObject({ v: 1, job_lease_ms: 1500 });
  return gw;
}

describe("gateway channel: authentication and assignment", () => {
  it("lists the baileys devices assigned to the gateway and refuses bad credentials", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    expect(["gw-test", "gw-other"]).toContain(d.gateway_id);
    const mine = await call("/gateway/v1/devices", { headers: { authorization: `Bearer ${d.gateway_id}:${d.gateway_id === "gw-test" ? "gateway-test-secret" : "other-gateway-secret"}` } });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i: { device_key: string }) => i.device_key)).toContain(d.device_key);

    for (const auth of ["Bearer gw-test:wrong-secret", "Bearer nobody:gateway-test-secret", "Bearer gateway-test-secret", ""]) {
      const r = await call("/gateway/v1/devices", { headers: { authorization: auth } });
      expect(r.status).toBe(401);
      expect(r.body.error_code).toBe("UNAUTHORIZED");
    }
  });

  it("refuses the socket for a device of another gateway, a non-baileys device and an unknown device", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    // Pin the device to gw-test through the operator endpoint.
    const pin = await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    expect(pin.status).toBe(200);
    const other = await openGateway(d.device_key, "gw-other:other-gateway-secret");
    expect(other.status).toBe(403);
    const sandbox = await createDevice(t, "sandbox");
    expect((await openGateway(sandbox.device_key)).status).toBe(403);
    expect((await openGateway(crypto.randomUUID())).status).toBe(404);
    expect((await openGateway(d.device_key, "gw-test:nope")).status).toBe(401);
    const plain = await call(`/gateway/v1/devices/${d.device_key}/ws`, { headers: { authorization: "Bearer gw-test:gateway-test-secret" } });
    expect(plain.status).toBe(426);
  });

  it("requires hello first, and a reassignment closes the old gateway with 4001", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    const early = await openGateway(d.device_key);
    early.send({ type: "credit", n: 5 });
    expect(await early.next("error")).toMatchObject({ code: "hello_required", fatal: true });
    expect((await early.waitClosed()).code).toBe(CloseCode.protocol);

    const gw = await connected(d.device_key);
    const move = await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-other" }, headers: { authorization: "Bearer operator-test-token" } });
    expect(move.status).toBe(200);
    expect((await gw.waitClosed()).code).toBe(CloseCode.unauthorized);
    const moved = await openGateway(d.device_key, "gw-other:other-gateway-secret");
    expect(moved.status).toBe(101);
    moved.close();
  });
});

describe("gateway channel: jobs, leases, acks", () => {
  async function pinnedDevice() {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    const off = await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { pacing_enabled: false } }, cookie: t.cookie });
    expect(off.body.settings).toMatchObject({ pacing_enabled: false, min_gap_seconds: 4 });
    return { t, d };
  }

  it("hands out at most the granted credits, marks acked jobs sent with the WhatsApp id, and updates status", async () => {
    const { t, d } = await pinnedDevice();
    const gw = await connected(d.device_key);
    const dev = await call(`/api/v1/devices/${d.device_key}`, { cookie: t.cookie });
    expect(dev.body.status).toBe("connected");

    const rows = await queueTestMessages(t, d.device_key, ["satu", "dua", "tiga"]);
    gw.send({ type: "credit", n: 2 });
    const jobs = await gw.take("job", 2);
    expect(jobs.map((j) => j.content)).toEqual([
      { kind: "text", text: "satu" },
      { kind: "text", text: "dua" },
    ]);
    expect(jobs[0]).toMatchObject({ job_id: rows[0]?.id, message_id: rows[0]?.id, to: "6281234567890@s.whatsapp.net", attempt: 1 });
    await new Promise((ok) => setTimeout(ok, 300));
    expect(gw.frames.filter((f) => f.type === "job")).toHaveLength(2);

    for (const j of jobs) gw.send({ type: "ack", job_id: j.job_id, wa_message_id: `WA-${j.job_id}` });
    // A duplicate ack is harmless.
    gw.send({ type: "ack", job_id: jobs[0]?.job_id ?? "", wa_message_id: "WA-other" });
    await eventually(async () => (await messageRow(rows[1]?.id ?? ""))?.status === "sent", 5000, "sent");
    expect(await messageRow(rows[0]?.id ?? "")).toMatchObject({ status: "sent", provider_message_id: `WA-${rows[0]?.id}` });

    gw.send({ type: "credit", n: 1 });
    const third = await gw.next("job");
    expect(third.content).toEqual({ kind: "text", text: "tiga" });
    // The batched form: several acks in one frame, each idempotent like a single ack.
    gw.send({ type: "acks", items: [{ job_id: third.job_id, wa_message_id: "WA-third" }, { job_id: jobs[1]?.job_id ?? "", wa_message_id: "WA-ignored" }] });
    await eventually(async () => (await messageRow(rows[2]?.id ?? ""))?.provider_message_id === "WA-third", 5000, "third sent");
    expect((await messageRow(rows[1]?.id ?? ""))?.provider_message_id).toBe(`WA-${rows[1]?.id}`);
    gw.send({ type: "receipt", wa_message_id: `WA-${rows[0]?.id}`, status: "read", timestamp: Date.now() });
    gw.send({ type: "receipt", wa_message_id: `WA-${rows[1]?.id}`, status: "delivered", timestamp: Date.now() });
    await eventually(async () => (await messageRow(rows[0]?.id ?? ""))?.status === "read", 5000, "read");
    await eventually(async () => (await messageRow(rows[1]?.id ?? ""))?.status === "delivered", 5000, "delivered");

    gw.send({ type: "status", status: "logged_out", reason: "logged out from phone" });
    await eventually(async () => (await call(`/api/v1/devices/${d.device_key}`, { cookie: t.cookie })).body.status === "logged_out", 5000, "status");
    gw.close();
  });

  it("redelivers an unacked job under the same id after its lease expires, and a late ack still counts once", async () => {
    const { t, d } = await pinnedDevice();
    const gw = await connected(d.device_key);
    const [row] = await queueTestMessages(t, d.device_key, ["halo"]);
    gw.send({ type: "credit", n: 5 });
    const first = await gw.next("job");
    expect(first.attempt).toBe(1);
    // No ack: the 1.5 s lease runs out and the alarm hands the job out again.
    const again = await gw.next("job", 6000);
    expect(again).toMatchObject({ job_id: first.job_id, attempt: 2 });
    expect(again.lease_until).toBeGreaterThan(first.lease_until);
    gw.send({ type: "ack", job_id: first.job_id, wa_message_id: "WA-late" });
    gw.send({ type: "ack", job_id: again.job_id, wa_message_id: "WA-second" });
    await eventually(async () => (await messageRow(row?.id ?? ""))?.status === "sent", 5000, "sent");
    expect((await messageRow(row?.id ?? ""))?.provider_message_id).toBe("WA-late");
    gw.close();
  });

  it("a retryable fail comes back later; a permanent fail marks the message failed with the reason", async () => {
    const { t, d } = await pinnedDevice();
    const gw = await connected(d.device_key);
    const rows = await queueTestMessages(t, d.device_key, ["a", "b"]);
    gw.send({ type: "credit", n: 10 });
    const [ja, jb] = await gw.take("job", 2);
    gw.send({ type: "fail", job_id: jb?.job_id ?? "", retryable: false, reason: "number is not on WhatsApp" });
    gw.send({ type: "fail", job_id: ja?.job_id ?? "", retryable: true, reason: "connection lost" });
    await eventually(async () => (await messageRow(rows[1]?.id ?? ""))?.status === "failed", 5000, "failed");
    expect((await messageRow(rows[1]?.id ?? ""))?.error).toBe("number is not on WhatsApp");
    const retry = await gw.next("job", 6000);
    expect(retry).toMatchObject({ job_id: ja?.job_id, attempt: 2 });
    gw.send({ type: "ack", job_id: retry.job_id, wa_message_id: "WA-ok" });
    await eventually(async () => (await messageRow(rows[0]?.id ?? ""))?.status === "sent", 5000, "sent");
    gw.close();
  });

  it("the outbox survives eviction: jobs queued while no gateway is connected go out once one connects", async () => {
    const { t, d } = await pinnedDevice();
    const rows = await queueTestMessages(t, d.device_key, ["a", "b"]);
    const stub = env.DEVICE_SESSION.get(env.DEVICE_SESSION.idFromName(d.device_key));
    await eventually(async () => (await call(`/api/v1/devices/${d.device_key}/live`, { cookie: t.cookie })).body.outbox.pending === 2, 8000, "accepted");
    await evictDurableObject(stub);
    const gw = await connected(d.device_key);
    gw.send({ type: "credit", n: 5 });
    const jobs = await gw.take("job", 2);
    expect(jobs.map((j) => j.job_id).sort()).toEqual(rows.map((r) => r.id).sort());
    gw.close();
  });

  it("deleting the device tells its gateway to log out, closes with 4004 and fails what was waiting", async () => {
    const { t, d } = await pinnedDevice();
    const gw = await connected(d.device_key);
    const [row] = await queueTestMessages(t, d.device_key, ["tidak terkirim"]);
    await eventually(async () => (await call(`/api/v1/devices/${d.device_key}/live`, { cookie: t.cookie })).body.outbox.pending === 1, 8000, "accepted");
    expect((await call(`/api/v1/devices/${d.device_key}`, { method: "DELETE", cookie: t.cookie })).status).toBe(200);
    await gw.next("logout");
    expect((await gw.waitClosed()).code).toBe(CloseCode.deviceGone);
    await eventually(async () => (await messageRow(row?.id ?? ""))?.status === "failed", 5000, "failed");
    expect((await messageRow(row?.id ?? ""))?.error).toBe("device deleted");
  });

  it("a second gateway's hello is refused while the lease is held; the same gateway reconnecting takes over", async () => {
    const { d } = await pinnedDevice();
    const gw = await connected(d.device_key);
    const again = await connected(d.device_key);
    expect((await gw.waitClosed()).code).toBe(CloseCode.leaseHeld);
    again.send({ type: "ping", t: 42 });
    expect(await again.next("pong")).toEqual({ type: "pong", t: 42 });
    again.close();
  });

  it("stores inbound messages once, answers inbound_ack, and serves uploaded media", async () => {
    const { t, d } = await pinnedDevice();
    const gw = await connected(d.device_key);
    const up = await call(`/gateway/v1/devices/${d.device_key}/media?file_name=nota.jpg`, {
      method: "POST",
      raw: "\xff\xd8\xff-fake-jpeg-bytes",
      headers: { authorization: "Bearer gw-test:gateway-test-secret", "content-type": "image/jpeg" },
    });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ mime_type: "image/jpeg", file_name: "nota.jpg" });
    const inbound = {
      wa_message_id: `IN-${crypto.randomUUID()}`,
      chat_jid: "6285712345678@s.whatsapp.net",
      sender_jid: "6285712345678@s.whatsapp.net",
      push_name: "Sari",
      timestamp: Math.floor(Date.now() / 1000),
      kind: "image" as const,
      text: "ini buktinya",
      media: up.body,
      is_group: false,
      is_ephemeral: false,
    };
    gw.send({ type: "inbound", event_id: "ev-1", message: inbound });
    expect(await gw.next("inbound_ack")).toEqual({ type: "inbound_ack", event_id: "ev-1" });
    gw.send({ type: "inbound", event_id: "ev-1b", message: inbound });
    expect(await gw.next("inbound_ack")).toEqual({ type: "inbound_ack", event_id: "ev-1b" });
    const rows = await env.DB.prepare("SELECT text, content FROM messages WHERE business_id = ? AND direction = 'in'").bind(t.businessId).all<{ text: string; content: string }>();
    expect(rows.results).toHaveLength(1);
    const content = JSON.parse(rows.results[0]?.content ?? "{}");
    expect(content.media.url).toMatch(new RegExp(`/media/${t.businessId}/[A-Za-z0-9_-]{32}$`));
    const media = await call(new URL(content.media.url).pathname);
    expect(media.status).toBe(200);
    expect(media.headers.get("content-type")).toBe("image/jpeg");
    const contact = await env.DB.prepare("SELECT name, phone FROM contacts WHERE business_id = ?").bind(t.businessId).first();
    expect(contact).toEqual({ name: "Sari", phone: "6285712345678" });
    gw.close();
  });
});
