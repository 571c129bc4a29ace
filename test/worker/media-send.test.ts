// Media of sends (issue 8, item 1): the Worker checks media.url with the URL guard when the send is accepted,
// fetches the file itself (redirects re-checked, size cap, type checked) into R2 once, and jobs carry the media
// id. "Public" hosts are names of the test zone: the DoH stub answers them with public addresses and the test
// network (vitest.config.ts outboundService) carries them to the loopback media origin, which records each hit.
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { call, countMessages, createDevice, eventually, signup, type Tenant } from "./helpers";
import { servers } from "./servers";

type Hit = { host: string; path: string; authorization?: string; cookie?: string };

async function hits(): Promise<Hit[]> {
  return (await (await fetch(`${servers().mediaOrigin}/_hits`)).json()) as Hit[];
}

/** The media origin's hits during `fn`, by a unique marker in the path. */
async function hitsFor(marker: string): Promise<Hit[]> {
  return (await hits()).filter((h) => h.path.includes(marker));
}

function send(t: Tenant, deviceKey: string, media: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call("/api/v1/messages", { cookie: t.cookie, headers, json: { device_key: deviceKey, to: "081234567890", media } });
}

describe("media sends: the URL is checked when the send is accepted", () => {
  it("attack: a media URL on the Worker's own origin (the gateway API) is refused, not queued", async () => {
    const t = await signup();
    const d = await createDevice(t, "baileys");
    // On the old main this was 202, and gateway-node fetched it with its own gateway credential.
    const r = await send(t, d.device_key, { kind: "document", url: "http://localhost:8787/gateway/v1/devices", mime_type: "application/json", file_name: "devices.json" });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: "error", error_code: "INVALID_MEDIA_URL" });
    expect(await countMessages(t.businessId)).toBe(0);
  });

  it("refuses every URL that is not public http(s), even with ALLOW_LOOPBACK_WEBHOOKS=true, and fetches none of them", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const origin = new URL(servers().mediaOrigin);
    const marker = `refused-${crypto.randomUUID()}`;
    const refused = [
      `${servers().mediaOrigin}/img/cat.png?${marker}`, // 127.0.0.1: loopback is for operator targets only
      `http://localhost:${origin.port}/img/cat.png?${marker}`,
      `http://2130706433:${origin.port}/img/cat.png?${marker}`,
      `http://0x7f.1:${origin.port}/img/cat.png?${marker}`,
      `http://017700000001:${origin.port}/img/cat.png?${marker}`,
      `http://[::ffff:127.0.0.1]:${origin.port}/img/cat.png?${marker}`,
      `https://cdn.example.com./img/cat.png?${marker}`,
      `http://169.254.169.254/latest/meta-data?${marker}`,
      `https://intranet.example.com/img/cat.png?${marker}`,
      `https://metadata.example.com/img/cat.png?${marker}`,
      `https://cgnat.example.com/img/cat.png?${marker}`,
      `https://nat64.example.com/img/cat.png?${marker}`,
      `https://sixtofour.example.com/img/cat.png?${marker}`,
      `https://teredo.example.com/img/cat.png?${marker}`,
      `https://ula.example.com/img/cat.png?${marker}`,
      `https://sitelocal.example.com/img/cat.png?${marker}`,
      `https://mixed.example.com/img/cat.png?${marker}`,
      `https://private-alias.example.org/img/cat.png?${marker}`,
      // The resolver fails or the name does not exist: refused (fail closed), never fetched on the chance.
      `https://servfail.example.com/img/cat.png?${marker}`,
      `https://down.example.com/img/cat.png?${marker}`,
      `https://nope.example.com/img/cat.png?${marker}`,
      `ftp://cdn.example.com/img/cat.png?${marker}`,
      `https://user:pw@cdn.example.com/img/cat.png?${marker}`,
    ];
    for (const url of refused) {
      const r = await send(t, d.device_key, { kind: "image", url, mime_type: "image/png" });
      expect(r.status, url).toBe(400);
      expect(r.body.error_code, url).toBe("INVALID_MEDIA_URL");
    }
    expect(await countMessages(t.businessId)).toBe(0);
    expect(await hitsFor(marker)).toEqual([]);
  });

  it("refuses the Worker's own public host even when its name resolves to a public address", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const marker = `own-${crypto.randomUUID()}`;
    const ownEnv = { ...env, PUBLIC_BASE_URL: "https://cdn.example.com" };
    const res = await app.fetch(
      new Request("https://cdn.example.com/api/v1/messages", {
        method: "POST",
        headers: { cookie: t.cookie, "content-type": "application/json", origin: "https://cdn.example.com" },
        body: JSON.stringify({ device_key: d.device_key, to: "081234567890", media: { kind: "image", url: `https://cdn.example.com/img/cat.png?${marker}`, mime_type: "image/png" } }),
      }),
      ownEnv,
      createExecutionContext(),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_code: string }).error_code).toBe("INVALID_MEDIA_URL");
    expect(await hitsFor(marker)).toEqual([]);
  });
});

describe("media sends: the Worker fetches the file once into R2", () => {
  it("stores the file, records a media object of the business and device, and the message carries only its id", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const marker = `ok-${crypto.randomUUID()}`;
    const url = `https://cdn.example.com/img/cat.png?${marker}`;
    const r = await send(t, d.device_key, { kind: "image", url, mime_type: "image/png", caption: "Promo hari ini" }, { "idempotency-key": marker });
    expect(r.status).toBe(202);
    expect(r.body.content).toMatchObject({ kind: "image", mime_type: "image/png", caption: "Promo hari ini", media_id: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
    expect(JSON.stringify(r.body.content)).not.toContain("example.com");
    const mediaId = r.body.content.media_id as string;

    const obj = await env.MEDIA.get(`media/${t.businessId}/${mediaId}`);
    const bytes = new Uint8Array(await (obj as R2ObjectBody).arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(r.body.content.size).toBe(bytes.length);
    const row = await env.DB.prepare("SELECT business_id, device_key, direction, kind, mime_type, size, source_url FROM media_objects WHERE id = ?").bind(mediaId).first();
    expect(row).toEqual({ business_id: t.businessId, device_key: d.device_key, direction: "out", kind: "image", mime_type: "image/png", size: bytes.length, source_url: url });

    // Fetched once, with no credentials or cookies of anyone.
    const seen = await hitsFor(marker);
    expect(seen).toEqual([{ host: "cdn.example.com", path: `/img/cat.png?${marker}` }]);

    // A retry with the same Idempotency-Key is the same message: nothing fetched again.
    const again = await send(t, d.device_key, { kind: "image", url, mime_type: "image/png", caption: "Promo hari ini" }, { "idempotency-key": marker });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(r.body.id);
    expect(await hitsFor(marker)).toHaveLength(1);

    await eventually(async () => (await call(`/api/v1/messages/${r.body.id}`, { cookie: t.cookie })).body.status === "delivered", 8000, "sandbox media delivered");
  });

  it("follows redirects by hand, checking every hop: public → public is fine, a hop to a refused target is refused", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    const marker = `redir-${crypto.randomUUID()}`;
    const ok = await send(t, d.device_key, { kind: "image", url: `https://files.example.net/redirect?to=${encodeURIComponent(`https://alias.example.org/img/cat.png?${marker}`)}&m=${marker}`, mime_type: "image/png" });
    expect(ok.status).toBe(202);
    expect((await hitsFor(marker)).map((h) => h.host)).toEqual(["files.example.net", "alias.example.org"]);

    const origin = new URL(servers().mediaOrigin);
    for (const target of [
      `http://127.0.0.1:${origin.port}/img/cat.png?${marker}-x`,
      `http://intranet.example.com/img/cat.png?${marker}-x`,
      `http://169.254.169.254/latest/meta-data/?${marker}-x`,
      `http://localhost:8787/gateway/v1/devices?${marker}-x`,
      `ftp://cdn.example.com/x?${marker}-x`,
    ]) {
      for (const status of ["302", "307"]) {
        const r = await send(t, d.device_key, { kind: "image", url: `https://cdn.example.com/redirect?status=${status}&to=${encodeURIComponent(target)}`, mime_type: "image/png" });
        expect(r.status, target).toBe(400);
        expect(r.body.error_code).toBe("INVALID_MEDIA_URL");
        expect(r.body.message).toMatch(/redirect/);
      }
    }
    expect((await hitsFor(`${marker}-x`)).filter((h) => !h.path.startsWith("/redirect"))).toEqual([]);

    expect((await send(t, d.device_key, { kind: "image", url: `https://cdn.example.com/hops/5?${marker}`, mime_type: "image/png" })).status).toBe(202);
    const tooMany = await send(t, d.device_key, { kind: "image", url: `https://cdn.example.com/hops/6?${marker}`, mime_type: "image/png" });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body).toMatchObject({ error_code: "MEDIA_FETCH_FAILED", message: expect.stringMatching(/redirects/) });
  });

  it("caps the size per kind, announced or not, and checks the type against the declared kind", async () => {
    const t = await signup();
    const d = await createDevice(t, "sandbox");
    for (const path of ["/img/huge.jpg", "/img/huge-chunked.jpg"]) {
      const r = await send(t, d.device_key, { kind: "image", url: `https://cdn.example.com${path}`, mime_type: "image/jpeg" });
      expect(r.status, path).toBe(413);
      expect(r.body.error_code).toBe("MEDIA_TOO_LARGE");
    }
    for (const path of ["/page.html", "/img/logo.svg", "/doc/invoice.pdf"]) {
      const r = await send(t, d.device_key, { kind: "image", url: `https://cdn.example.com${path}`, mime_type: "image/png" });
      expect(r.status, path).toBe(422);
      expect(r.body.error_code).toBe("MEDIA_TYPE_MISMATCH");
    }
    const declared = await send(t, d.device_key, { kind: "image", url: "https://cdn.example.com/img/cat.png", mime_type: "text/html" });
    expect(declared.status).toBe(400);
    expect(declared.body.error_code).toBe("MEDIA_TYPE_MISMATCH");
    const missing = await send(t, d.device_key, { kind: "document", url: "https://cdn.example.com/status/404", mime_type: "application/pdf" });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ error_code: "MEDIA_FETCH_FAILED", message: expect.stringMatching(/404/) });

    const doc = await send(t, d.device_key, { kind: "document", url: "https://cdn.example.com/doc/invoice.pdf", mime_type: "application/pdf", file_name: "INV-7.pdf" });
    expect(doc.status).toBe(202);
    expect(doc.body.content).toMatchObject({ kind: "document", mime_type: "application/pdf", file_name: "INV-7.pdf" });
    // The declared type keeps its parameters when the server agrees on the type.
    const voice = await send(t, d.device_key, { kind: "audio", url: "https://cdn.example.com/audio/voice.ogg", mime_type: "audio/ogg; codecs=opus" });
    expect(voice.status).toBe(202);
    expect(voice.body.content.mime_type).toBe("audio/ogg; codecs=opus");
    expect(await countMessages(t.businessId)).toBe(2);
  });
});
