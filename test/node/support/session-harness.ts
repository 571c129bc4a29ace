// A WhatsAppSession wired to a recording listener, for tests that drive real Baileys sockets.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import makeWASocket, { type WAMessage, type WASocket } from "@whiskeysockets/baileys";
import { pino } from "pino";
import type { InboundMessage } from "../../../protocol/gateway-protocol";
import type { MediaRef } from "../../../gateway-node/src/session/inbound";
import { WhatsAppSession, type SessionListener, type StatusUpdate } from "../../../gateway-node/src/session/whatsapp-session";
import { SessionStore } from "../../../gateway-node/src/store/session-store";

export class RecordingListener implements SessionListener {
  statuses: StatusUpdate[] = [];
  inbounds: { message: InboundMessage; media: MediaRef | null; raw: WAMessage }[] = [];
  receipts: { id: string; status: string }[] = [];
  status(u: StatusUpdate): void {
    this.statuses.push(u);
  }
  inbound(message: InboundMessage, media: MediaRef | null, raw: WAMessage): void {
    this.inbounds.push({ message, media, raw });
  }
  receipt(id: string, status: "delivered" | "read"): void {
    this.receipts.push({ id, status });
  }
  get last(): StatusUpdate | undefined {
    return this.statuses.at(-1);
  }
}

export function tempStore(): { store: SessionStore; dir: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), "gw-session-"));
  const key = randomBytes(32).toString("base64");
  return { store: new SessionStore(dir, key), dir, key };
}

export function makeSession(opts: {
  store: SessionStore;
  waWebSocketUrl: string;
  checkNumbers?: boolean;
  qrMaxAttempts?: number;
  deviceKey?: string;
  typing?: { msPerChar: number; minMs: number; maxMs: number };
  serverAckTimeoutMs?: number;
  /**
   * Loses WhatsApp's server ack of a message id on its way to the session (the fault of a connection that
   * drops after the write): the ack frame arrives from crabline but never reaches the listener.
   */
  loseAck?: (waMessageId: string) => boolean;
}) {
  const listener = new RecordingListener();
  const sockets: WASocket[] = [];
  const session = new WhatsAppSession({
    deviceKey: opts.deviceKey ?? "dev_test",
    store: opts.store,
    logger: pino({ level: "silent" }),
    listener,
    fetchMedia: () => Promise.reject(new Error("no media in this test")),
    typing: opts.typing ?? { msPerChar: 0, minMs: 0, maxMs: 0 },
    checkNumbers: opts.checkNumbers ?? false,
    qrMaxAttempts: opts.qrMaxAttempts ?? 3,
    waWebSocketUrl: opts.waWebSocketUrl,
    ...(opts.serverAckTimeoutMs ? { serverAckTimeoutMs: opts.serverAckTimeoutMs } : {}),
    makeSocket: (config) => {
      const sock = makeWASocket(config);
      sockets.push(sock);
      const loseAck = opts.loseAck;
      if (loseAck) {
        const emit = sock.ws.emit.bind(sock.ws);
        sock.ws.emit = (event: string | symbol, ...args: unknown[]) => {
          const node = args[0] as { tag?: string; attrs?: { class?: string; id?: string } } | undefined;
          if (typeof event === "string" && event.startsWith("CB:ack") && node?.attrs?.class === "message" && node.attrs.id && loseAck(node.attrs.id)) return false;
          return emit(event, ...args);
        };
      }
      return sock;
    },
  });
  return { session, listener, sockets };
}
