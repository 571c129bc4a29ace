// The cloud_api provider against crabline (Graph API simulator) and, where crabline stops, the local server.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hmacSha256, toHex } from "../../worker/lib/crypto";
import { call, createDevice, eventually, signup, type Tenant } from "./helpers";
import { LOCAL_GRAPH_TOKEN, records, servers } from "./servers";

const APP_SECRET = "app-secret-for-tests";
const VERIFY = "verify-token-for-tests";

async function cloudDevice(t: Tenant, target: "crabline" | "local", token?: string) {
  const d = await createDevice(t, "cloud_api");
  const s = servers();
  const cfg =
    target === "crabline"
      ? { phone_number_id: s.crabline.phoneNumberId, access_token: token ?? s.crabline.accessToken, graph_api_base: s.crabline.baseUrl }
      : { phone_number_id: "200000000000001", access_token: token ?? LOCAL_GRAPH_TOKEN, graph_api_base: `${s.local}/graph` };
  const put = await call(`/api/v1/devices/${d.device_key}/cloud-api`, { method: "PUT", json: { ...cfg, app_secret: APP_SECRET, verify_token: VERIFY }, cookie: t.cookie });
  expect(put.status).toBe(200);
  expect(put.body.webhook_url).toMatch(new RegExp(`/meta/webhook/${d.device_key}$`));
  await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { pacing_enabled: false } }, cookie: t.cookie });
  return d;
}

async function postSigned(deviceKey: string, body: unknown, secret = APP_SECRET) {
  const raw = JSON.stringify(body);
  const sig = toHex(await hmacSha256(secret, raw));
  return call(`/meta/webhook/${deviceKey}`, { raw, headers: { "x-hub-signature-256": `sha256=${sig}` } });
}

async function crablineInbound(phone: string, text: string, name = "Sari") {
  const s = servers().crabline;
  const res = await fetch(s.endpoints.adminInboundUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-crabline-admin-token": s.adminToken },
    body: JSON.stringify({ chatJid: `${phone}@s.whatsapp.net`, senderJid: `${phone}@s.whatsapp.net`, text, pushName: name }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { webhook: unknown }).webhook;
}

/** A WhatsApp Business webhook body (Meta's documented envelope) around one `value`. */
function metaWebhook(phoneNumberId: string, value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [{ id: "WABA", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550000000", phone_number_id: phoneNumberId }, ...value } }] }],
  };
}

function statusWebhook(phoneNumberId: string, id: string, status: string, errors?: unknown[]) {
  return metaWebhook(phoneNumberId, {
    statuses: [{ id, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: "6281234567", ...(errors ? { errors } : {}) }],
  });
}

async function message(t: Tenant, id: string) {
  return (await call(`/api/v1/messages/${id}`, { cookie: t.cookie })).body;
}

describe("cloud_api provider", () => {
  it("answers the verify-token challenge only with the right token", async () => {
    const t = await signup();
    const d = await cloudDevice(t, "crabline");
    const ok = await call(`/meta/webhook/${d.device_key}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe("1158201444");
    const bad = await call(`/meta/webhook/${d.device_key}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    expect(bad.status).toBe(403);
    expect((await call(`/meta/webhook/${crypto.randomUUID()}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1`)).status).toBe(404);
  });

  it("refuses free text outside the 24-hour window, takes inbound with a valid signature only, then sends through crabline and follows status callbacks", async () => {
    const t = await signup();
    const d = await cloudDevice(t, "crabline");
    const phone = `62812${Math.floor(Math.random() * 1e7).toString().padStart(7, "0")}`;
    const early = await call("/api/v1/messages", { json: { device_key: d.device_key, to: `0${phone.slice(2)}`, text: "Halo kak" }, cookie: t.cookie });
    expect(early.status).toBe(422);
    expect(early.body.error_code).toBe("OUTSIDE_SERVICE_WINDOW");

    const webhook = await crablineInbound(phone, "Kak, pesanan saya sudah dikirim?");
    const forged = await call(`/meta/webhook/${d.device_key}`, { raw: JSON.stringify(webhook), headers: { "x-hub-signature-256": `sha256=${"0".repeat(64)}` } });
    expect(forged.status).toBe(401);
    expect(forged.body.error_code).toBe("INVALID_SIGNATURE");
    expect((await postSigned(d.device_key, webhook, "another-secret")).status).toBe(401);
    const good = await postSigned(d.device_key, webhook);
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ received: true, messages: 1 });
    // Meta retries a webhook it thinks failed: the same message id is stored once.
    expect((await postSigned(d.device_key, webhook)).status).toBe(200);
    const inbound = await call(`/api/v1/messages?device_key=${d.device_key}&to=${phone}`, { cookie: t.cookie });
    expect(inbound.body.items.filter((m: { direction: string }) => m.direction === "in")).toHaveLength(1);
    expect(inbound.body.items[0]).toMatchObject({ direction: "in", text: "Kak, pesanan saya sudah dikirim?" });

    const sent = await call("/api/v1/messages", { json: { device_key: d.device_key, to: `+${phone}`, text: "Sudah kak, resi menyusul" }, cookie: t.cookie });
    expect(sent.status).toBe(202);
    const done = await eventually(async () => {
      const m = await message(t, sent.body.id);
      return m.status === "sent" ? m : undefined;
    }, 8000, "cloud api send");
    expect(done.provider_message_id).toMatch(/^wamid\./);

    expect((await postSigned(d.device_key, statusWebhook(servers().crabline.phoneNumberId, done.provider_message_id, "delivered"))).status).toBe(200);
    expect((await message(t, sent.body.id)).status).toBe("delivered");
    await postSigned(d.device_key, statusWebhook(servers().crabline.phoneNumberId, done.provider_message_id, "read"));
    expect((await message(t, sent.body.id)).status).toBe("read");
    // A late "delivered" never moves a read message back.
    await postSigned(d.device_key, statusWebhook(servers().crabline.phoneNumberId, done.provider_message_id, "delivered"));
    expect((await message(t, sent.body.id)).status).toBe("read");
  });

  it("a rejected token fails the message with Meta's error; a failed status callback carries its reason", async () => {
    const t = await signup();
    const good = await cloudDevice(t, "crabline");
    const phone = "6281398765432";
    await postSigned(good.device_key, await crablineInbound(phone, "halo"));
    const badDevice = await cloudDevice(t, "crabline", "EAAwrong-token-value");
    await postSigned(badDevice.device_key, await crablineInbound(phone, "halo lagi"));
    const r = await call("/api/v1/messages", { json: { device_key: badDevice.device_key, to: phone, text: "tes" }, cookie: t.cookie });
    expect(r.status).toBe(202);
    const failed = await eventually(async () => {
      const m = await message(t, r.body.id);
      return m.status === "failed" ? m : undefined;
    }, 8000, "failed");
    expect(failed.error).toContain("190");
    expect(failed.error).toContain("Invalid OAuth access token");

    const ok = await call("/api/v1/messages", { json: { device_key: good.device_key, to: phone, text: "tes 2" }, cookie: t.cookie });
    const sent = await eventually(async () => {
      const m = await message(t, ok.body.id);
      return m.status === "sent" ? m : undefined;
    }, 8000, "sent");
    await postSigned(good.device_key, statusWebhook(servers().crabline.phoneNumberId, sent.provider_message_id, "failed", [{ code: 131026, title: "Message undeliverable", error_data: { details: "Receiver is incapable of receiving this message" } }]));
    const after = await message(t, ok.body.id);
    expect(after.status).toBe("failed");
    expect(after.error).toContain("131026");
  });

  it("sends approved templates outside the window and downloads inbound media into R2 (local Graph server)", async () => {
    const t = await signup();
    const d = await cloudDevice(t, "local");
    const tpl = await call("/api/v1/messages", {
      json: { device_key: d.device_key, to: "081211112222", meta_template: { name: "order_update", language: "id", params: ["Budi", "INV-7"] } },
      cookie: t.cookie,
    });
    expect(tpl.status).toBe(202);
    await eventually(async () => (await message(t, tpl.body.id)).status === "sent", 8000, "template sent");
    const graph = await records<Record<string, unknown>>("graph:200000000000001");
    expect(graph).toContainEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "6281211112222",
      type: "template",
      template: { name: "order_update", language: { code: "id" }, components: [{ type: "body", parameters: [{ type: "text", text: "Budi" }, { type: "text", text: "INV-7" }] }] },
    });

    const img = metaWebhook("200000000000001", {
      contacts: [{ profile: { name: "Rina" }, wa_id: "6281211112222" }],
      messages: [{ from: "6281211112222", id: `wamid.IMG${crypto.randomUUID()}`, timestamp: "1795000000", type: "image", image: { id: "MEDIA123", mime_type: "image/jpeg", caption: "bukti transfer" } }],
    });
    expect((await postSigned(d.device_key, img)).status).toBe(200);
    const list = await call(`/api/v1/messages?device_key=${d.device_key}&to=081211112222`, { cookie: t.cookie });
    const inbound = list.body.items.find((m: { direction: string }) => m.direction === "in");
    expect(inbound.text).toBe("bukti transfer");
    const file = await call(new URL(inbound.content.media.url).pathname);
    expect(file.status).toBe(200);
    expect(file.text).toBe("JPEG:MEDIA123");

    // Inside the window now. Media: the Worker's R2 copy is uploaded to Meta's media endpoint, then sent by id;
    // Meta is never given the tenant's URL to fetch.
    const media = await call("/api/v1/messages", {
      json: { device_key: d.device_key, to: "081211112222", media: { kind: "document", url: "https://cdn.example.com/doc/invoice.pdf", mime_type: "application/pdf", file_name: "inv.pdf", caption: "Invoice" } },
      cookie: t.cookie,
    });
    expect(media.status).toBe(202);
    await eventually(async () => (await message(t, media.body.id)).status === "sent", 8000, "media sent");
    const uploads = await records<{ id: string; type: string; file_type: string; file_name: string; size: number; base64: string }>("graph-media:200000000000001");
    const stored = await env.MEDIA.get(`media/${t.businessId}/${media.body.content.media_id}`);
    const bytes = Buffer.from(await (stored as R2ObjectBody).arrayBuffer());
    const upload = uploads.find((u) => u.base64 === bytes.toString("base64"));
    expect(upload).toMatchObject({ type: "application/pdf", file_type: "application/pdf", file_name: "inv.pdf", size: bytes.length });
    const sent = (await records<Record<string, unknown>>("graph:200000000000001")).filter((b) => b.type === "document");
    expect(sent).toContainEqual(expect.objectContaining({ to: "6281211112222", document: { id: upload?.id, caption: "Invoice", filename: "inv.pdf" } }));
    expect(JSON.stringify(sent)).not.toContain("example.com");
  });

  it("a media upload Meta refuses fails the send with Meta's reason, without sending a message", async () => {
    const t = await signup();
    const d = await cloudDevice(t, "local");
    await postSigned(
      d.device_key,
      metaWebhook("200000000000001", { messages: [{ from: "6281277770001", id: `wamid.X${crypto.randomUUID()}`, timestamp: "1795000000", type: "text", text: { body: "p" } }] }),
    );
    // A document of a type Meta does not take (the local server answers Meta's 131053, as documented).
    const r = await call("/api/v1/messages", {
      json: { device_key: d.device_key, to: "6281277770001", media: { kind: "document", url: "https://cdn.example.com/img/logo.svg", mime_type: "image/svg+xml" } },
      cookie: t.cookie,
    });
    expect(r.status).toBe(202);
    const failed = await eventually(async () => {
      const m = await message(t, r.body.id);
      return m.status === "failed" ? m : undefined;
    }, 8000, "failed");
    expect(failed.error).toContain("131053");
    expect((await records<{ to: string }>("graph:200000000000001")).filter((b) => b.to === "6281277770001")).toEqual([]);
  });

  it("retries a 5xx from the Graph API with backoff instead of failing", async () => {
    const t = await signup();
    const d = await cloudDevice(t, "local");
    await postSigned(
      d.device_key,
      metaWebhook("200000000000001", { messages: [{ from: "6281299990500", id: `wamid.X${crypto.randomUUID()}`, timestamp: "1795000000", type: "text", text: { body: "p" } }] }),
    );
    const r = await call("/api/v1/messages", { json: { device_key: d.device_key, to: "6281299990500", text: "halo" }, cookie: t.cookie });
    expect(r.status).toBe(202);
    await eventually(async () => (await records<{ to: string }>("graph:200000000000001")).filter((b) => b.to === "6281299990500").length >= 2, 10_000, "second attempt");
    expect((await message(t, r.body.id)).status).toBe("queued");
    const live = await call(`/api/v1/devices/${d.device_key}/live`, { cookie: t.cookie });
    expect(live.body.outbox.pending + live.body.outbox.leased).toBe(1);
  });
});

describe("cloud_api: a send cut off by a restart", () => {
  it("fails with a clear reason instead of sending again (Meta has no idempotency key)", async () => {
    const t = await signup();
    const d = await cloudDevice(t, "local");
    await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { pacing_enabled: true, max_per_minute: 1, min_gap_seconds: 0, jitter_seconds: 0, window_lanes: "none" } }, cookie: t.cookie });
    // Broadcast lane: the per-minute cap (the broadcast lane's) holds the second job in the outbox.
    const send = (n: number) => call("/api/v1/messages", { json: { device_key: d.device_key, to: "081233334444", lane: "broadcast", meta_template: { name: "promo", language: "id", params: [`${n}`] } }, cookie: t.cookie });
    const first = await send(1);
    const second = await send(2);
    await eventually(async () => (await message(t, first.body.id)).status === "sent", 8000, "first sent");
    const stub = env.DEVICE_SESSION.get(env.DEVICE_SESSION.idFromName(d.device_key));
    await eventually(async () => (await call(`/api/v1/devices/${d.device_key}/live`, { cookie: t.cookie })).body.outbox.pending === 1, 8000, "second waiting");
    // The crash: the object had taken the second job (leased) and died before the Graph API answered.
    await runInDurableObject(stub, (_o, state) => state.storage.sql.exec("UPDATE jobs SET state = 'leased', lease_until = 1 WHERE message_id = ?", second.body.id));
    await runDurableObjectAlarm(stub);
    const failed = await eventually(async () => {
      const m = await message(t, second.body.id);
      return m.status === "failed" ? m : undefined;
    }, 5000, "failed");
    expect(failed.error).toMatch(/interrupted while sending/);
    const sentTo = (await records<{ to: string; template?: { components: { parameters: { text: string }[] }[] } }>("graph:200000000000001")).filter((b) => b.to === "6281233334444");
    expect(sentTo.map((b) => b.template?.components[0]?.parameters[0]?.text)).toEqual(["1"]);
  });
});
