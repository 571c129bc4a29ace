// WhatsAppSession with real Baileys against the crabline WhatsApp simulator: real Noise handshake, real Signal
// encryption, sends decrypted and recorded by the simulator, inbound injected through its admin ingress.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRegistered, seedRegisteredCreds } from "../../gateway-node/src/store/auth-state";
import { Crabline } from "./support/crabline";
import { waitFor } from "./support/wait";
import { makeSession, tempStore } from "./support/session-harness";

let crab: Crabline;
beforeAll(async () => {
  crab = await Crabline.start();
});
afterAll(async () => {
  await crab.close();
});

describe("WhatsApp session against crabline", () => {
  it("shows typing for a time proportional to the text before sending", async () => {
    const { store } = tempStore();
    seedRegisteredCreds(store, "dev_typing", crab.selfJid);
    const h = makeSession({ store, waWebSocketUrl: crab.wsUrl, deviceKey: "dev_typing", typing: { msPerChar: 20, minMs: 100, maxMs: 2000 } });
    h.session.start();
    await waitFor(() => h.listener.last?.status === "connected", 20_000, "connected");
    const text = "x".repeat(30); // 30 chars × 20 ms = 600 ms of "typing…"
    const t0 = Date.now();
    await h.session.send({ job_id: "typing-1", to: "6281234567099", content: { kind: "text", text }, typing_ms: 0 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    const states = crab
      .stanzas()
      .filter((n) => n.tag === "chatstate" && n.attrs.to === "6281234567099@s.whatsapp.net")
      .map((n) => (Array.isArray(n.content) ? (n.content[0] as { tag: string }).tag : ""));
    expect(states).toEqual(["composing", "paused"]);
    h.session.stop();
    store.close();
  });

  it("connects from stored credentials, sends once per job, receives text and media, resumes after a restart", async () => {
    const { store } = tempStore();
    seedRegisteredCreds(store, "dev_test", crab.selfJid);
    const first = makeSession({ store, waWebSocketUrl: crab.wsUrl });
    first.session.start();
    await waitFor(() => first.listener.last?.status === "connected", 20_000, "connected");
    expect(first.listener.last?.phone).toBe(crab.selfJid.split("@")[0]);
    expect(first.listener.statuses.map((s) => s.status)).toEqual(["starting", "connected"]);

    const job = { job_id: "job-1", to: "6281234567001", content: { kind: "text" as const, text: "Halo Budi, pesanan #123 sudah dikirim" }, typing_ms: 0 };
    const waId = await first.session.send(job);
    const toBudi = () => crab.sends().filter((x) => x.to === "6281234567001@s.whatsapp.net");
    await waitFor(() => toBudi().length === 1, 10_000, "recorded send");
    expect(toBudi()).toEqual([{ id: waId, to: "6281234567001@s.whatsapp.net", text: "Halo Budi, pesanan #123 sudah dikirim" }]);

    // A redelivered job (ack lost) is answered from the sent-job record, not sent again.
    expect(await first.session.send(job)).toBe(waId);
    await new Promise((r) => setTimeout(r, 300));
    expect(toBudi()).toHaveLength(1);

    const inboundId = await crab.inject("6281234567002", { text: "Kak, ongkirnya berapa?", pushName: "Siti" });
    const inbound = await waitFor(() => first.listener.inbounds.find((i) => i.message.wa_message_id === inboundId), 10_000, "inbound");
    expect(inbound.message).toMatchObject({
      chat_jid: "6281234567002@s.whatsapp.net",
      sender_jid: "6281234567002@s.whatsapp.net",
      push_name: "Siti",
      kind: "text",
      text: "Kak, ongkirnya berapa?",
      is_group: false,
    });
    expect(inbound.media).toBeNull();

    const voice = Buffer.from("OggS-fake-opus-voice-note-bytes-for-the-test");
    const audioId = await crab.inject("6281234567003", { audio: { contentBase64: voice.toString("base64"), mimeType: "audio/ogg; codecs=opus", ptt: true } });
    const audio = await waitFor(() => first.listener.inbounds.find((i) => i.message.wa_message_id === audioId), 10_000, "inbound audio");
    expect(audio.message.kind).toBe("audio");
    expect(audio.media).toMatchObject({ kind: "audio", mime_type: "audio/ogg; codecs=opus" });
    expect(await first.session.downloadMedia(audio.raw)).toEqual(voice);

    // getMessage: what we sent and received is in the message store, for WhatsApp's retry requests.
    expect(first.session.getMessage({ remoteJid: "6281234567001@s.whatsapp.net", id: waId, fromMe: true })?.extendedTextMessage?.text).toBe("Halo Budi, pesanan #123 sudah dikirim");
    expect(first.session.getMessage({ remoteJid: "6281234567002@s.whatsapp.net", id: inboundId })?.conversation).toBe("Kak, ongkirnya berapa?");
    expect(first.session.getMessage({ remoteJid: "6281234567002@s.whatsapp.net", id: "unknown" })).toBeUndefined();
    first.session.stop();

    // Restart: a new session object on the same store connects without any pairing.
    expect(isRegistered(store, "dev_test")).toBe(true);
    const second = makeSession({ store, waWebSocketUrl: crab.wsUrl });
    second.session.start();
    await waitFor(() => second.listener.last?.status === "connected", 20_000, "reconnected");
    expect(second.listener.statuses.some((s) => s.status === "qr" || s.status === "pairing_code")).toBe(false);
    const waId2 = await second.session.send({ ...job, job_id: "job-2", content: { kind: "text", text: "kedua" } });
    await waitFor(() => toBudi().length === 2, 10_000, "second send");
    expect(toBudi()[1]).toEqual({ id: waId2, to: "6281234567001@s.whatsapp.net", text: "kedua" });
    second.session.stop();
    store.close();
  });
});

describe("a send written to WhatsApp whose server ack is lost (issue 8, item 8)", () => {
  it("is retried once under the same WhatsApp message id, so the customer gets it once; never a third write", async () => {
    const { store } = tempStore();
    seedRegisteredCreds(store, "dev_lost_ack", crab.selfJid);
    const lost = new Set<string>();
    let loseNext = 0;
    const h = makeSession({
      store,
      waWebSocketUrl: crab.wsUrl,
      deviceKey: "dev_lost_ack",
      serverAckTimeoutMs: 1500,
      loseAck: (id) => {
        if (loseNext > 0 || lost.has(id)) {
          if (!lost.has(id)) loseNext -= 1;
          lost.add(id);
          return true;
        }
        return false;
      },
    });
    h.session.start();
    await waitFor(() => h.listener.last?.status === "connected", 20_000, "connected");
    const toSiti = () => crab.sends().filter((x) => x.to === "6281234567055@s.whatsapp.net");

    // 1. The first write's ack is lost: retryable, with the timeout code.
    loseNext = 1;
    const job = { job_id: "lost-ack-1", to: "6281234567055", content: { kind: "text" as const, text: "Pesanan #77 dikirim" }, typing_ms: 0 };
    await expect(h.session.send(job)).rejects.toMatchObject({ retryable: true, code: "timeout" });
    await waitFor(() => toSiti().length === 1, 10_000, "first write recorded");
    const firstId = toSiti()[0]?.id;
    expect(lost.has(firstId ?? "")).toBe(true);
    // 2. The retry goes out under the same id; WhatsApp already has it, acks it, and records no second message.
    lost.clear();
    expect(await h.session.send(job)).toBe(firstId);
    await new Promise((r) => setTimeout(r, 300));
    expect(toSiti()).toEqual([{ id: firstId, to: "6281234567055@s.whatsapp.net", text: "Pesanan #77 dikirim" }]);

    // 3. Both writes unacked: the second failure is final, and a later redelivery does not write a third time.
    loseNext = 1;
    const job2 = { job_id: "lost-ack-2", to: "6281234567055", content: { kind: "text" as const, text: "Promo" }, typing_ms: 0 };
    await expect(h.session.send(job2)).rejects.toMatchObject({ retryable: true, code: "timeout" });
    await expect(h.session.send(job2)).rejects.toMatchObject({ retryable: false, code: "timeout" });
    const stanzasBefore = crab.stanzas().filter((n) => n.tag === "message").length;
    await expect(h.session.send(job2)).rejects.toMatchObject({ retryable: false, code: "timeout" });
    await new Promise((r) => setTimeout(r, 300));
    expect(crab.stanzas().filter((n) => n.tag === "message").length).toBe(stanzasBefore);
    expect(toSiti().filter((x) => x.text === "Promo")).toHaveLength(1);
    h.session.stop();
    store.close();
  });
});
