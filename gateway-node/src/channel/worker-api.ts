// The gateway's HTTP calls to the Worker, authenticated with the gateway's own credentials.
import { z } from "zod";
import { MediaId } from "../../../protocol/gateway-protocol";
import { SendError } from "../session/outbound";

export type WorkerApiConfig = { pingUrl: string; gatewayId: string; gatewaySecret: string };

const DeviceList = z.object({
  items: z.array(z.object({ device_key: z.string().min(1).max(100) }).passthrough()),
});

const UploadedMedia = z.object({ media_id: z.string().min(1).max(200) }).passthrough();

export class WorkerApi {
  readonly #config: WorkerApiConfig;

  constructor(config: WorkerApiConfig) {
    this.#config = config;
  }

  get authorization(): string {
    return `Bearer ${this.#config.gatewayId}:${this.#config.gatewaySecret}`;
  }

  url(path: string): URL {
    return new URL(path, this.#config.pingUrl);
  }

  /** The WebSocket URL of a device's channel. */
  channelUrl(deviceKey: string): string {
    const u = this.url(`/gateway/v1/devices/${encodeURIComponent(deviceKey)}/ws`);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return u.toString();
  }

  /** Devices assigned to this gateway. */
  async devices(): Promise<string[]> {
    const res = await fetch(this.url("/gateway/v1/devices"), { headers: { authorization: this.authorization }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`device list: HTTP ${res.status}`);
    return DeviceList.parse(await res.json()).items.map((d) => d.device_key);
  }

  /** Uploads inbound media; the Worker stores it in R2 and answers with its media id. */
  async uploadMedia(deviceKey: string, bytes: Buffer, mimeType: string, fileName?: string): Promise<{ media_id: string; size: number }> {
    const url = this.url(`/gateway/v1/devices/${encodeURIComponent(deviceKey)}/media`);
    if (fileName) url.searchParams.set("file_name", fileName.slice(0, 255));
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: this.authorization, "content-type": mimeType },
      body: new Uint8Array(bytes),
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`media upload: HTTP ${res.status}`);
    return { media_id: UploadedMedia.parse(await res.json()).media_id, size: bytes.length };
  }

  /**
   * Downloads a send job's media from the Worker, by id, with the gateway's credentials. The only media the
   * gateway fetches: a job never carries a URL, so no tenant can point the gateway (or its credentials) anywhere.
   */
  async downloadMedia(deviceKey: string, mediaId: string): Promise<Buffer> {
    if (!MediaId.safeParse(mediaId).success) throw new SendError("job media id is malformed", false);
    const path = `/gateway/v1/devices/${encodeURIComponent(deviceKey)}/media/${mediaId}`;
    let res: Response;
    try {
      res = await fetch(this.url(path), { headers: { authorization: this.authorization }, redirect: "error", signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      throw new SendError(`media ${mediaId}: ${(err as Error).message}`, true);
    }
    // A missing or forbidden file will not appear on a retry; a server error or rate limit may pass.
    if (!res.ok) {
      await res.body?.cancel();
      throw new SendError(`media ${mediaId}: HTTP ${res.status}`, res.status >= 500 || res.status === 429, "media");
    }
    return Buffer.from(await res.arrayBuffer());
  }
}
