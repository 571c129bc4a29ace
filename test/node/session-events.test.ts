// What the simulator does not cover — QR and pairing-code flows, each disconnect reason, receipts, @lid,
// groups, quotes, reactions, stickers — driven through the real Baileys socket's event emitter (`sock.ev`)
// with Baileys' own event shapes and types.
import { Boom } from "@hapi/boom";
import { DisconnectReason, proto, type BaileysEventMap, type WASocket } from "@whiskeysockets/baileys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { isRegistered, seedRegisteredCreds } from "../../gateway-node/src/store/auth-state";
import { Crabline } from "./support/crabline";
import { waitFor } from "./support/wait";
import { makeSession, tempStore } from "./support/session-harness";

let crab: Crabline;
/** A WebSocket peer that accepts and never answers: the socket stays "connecting" while the test drives it. */
let silent: WebSocketServer;
let silentUrl: string;

beforeAll(async () => {
  crab = await Crabline.start();
  silent = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => silent.once("listening", r));
  const addr = silent.address();
  silentUrl = `ws://127.0.0.1:${addr && typeof addr === "object" ? addr.port : 0}/ws/chat`;
});
afterAll(async () => {
  await crab.close();
  silent.clients.forEach((c) => c.terminate());
  await new Promise((r) => silent.close(r));
});

const close = (statusCode: number): BaileysEventMap["connection.update"] => ({
  connection: "close",
  lastDisconnect: { error: new Boom("closed", { statusCode }), date: new Date() },
});

async function connected(deviceKey = "dev_ev") {
  const { store } = tempStore();
  seedRegisteredCreds(store, deviceKey, crab.selfJid);
  const h = makeSession({ store, waWebSocketUrl: crab.wsUrl, deviceKey });
  h.session.start();
  await waitFor(() => h.listener.last?.status === "connected", 20_000, "connected");
  const sock = h.sockets.at(-1) as WASocket;
  return { ...h, store, sock };
}

describe("pairing", () => {
  it("an unpaired device waits for a pair request instead of showing QR codes on its own", () => {
    const { store } = tempStore();
    const h = makeSession({ store, waWebSocketUrl: silentUrl });
    h.session.start();
    expect(h.listener.last).toMatchObject({ status: "logged_out" });
    expect(h.sockets).toHaveLength(0);
  });

  it("QR: starting → qr (refreshed) → failed after the capped number of codes", async () => {
    const { store } = tempStore();
    const h = makeSession({ store, waWebSocketUrl: silentUrl, qrMaxAttempts: 2 });
    h.session.pair("qr");
    await waitFor(() => h.sockets.length === 1, 5000, "socket");
    const sock = h.sockets[0] as WASocket;
    sock.ev.emit("connection.update", { qr: "2@first,abc" });
    sock.ev.emit("connection.update", { qr: "2@second,def" });
    await waitFor(() => h.listener.statuses.filter((s) => s.status === "qr").length === 2, 5000, "two QR codes");
    expect(h.listener.statuses.filter((s) => s.status === "qr").map((s) => s.qr)).toEqual(["2@first,abc", "2@second,def"]);
    sock.ev.emit("connection.update", { qr: "2@third,ghi" });
    await waitFor(() => h.listener.last?.status === "failed", 5000, "failed");
    expect(h.listener.last?.reason).toMatch(/not scanned after 2/);
    await new Promise((r) => setTimeout(r, 1200));
    expect(h.sockets).toHaveLength(1);
  });

  it("QR pairing then restartRequired (515) reconnects at once and reaches connected", async () => {
    const { store } = tempStore();
    const h = makeSession({ store, waWebSocketUrl: silentUrl });
    h.session.pair("qr");
    await waitFor(() => h.sockets.length === 1, 5000, "socket");
    const sock = h.sockets[0] as WASocket;
    sock.ev.emit("connection.update", { qr: "2@scan-me" });
    await waitFor(() => h.listener.last?.status === "qr", 5000, "qr");
    // The phone scanned: Baileys stores the paired identity (creds.update) and WhatsApp asks for a restart.
    sock.authState.creds.me = { id: crab.selfJid };
    sock.authState.creds.account = proto.ADVSignedDeviceIdentity.fromObject({ details: new Uint8Array([1]) });
    sock.ev.emit("creds.update", { me: sock.authState.creds.me, account: sock.authState.creds.account });
    sock.ev.emit("connection.update", close(DisconnectReason.restartRequired));
    await waitFor(() => h.sockets.length === 2, 5000, "restarted socket");
    expect(isRegistered(store, "dev_test")).toBe(true);
    expect(h.listener.statuses.map((s) => s.status)).toEqual(["starting", "qr", "disconnected", "starting"]);
    h.session.stop();
  });

  it("pairing code: asks WhatsApp for a code for the phone number and reports it", async () => {
    const { store } = tempStore();
    const h = makeSession({ store, waWebSocketUrl: silentUrl });
    h.session.pair("code", "+62 812-3456-7890");
    await waitFor(() => h.sockets.length === 1, 5000, "socket");
    const sock = h.sockets[0] as WASocket;
    sock.ev.emit("connection.update", { qr: "2@ignored-when-pairing-by-code" });
    const status = await waitFor(() => h.listener.statuses.find((s) => s.status === "pairing_code"), 5000, "pairing code");
    expect(status.pairing_code).toMatch(/^[A-Z0-9]{8}$/);
    expect(status.phone).toBe("6281234567890");
    expect(sock.authState.creds.pairingCode).toBe(status.pairing_code);
    expect(h.listener.statuses.some((s) => s.status === "qr")).toBe(false);
    h.session.stop();
  });

  it("a pair request for a paired device that is only offline reconnects instead of discarding its keys", async () => {
    const { store } = tempStore();
    seedRegisteredCreds(store, "dev_test", crab.selfJid);
    const h = makeSession({ store, waWebSocketUrl: crab.wsUrl });
    h.session.pair("qr");
    await waitFor(() => h.listener.last?.status === "connected", 20_000, "connected");
    expect(isRegistered(store, "dev_test")).toBe(true);
    expect(h.listener.statuses.some((s) => s.status === "qr")).toBe(false);
    h.session.stop();
  });

  it("a pairing code needs the phone number", () => {
    const { store } = tempStore();
    const h = makeSession({ store, waWebSocketUrl: silentUrl });
    h.session.pair("code");
    expect(h.listener.last).toMatchObject({ status: "failed" });
  });
});

describe("disconnect reasons", () => {
  it("logged out (401): stops for good and forgets the credentials", async () => {
    const h = await connected();
    h.sock.ev.emit("connection.update", close(DisconnectReason.loggedOut));
    await waitFor(() => h.listener.last?.status === "logged_out", 5000, "logged_out");
    expect(isRegistered(h.store, "dev_ev")).toBe(false);
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.sockets).toHaveLength(1);
  });

  it("forbidden (403): failed with the reason, credentials kept, no reconnect", async () => {
    const h = await connected();
    h.sock.ev.emit("connection.update", close(DisconnectReason.forbidden));
    await waitFor(() => h.listener.last?.status === "failed", 5000, "failed");
    expect(h.listener.last?.reason).toMatch(/403/);
    expect(isRegistered(h.store, "dev_ev")).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.sockets).toHaveLength(1);
    h.session.stop();
  });

  it("connection lost (408/428): disconnected, then one new socket reconnects", async () => {
    const h = await connected();
    h.sock.ev.emit("connection.update", close(DisconnectReason.connectionClosed));
    // Two closes at once (socket error and stream end) still start a single socket: the restart is debounced.
    h.sock.ev.emit("connection.update", close(DisconnectReason.connectionLost));
    await waitFor(() => h.listener.statuses.some((s) => s.status === "disconnected"), 5000, "disconnected");
    await waitFor(() => h.sockets.length === 2 && h.listener.last?.status === "connected", 20_000, "reconnected");
    await new Promise((r) => setTimeout(r, 2500));
    expect(h.sockets).toHaveLength(2);
    h.session.stop();
  });

  it("connection replaced (440): backs off for seconds instead of fighting the other client", async () => {
    const h = await connected();
    h.sock.ev.emit("connection.update", close(DisconnectReason.connectionReplaced));
    await waitFor(() => h.listener.last?.status === "disconnected", 5000, "disconnected");
    const seconds = Number(/replaced \(440\); reconnecting in (\d+) s/.exec(h.listener.last?.reason ?? "")?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(7);
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.sockets).toHaveLength(1);
    h.session.stop();
  });
});

describe("number check before the first message", () => {
  it("asks WhatsApp once per number (cached), fails a number not on WhatsApp for good, and a failed check retryably", async () => {
    const { store } = tempStore();
    seedRegisteredCreds(store, "dev_num", crab.selfJid);
    const h = makeSession({ store, waWebSocketUrl: crab.wsUrl, deviceKey: "dev_num", checkNumbers: true });
    h.session.start();
    await waitFor(() => h.listener.last?.status === "connected", 20_000, "connected");
    const sock = h.sockets.at(-1) as WASocket;
    const asked: string[] = [];
    // crabline does not implement the phone-number usync query, so the socket's answer is given here in
    // Baileys' own return shape ({ jid, exists }).
    let answer: "yes" | "no" | "error" = "yes";
    sock.onWhatsApp = async (...jids: string[]) => {
      asked.push(...jids);
      if (answer === "error") throw new Boom("Timed Out", { statusCode: 408 });
      return jids.map((jid) => ({ jid, exists: answer === "yes" }));
    };
    const job = (id: string, to: string) => ({ job_id: id, to, content: { kind: "text" as const, text: "halo" }, typing_ms: 0 });
    const before = crab.sends().length;

    await h.session.send(job("n1", "6281200000001"));
    await h.session.send(job("n2", "6281200000001"));
    expect(asked).toEqual(["6281200000001@s.whatsapp.net"]);
    await waitFor(() => crab.sends().length === before + 2, 10_000, "two sends");

    answer = "no";
    await expect(h.session.send(job("n3", "6281200000002"))).rejects.toMatchObject({ retryable: false, message: "6281200000002 is not on WhatsApp" });
    await expect(h.session.send(job("n4", "6281200000002"))).rejects.toMatchObject({ retryable: false });
    expect(asked.filter((j) => j === "6281200000002@s.whatsapp.net")).toHaveLength(1);

    answer = "error";
    await expect(h.session.send(job("n5", "6281200000003"))).rejects.toMatchObject({ retryable: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(crab.sends().length).toBe(before + 2);
    h.session.stop();
  });

  it("refuses to send while not connected (retryable), and rejects an invalid recipient for good", async () => {
    const { store } = tempStore();
    const h = makeSession({ store, waWebSocketUrl: silentUrl });
    await expect(h.session.send({ job_id: "x1", to: "62812", content: { kind: "text", text: "a" }, typing_ms: 0 })).rejects.toMatchObject({ retryable: true });
    seedRegisteredCreds(store, "dev_test", crab.selfJid);
    const c = makeSession({ store, waWebSocketUrl: crab.wsUrl });
    c.session.start();
    await waitFor(() => c.listener.last?.status === "connected", 20_000, "connected");
    await expect(c.session.send({ job_id: "x2", to: "12", content: { kind: "text", text: "a" }, typing_ms: 0 })).rejects.toMatchObject({ retryable: false });
    c.session.stop();
  });
});

describe("receipts and inbound shapes", () => {
  it("maps delivery and read receipts of our own messages; ignores others'", async () => {
    const h = await connected();
    const key = { remoteJid: "6281111@s.whatsapp.net", id: "3EB0SENT", fromMe: true };
    // Baileys may still be buffering events after login (offline notifications) and merges updates of one
    // message inside a buffer, so each update is released with flush() as Baileys would between stanzas.
    const updates: BaileysEventMap["messages.update"][] = [
      [{ key, update: { status: proto.WebMessageInfo.Status.DELIVERY_ACK } }],
      [{ key, update: { status: proto.WebMessageInfo.Status.READ } }],
      [{ key: { ...key, id: "THEIRS", fromMe: false }, update: { status: proto.WebMessageInfo.Status.READ } }],
      [{ key: { ...key, id: "3EB0OTHER" }, update: { status: proto.WebMessageInfo.Status.SERVER_ACK } }],
    ];
    for (const u of updates) {
      h.sock.ev.emit("messages.update", u);
      h.sock.ev.flush();
    }
    h.sock.ev.emit("message-receipt.update", [
      { key: { remoteJid: "120363000@g.us", id: "3EB0GROUP", fromMe: true }, receipt: { userJid: "6282@s.whatsapp.net", readTimestamp: 1_700_000_000 } },
    ]);
    h.sock.ev.flush();
    await waitFor(() => h.listener.receipts.length === 3, 5000, "receipts");
    expect(h.listener.receipts).toEqual([
      { id: "3EB0SENT", status: "delivered" },
      { id: "3EB0SENT", status: "read" },
      { id: "3EB0GROUP", status: "read" },
    ]);
    h.session.stop();
  });

  it("resolves @lid senders to phone numbers (alt JIDs, then the LID mapping store) and flags groups, quotes, reactions, stickers", async () => {
    const h = await connected();
    await h.sock.signalRepository.lidMapping.storeLIDPNMappings([{ lid: "999000111@lid", pn: "6285550001@s.whatsapp.net" }]);
    const t = 1_700_000_000;
    h.sock.ev.emit("messages.upsert", {
      type: "notify",
      messages: [
        { key: { remoteJid: "111222333@lid", remoteJidAlt: "6285550002@s.whatsapp.net", id: "M1", fromMe: false }, message: { conversation: "halo" }, messageTimestamp: t, pushName: "Ani" },
        { key: { remoteJid: "999000111@lid", id: "M2", fromMe: false }, message: { conversation: "via mapping" }, messageTimestamp: t },
        {
          key: { remoteJid: "120363001234@g.us", participant: "444555@lid", participantAlt: "6285550003@s.whatsapp.net", id: "M3", fromMe: false },
          message: { extendedTextMessage: { text: "setuju", contextInfo: { stanzaId: "3EB0QUOTED", participant: "6285550009@s.whatsapp.net" } } },
          messageTimestamp: t,
        },
        { key: { remoteJid: "6285550004@s.whatsapp.net", id: "M4", fromMe: false }, message: { reactionMessage: { key: { id: "3EB0LIKED", remoteJid: "6285550004@s.whatsapp.net", fromMe: true }, text: "👍" } }, messageTimestamp: t },
        { key: { remoteJid: "6285550005@s.whatsapp.net", id: "M5", fromMe: false }, message: { stickerMessage: { mimetype: "image/webp" } }, messageTimestamp: t },
        { key: { remoteJid: "6285550006@s.whatsapp.net", id: "M6", fromMe: false }, message: { locationMessage: { degreesLatitude: -6.2, degreesLongitude: 106.8, name: "Toko Maju" } }, messageTimestamp: t },
        { key: { remoteJid: "6285550007@s.whatsapp.net", id: "M7", fromMe: false }, message: { imageMessage: { mimetype: "image/jpeg", caption: "bukti transfer" } }, messageTimestamp: t },
        // Written by the business from the phone itself (protocol v2): forwarded with from_me, not as a customer's.
        { key: { remoteJid: "6285550004@s.whatsapp.net", id: "OWN", fromMe: true }, message: { conversation: "ours" }, messageTimestamp: t },
        // Not chat messages: a status broadcast, a protocol message.
        { key: { remoteJid: "status@broadcast", id: "ST", fromMe: false, participant: "6285550004@s.whatsapp.net" }, message: { conversation: "story" }, messageTimestamp: t },
        { key: { remoteJid: "6285550004@s.whatsapp.net", id: "PR", fromMe: false }, message: { protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE } }, messageTimestamp: t },
      ],
    });
    h.sock.ev.flush();
    await waitFor(() => h.listener.inbounds.length === 8, 5000, "eight inbound");
    await new Promise((r) => setTimeout(r, 200));
    const by = Object.fromEntries(h.listener.inbounds.map((i) => [i.message.wa_message_id, i]));
    expect(Object.keys(by).sort()).toEqual(["M1", "M2", "M3", "M4", "M5", "M6", "M7", "OWN"]);
    expect(by.OWN?.message).toMatchObject({ chat_jid: "6285550004@s.whatsapp.net", sender_jid: "", text: "ours", from_me: true });
    expect(h.listener.inbounds.filter((i) => i.message.from_me).map((i) => i.message.wa_message_id)).toEqual(["OWN"]);
    expect(by.M1?.message).toMatchObject({ chat_jid: "6285550002@s.whatsapp.net", sender_jid: "6285550002@s.whatsapp.net", sender_lid: "111222333@lid", push_name: "Ani", kind: "text", timestamp: t });
    expect(by.M2?.message).toMatchObject({ sender_jid: "6285550001@s.whatsapp.net", sender_lid: "999000111@lid", text: "via mapping" });
    expect(by.M3?.message).toMatchObject({ chat_jid: "120363001234@g.us", sender_jid: "6285550003@s.whatsapp.net", sender_lid: "444555@lid", is_group: true, quoted_wa_message_id: "3EB0QUOTED", text: "setuju" });
    expect(by.M4?.message).toMatchObject({ kind: "reaction", reaction_to: "3EB0LIKED", text: "👍" });
    expect(by.M5?.message.kind).toBe("sticker");
    expect(by.M5?.media).toMatchObject({ kind: "sticker", mime_type: "image/webp" });
    expect(by.M6?.message).toMatchObject({ kind: "location", text: "Toko Maju" });
    expect(by.M7?.message).toMatchObject({ kind: "image", text: "bukti transfer" });
    expect(by.M7?.media).toMatchObject({ kind: "image", mime_type: "image/jpeg" });

    // The echo of a send of this gateway's own is not the business writing from the phone: never forwarded.
    const waId = await h.session.send({ job_id: "echo-1", to: "6285550008", content: { kind: "text", text: "dari Ping" }, typing_ms: 0 });
    h.sock.ev.emit("messages.upsert", { type: "notify", messages: [{ key: { remoteJid: "6285550008@s.whatsapp.net", id: waId, fromMe: true }, message: { conversation: "dari Ping" }, messageTimestamp: t }] });
    h.sock.ev.flush();
    await new Promise((r) => setTimeout(r, 300));
    expect(h.listener.inbounds.some((i) => i.message.wa_message_id === waId)).toBe(false);
    h.session.stop();
  });
});
