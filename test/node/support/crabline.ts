// The third-party WhatsApp simulator (@openclaw/crabline) for gateway tests: real Baileys connects to it over
// the real Noise protocol; it decrypts and records every direct send and injects inbound messages.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWhatsAppServer, type StartedWhatsAppServer } from "@openclaw/crabline";

export type RecordedSend = { id: string; to: string; text: string | null };
export type TimedSend = RecordedSend & { at: number };

export class Crabline {
  private constructor(
    readonly server: StartedWhatsAppServer,
    readonly dir: string,
  ) {}

  static async start(): Promise<Crabline> {
    const dir = mkdtempSync(join(tmpdir(), "crabline-"));
    const server = await startWhatsAppServer({ host: "127.0.0.1", port: 0, recorderPath: join(dir, "recorder.jsonl") });
    return new Crabline(server, dir);
  }

  get wsUrl(): string {
    return this.server.manifest.endpoints.baileysWebSocketUrl;
  }

  get selfJid(): string {
    return this.server.manifest.selfJid;
  }

  /** Sends crabline accepted (decrypted), in order. */
  sends(): RecordedSend[] {
    return this.timedSends().map(({ id, to, text }) => ({ id, to, text }));
  }

  /** The same, with the time crabline accepted each (epoch ms). */
  timedSends(): TimedSend[] {
    const path = this.server.manifest.recorderPath;
    if (!existsSync(path)) return [];
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l.includes('"accepted":true'))
      .map((l) => JSON.parse(l) as { at: string; body: { key?: { id: string; remoteJid: string }; message?: { conversation?: string } } })
      .filter((e) => e.body.key)
      .map((e) => ({ id: e.body.key?.id ?? "", to: e.body.key?.remoteJid ?? "", text: e.body.message?.conversation ?? null, at: Date.parse(e.at) }));
  }

  /** Every stanza Baileys sent crabline, decoded, in order (presence, chat state, queries, messages). */
  stanzas(): { at: number; tag: string; attrs: Record<string, string>; content?: unknown }[] {
    const path = this.server.manifest.recorderPath;
    if (!existsSync(path)) return [];
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l.includes('"method":"WEBSOCKET"') && !l.includes('"accepted":true'))
      .map((l) => JSON.parse(l) as { at: string; body: { tag: string; attrs: Record<string, string>; content?: unknown } })
      .map((e) => ({ at: Date.parse(e.at), ...e.body }));
  }

  /** A customer message from `phone` to the device, through crabline's admin ingress. */
  async inject(phone: string, body: { text: string; pushName?: string } | { audio: { contentBase64: string; mimeType: string; ptt?: boolean } }): Promise<string> {
    const jid = `${phone}@s.whatsapp.net`;
    const res = await fetch(this.server.manifest.endpoints.adminInboundUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-crabline-admin-token": this.server.manifest.adminToken },
      body: JSON.stringify({ chatJid: jid, senderJid: jid, ...body }),
    });
    const json = (await res.json()) as { ok?: boolean; message?: { key: { id: string } } };
    if (!res.ok || !json.message) throw new Error(`crabline inject: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json.message.key.id;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
