// Node-side setup for the Worker tests: the servers that stand in for the outside world at its network
// boundary, on loopback and ephemeral ports. crabline (third-party simulator) answers Graph API text sends
// with Meta's shapes; a small local server of our own speaks Meta's documented shapes where crabline
// stops (templates, media download and upload) and receives device webhooks, recording what it got for the
// tests to read. A DNS-over-HTTPS stub answers the URL guard's lookups for a test zone, and the media origin
// stands in for the public hosts of that zone (routed there by vitest.config.ts's outboundService).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { listenLocal } from "./listen";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startDohStub } from "../support/doh-stub";
import { startMediaOrigin } from "../support/media-origin";
import { startXendit } from "./xendit-server";
import { metaTemplatesRoute } from "./meta-templates-server";
import { LLMock } from "@copilotkit/aimock";

export type CrablineManifest = {
  accessToken: string;
  adminToken: string;
  baseUrl: string;
  phoneNumberId: string;
  graphVersion: string;
  endpoints: { adminInboundUrl: string; messagesUrl: string; apiRoot: string };
};
/** `doh`: the DoH stub's resolver URL; `mediaOrigin`: the loopback server behind the test zone's public names; `xendit`: the local Xendit. */
/** `aimock`: @copilotkit/aimock, the OpenAI-compatible model simulator (tests add fixtures and read its journal over HTTP). */
export type TestServers = { crabline: CrablineManifest; local: string; doh: string; mediaOrigin: string; xendit: string; aimock: string };

declare module "vitest" {
  export interface ProvidedContext {
    servers: TestServers;
  }
}

// Kept equal to LOCAL_GRAPH_TOKEN in servers.ts (that file runs in workerd, this one in Node).
const LOCAL_TOKEN = "local-graph-token-123";
/** The Resend API key the Worker tests are configured with (vitest.config.ts). */
export const LOCAL_RESEND_KEY = "re_local_test_key";

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

// Meta's documented media types for upload (Cloud API reference, "Supported media types").
const META_UPLOAD_TYPES = new Set(["image/jpeg", "image/png", "video/mp4", "video/3gpp", "audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg", "application/pdf", "text/plain"]);

function startLocalServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const records = new Map<string, unknown[]>();
  const hits = new Map<string, number>();
  const record = (key: string, value: unknown) => records.set(key, [...(records.get(key) ?? []), value]);
  let wamid = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const bytes = await readBytes(req);
      const body = bytes.toString("utf8");
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(v));
      };
      const parts = url.pathname.split("/").filter(Boolean);
      // Graph API message templates (GET /graph/<version>/<waba_id>/message_templates): meta-templates-server.ts.
      if (metaTemplatesRoute(req, url, body, LOCAL_TOKEN, json, record)) return;
      // Graph API: POST /graph/<version>/<phone_number_id>/messages
      if (parts[0] === "graph" && req.method === "POST" && parts[3] === "messages") {
        if (req.headers.authorization !== `Bearer ${LOCAL_TOKEN}`) {
          return json(401, { error: { message: "Invalid OAuth access token.", type: "OAuthException", code: 190, fbtrace_id: "LOCAL" } });
        }
        const msg = JSON.parse(body) as { to: string };
        record(`graph:${parts[2]}`, msg);
        if (msg.to.endsWith("0500")) return json(500, { error: { message: "Service temporarily unavailable", type: "OAuthException", code: 2, fbtrace_id: "LOCAL" } });
        wamid += 1;
        return json(200, { messaging_product: "whatsapp", contacts: [{ input: msg.to, wa_id: msg.to }], messages: [{ id: `wamid.LOCAL${wamid}` }] });
      }
      // Graph API media upload: POST /graph/<version>/<phone_number_id>/media, multipart/form-data with
      // messaging_product=whatsapp, type=<MIME type> and file=<the file, with its Content-Type>; answers {"id"}.
      if (parts[0] === "graph" && req.method === "POST" && parts[3] === "media") {
        if (req.headers.authorization !== `Bearer ${LOCAL_TOKEN}`) {
          return json(401, { error: { message: "Invalid OAuth access token.", type: "OAuthException", code: 190, fbtrace_id: "LOCAL" } });
        }
        let form: FormData;
        try {
          form = await new Response(bytes, { headers: { "content-type": String(req.headers["content-type"] ?? "") } }).formData();
        } catch {
          return json(400, { error: { message: "(#100) The parameter file is required.", type: "OAuthException", code: 100, fbtrace_id: "LOCAL" } });
        }
        const file = form.get("file");
        const type = form.get("type");
        if (form.get("messaging_product") !== "whatsapp") return json(400, { error: { message: "(#100) The parameter messaging_product is required.", type: "OAuthException", code: 100, fbtrace_id: "LOCAL" } });
        if (!(file instanceof Blob) || typeof type !== "string") return json(400, { error: { message: "(#100) The parameter file is required.", type: "OAuthException", code: 100, fbtrace_id: "LOCAL" } });
        if (!META_UPLOAD_TYPES.has(type.split(";")[0]?.trim() ?? "")) {
          return json(400, { error: { message: "(#131053) Media upload error", type: "OAuthException", code: 131053, error_data: { details: `Unsupported file type ${type}` }, fbtrace_id: "LOCAL" } });
        }
        const content = Buffer.from(await file.arrayBuffer());
        const id = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
        record(`graph-media:${parts[2]}`, { id, type, file_type: file.type, file_name: file instanceof File ? file.name : null, size: content.length, base64: content.toString("base64") });
        return json(200, { id });
      }
      // Graph API media lookup: GET /graph/<version>/<media_id>, then the file at the returned url.
      if (parts[0] === "graph" && req.method === "GET" && parts.length === 3) {
        if (req.headers.authorization !== `Bearer ${LOCAL_TOKEN}`) return json(401, { error: { message: "Invalid OAuth access token.", code: 190 } });
        const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        return json(200, { messaging_product: "whatsapp", url: `${origin}/files/${parts[2]}`, mime_type: "image/jpeg", sha256: "x", file_size: 14, id: parts[2] });
      }
      if (parts[0] === "files" && req.method === "GET") {
        if (req.headers.authorization !== `Bearer ${LOCAL_TOKEN}`) return json(401, {});
        res.writeHead(200, { "content-type": "image/jpeg" });
        return res.end(Buffer.from(`JPEG:${parts[1]}`));
      }
      // Device webhook receiver: POST /hooks/<name>; a name `fail<N>-…` answers 500 to its first N attempts.
      if (parts[0] === "hooks" && req.method === "POST") {
        const name = parts[1] ?? "";
        const n = (hits.get(name) ?? 0) + 1;
        hits.set(name, n);
        record(`hook:${name}`, { headers: req.headers, body, attempt: n });
        const failFirst = Number(/^fail(\d+)-/.exec(name)?.[1] ?? 0);
        res.writeHead(n <= failFirst ? 500 : 200, { "content-type": "text/plain" });
        return res.end(n <= failFirst ? "try again" : "ok");
      }
      // Resend (https://resend.com/docs/api-reference/emails/send-email): POST /resend/emails, Bearer key,
      // {from, to: string | string[], subject, text?, html?} → 200 {id}; errors {statusCode, name, message}.
      if (parts[0] === "resend" && parts[1] === "emails" && req.method === "POST") {
        if (req.headers.authorization !== `Bearer ${LOCAL_RESEND_KEY}`) return json(401, { statusCode: 401, name: "missing_api_key", message: "Missing API key in the authorization header." });
        let mail: { from?: unknown; to?: unknown; subject?: unknown; text?: unknown; html?: unknown };
        try {
          mail = JSON.parse(body) as typeof mail;
        } catch {
          return json(400, { statusCode: 400, name: "validation_error", message: "Invalid JSON" });
        }
        const to = typeof mail.to === "string" ? [mail.to] : mail.to;
        if (typeof mail.from !== "string" || !Array.isArray(to) || to.length === 0 || typeof mail.subject !== "string" || (typeof mail.text !== "string" && typeof mail.html !== "string")) {
          return json(422, { statusCode: 422, name: "validation_error", message: "from, to, subject and text or html are required" });
        }
        const id = crypto.randomUUID();
        for (const addr of to) record(`mail:${String(addr).toLowerCase()}`, { id, ...mail });
        return json(200, { id });
      }
      if (parts[0] === "_records" && req.method === "GET") return json(200, records.get(decodeURIComponent(parts[1] ?? "")) ?? []);
      json(404, { error: "not found" });
    })();
  });
  return listenLocal(server);
}

async function startCrabline(): Promise<{ manifest: CrablineManifest; stop: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "ping-crabline-"));
  const ready = path.join(dir, "ready.json");
  const bin = path.join(import.meta.dirname, "../../node_modules/.bin/crabline");
  const child = spawn(bin, ["--json", "serve", "whatsapp", "--port", "0", "--ready-file", ready, "--recorder", path.join(dir, "rec.jsonl")], { stdio: "ignore" });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const manifest = JSON.parse(await readFile(ready, "utf8")) as CrablineManifest;
      return {
        manifest,
        stop: async () => {
          if (child.exitCode === null) {
            const exited = once(child, "exit");
            child.kill("SIGTERM");
            await Promise.race([exited, new Promise((ok) => setTimeout(ok, 3000))]);
          }
          await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        },
      };
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error("crabline did not start");
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
}

export default async function setup(project: TestProject) {
  const aimock = new LLMock({ port: 0, host: "127.0.0.1" });
  const [crab, local, doh, mediaOrigin, xendit] = await Promise.all([startCrabline(), startLocalServer(), startDohStub(), startMediaOrigin(), startXendit(), aimock.start()]);
  project.provide("servers", { crabline: crab.manifest, local: local.url, doh: doh.url, mediaOrigin: mediaOrigin.url, xendit: xendit.url, aimock: aimock.url });
  return async () => {
    await crab.stop();
    await local.close();
    await doh.close();
    await mediaOrigin.close();
    await xendit.close();
    await aimock.stop();
  };
}

