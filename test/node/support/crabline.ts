// The third-party WhatsApp simulator (@openclaw/crabline) for gateway tests: real Baileys connects to it over
// the real Noise protocol; it decrypts and records every direct send and injects inbound messages.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWhatsAppServer, type StartedWhatsAppServer } from "@openclaw/crabline";

export type RecordedSend = { id: string; to: string; text: string | null };

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
    const path = this.server.manifest.recorderPath;
    if (!existsSync(path)) return [];
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l.includes('"accepted":true'))
      .map((l) => JSON.parse(l) as { body: { key?: { id: string; remoteJid: string }; message?: { conversation?: string } } })
      .filter((e) => e.body.key)
      .map((e) => ({ id: e.body.key?.id ?? "", to: e.body.key?.remoteJid ?? "", text: e.body.message?.conversation ?? null }));
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

export async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 15_000, what = "condition"): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
