// The AI agent on a real WhatsApp path (a protocol v2 gateway on the DeviceSession): typing while generating,
// the answer as a job to the gateway, silence after the owner replies from the phone (`from_me`), and backlog
// delivered late after a reconnect (the provider's timestamp) left unanswered.
import { describe, expect, it } from "vitest";
import { openGateway } from "./gateway-client";
import { call, createDevice, signup } from "./helpers";
import { addFixtures, botState, marker, modelCalls, turns } from "./ai-helpers";
import { servers } from "./servers";
import { env } from "cloudflare:test";

describe("AI agent over a v2 gateway", () => {
  it("types, answers as a job, keeps quiet after a from_me reply and for backlog", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    await call(`/internal/devices/${d.device_key}/gateway`, { method: "PUT", json: { gateway_id: "gw-test" }, headers: { authorization: "Bearer operator-test-token" } });
    const gw = await openGateway(d.device_key, "gw-test:gateway-test-secret");
    gw.send({ type: "hello", v: 2, gateway_id: "gw-test", status: "connected" });
    expect(await gw.next("welcome")).toMatchObject({ v: 2 });
    gw.send({ type: "credit", n: 20 });
    const ai = await call("/api/v1/ai-settings", { method: "PUT", cookie: t.cookie, json: { device_keys: [d.device_key], base_url: `${servers().aimock}/v1`, api_key: "sk-x", debounce_ms: 300 } });
    expect(ai.status, ai.text).toBe(200);
    const m = marker("gw");
    await addFixtures({ match: { userMessage: m }, response: { content: "Stok ada, Kak." } });
    const chat = "6281299990001@s.whatsapp.net";
    const inbound = (id: string, text: string, extra: { from_me?: boolean; sender_jid?: string; chat_jid?: string; timestamp?: number } = {}) => ({
      type: "inbound" as const,
      event_id: `ev-${id}`,
      message: { wa_message_id: id, chat_jid: chat, sender_jid: chat, push_name: "Rina", timestamp: Math.floor(Date.now() / 1000), kind: "text" as const, text, is_group: false, is_ephemeral: false, ...extra },
    });
    gw.send(inbound("WA-c1", `stoknya ada? ${m}`));
    await gw.next("inbound_ack");
    expect(await gw.next("presence")).toEqual({ type: "presence", to: chat, state: "composing" });
    const job = await gw.next("job");
    expect(job).toMatchObject({ to: chat });
    expect(JSON.stringify(job)).toContain("Stok ada, Kak.");
    const conv = (await env.DB.prepare("SELECT conversation_id AS c FROM messages WHERE provider_message_id = 'WA-c1'").first<{ c: string }>())?.c ?? "";
    expect((await turns(conv))[0]).toMatchObject({ status: "sent" });

    // The owner answers from the phone: the bot keeps quiet.
    gw.send(inbound("WA-phone-1", "Saya bantu ya kak", { from_me: true, sender_jid: "6281200000000@s.whatsapp.net" }));
    await gw.next("inbound_ack");
    expect(await botState(conv)).toMatchObject({ bot_state: "silenced", bot_state_reason: "human_reply" });
    gw.send(inbound("WA-c2", `makasih ${m}`));
    await gw.next("inbound_ack");
    expect((await turns(conv, 2))[0]).toMatchObject({ status: "quiet", reason: "bot_silenced" });

    // Another customer's message sent 10 minutes ago, delivered now: backlog.
    const other = "6281299990002@s.whatsapp.net";
    gw.send(inbound("WA-old", `pesan semalam ${m}`, { chat_jid: other, sender_jid: other, timestamp: Math.floor((Date.now() - 10 * 60_000) / 1000) }));
    await gw.next("inbound_ack");
    const oldConv = (await env.DB.prepare("SELECT conversation_id AS c FROM messages WHERE provider_message_id = 'WA-old'").first<{ c: string }>())?.c ?? "";
    expect((await turns(oldConv))[0]).toMatchObject({ status: "quiet", reason: "backlog" });
    expect(await modelCalls(m)).toHaveLength(1);
    gw.close();
  });
});
