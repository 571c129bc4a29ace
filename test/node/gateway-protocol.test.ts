// The gateway protocol module as gateway-node sees it (Node): the documented frames parse, bad ones do not.
import { describe, expect, it } from "vitest";
import { CloseCode, GatewayFrame, parseGatewayFrame, parseServerFrame, PROTOCOL_VERSION } from "../../protocol/gateway-protocol";

describe("gateway protocol frames", () => {
  it("parses every gateway frame of docs/gateway-protocol.md", () => {
    const frames: unknown[] = [
      { type: "hello", v: PROTOCOL_VERSION, gateway_id: "gw-1", status: "connected" },
      { type: "credit", n: 10 },
      { type: "ack", job_id: "j1", wa_message_id: "3EB0C0FFEE" },
      { type: "acks", items: [{ job_id: "j1", wa_message_id: "A" }, { job_id: "j2", wa_message_id: "B" }] },
      { type: "fail", job_id: "j1", retryable: false, reason: "number is not on WhatsApp" },
      { type: "status", status: "qr", qr: "2@abc" },
      { type: "receipt", wa_message_id: "A", status: "read", timestamp: 1795000000 },
      { type: "ping", t: 1 },
      {
        type: "inbound",
        event_id: "e1",
        message: { wa_message_id: "W1", chat_jid: "628@s.whatsapp.net", sender_jid: "628@s.whatsapp.net", timestamp: 1, kind: "text", text: "halo", is_group: false },
      },
    ];
    for (const f of frames) expect(parseGatewayFrame(JSON.stringify(f)), JSON.stringify(f)).not.toBeNull();
    const inbound = GatewayFrame.parse(frames[8]);
    expect(inbound.type === "inbound" && inbound.message.is_ephemeral).toBe(false);
  });

  it("rejects malformed frames and out-of-range values", () => {
    for (const bad of ["not json", "{}", JSON.stringify({ type: "credit", n: 0 }), JSON.stringify({ type: "credit", n: 5000 }), JSON.stringify({ type: "acks", items: [] }), JSON.stringify({ type: "hello", v: 3, gateway_id: "g", status: "connected" }), JSON.stringify({ type: "fail", job_id: "j", retryable: false, reason: "x", code: "nope" })]) {
      expect(parseGatewayFrame(bad), bad).toBeNull();
    }
  });

  it("v2: hello v1 and v2 both parse; fail codes, from_me and presence", () => {
    for (const v of [1, 2]) expect(parseGatewayFrame(JSON.stringify({ type: "hello", v, gateway_id: "g", status: "connected" }))).not.toBeNull();
    for (const code of ["not_on_whatsapp", "restricted", "blocked", "timeout", "media", "other"]) {
      expect(parseGatewayFrame(JSON.stringify({ type: "fail", job_id: "j", retryable: false, reason: "x", code }))).toMatchObject({ code });
    }
    const fromMe = parseGatewayFrame(
      JSON.stringify({ type: "inbound", event_id: "e", message: { wa_message_id: "W", chat_jid: "628@s.whatsapp.net", sender_jid: "", timestamp: 1, kind: "text", text: "x", is_group: false, from_me: true } }),
    );
    expect(fromMe?.type === "inbound" && fromMe.message.from_me).toBe(true);
    expect(parseServerFrame(JSON.stringify({ type: "presence", to: "628@s.whatsapp.net", state: "composing" }))).not.toBeNull();
    expect(parseServerFrame(JSON.stringify({ type: "presence", to: "628@s.whatsapp.net", state: "recording" }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ type: "welcome", v: 2, lease_ms: 30000, heartbeat_ms: 10000, job_lease_ms: 60000 }))).not.toBeNull();
  });

  it("parses server frames and keeps the close codes stable", () => {
    expect(parseServerFrame(JSON.stringify({ type: "job", job_id: "j", message_id: "j", to: "628@s.whatsapp.net", content: { kind: "text", text: "x" }, attempt: 1, lease_until: 1 }))).toMatchObject({ typing_ms: 0 });
    expect(parseServerFrame(JSON.stringify({ type: "welcome", v: 1, lease_ms: 30000, heartbeat_ms: 10000, job_lease_ms: 60000 }))).not.toBeNull();
    expect(CloseCode).toEqual({ unauthorized: 4001, leaseHeld: 4009, protocol: 4002, deviceGone: 4004 });
  });
});
