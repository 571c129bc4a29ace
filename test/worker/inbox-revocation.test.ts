// Issue 8 item 5: an inbox socket ends with the credential that opened it. Sockets are tagged with their session
// or API key (and user); logout, password change, role change, user removal and key revocation close them at
// once, and the hub's alarm re-checks every socket against D1 so a missed close cannot keep one streaming.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { inboxHub } from "../../worker/inbox/publish";
import { REVOKED_CLOSE_CODE } from "../../worker/inbox/socket-access";
import { call, createApiKey, eventually, member, signup } from "./helpers";

type Sock = { status: number; closed: () => number | null; ping: () => Promise<boolean> };

async function open(opts: { cookie?: string; key?: string }): Promise<Sock> {
  const headers = new Headers({ upgrade: "websocket" });
  if (opts.cookie) {
    headers.set("cookie", opts.cookie);
    headers.set("origin", "https://ping.test");
  }
  if (opts.key) headers.set("authorization", `Bearer ${opts.key}`);
  const res = await exports.default.fetch(new Request("https://ping.test/api/v1/inbox/ws", { headers }));
  const ws = res.webSocket;
  let code: number | null = null;
  let pongs = 0;
  if (ws) {
    ws.accept();
    ws.addEventListener("close", (e) => {
      code = e.code;
    });
    ws.addEventListener("message", (e) => {
      if (String(e.data) === '{"type":"pong"}') pongs += 1;
    });
  }
  return {
    status: res.status,
    closed: () => code,
    ping: async () => {
      const before = pongs;
      try {
        ws?.send('{"type":"ping"}');
      } catch {
        return false;
      }
      const deadline = Date.now() + 1500;
      while (Date.now() < deadline) {
        if (pongs > before) return true;
        await new Promise((ok) => setTimeout(ok, 20));
      }
      return false;
    },
  };
}

const closedRevoked = (s: Sock, what: string) => eventually(async () => s.closed() === REVOKED_CLOSE_CODE, 5000, `${what} socket closed`);

describe("inbox sockets end with their credential", () => {
  it("logout closes that session's sockets only", async () => {
    const t = await signup();
    const mine = await open({ cookie: t.cookie });
    const staff = await member(t, "staff");
    const theirs = await open({ cookie: staff.cookie });
    expect([mine.status, theirs.status]).toEqual([101, 101]);
    expect((await call("/api/v1/auth/logout", { method: "POST", cookie: t.cookie })).status).toBe(200);
    await closedRevoked(mine, "logged-out");
    expect(await theirs.ping()).toBe(true);
  });

  it("a password change, a role change and a removal close the user's sockets", async () => {
    const t = await signup();
    for (const change of [{ password: "password-baru-123" }, { role: "admin" }, null] as const) {
      const m = await member(t, "staff");
      const s = await open({ cookie: m.cookie });
      expect(s.status).toBe(101);
      const res = change
        ? await call(`/api/v1/users/${m.id}`, { method: "PATCH", json: change, cookie: t.cookie })
        : await call(`/api/v1/users/${m.id}`, { method: "DELETE", cookie: t.cookie });
      expect(res.status).toBe(200);
      await closedRevoked(s, JSON.stringify(change));
    }
  });

  it("revoking an API key closes its sockets; another key's socket stays", async () => {
    const t = await signup();
    const k1 = await createApiKey(t, "one");
    const k2 = await createApiKey(t, "two");
    const s1 = await open({ key: k1 });
    const s2 = await open({ key: k2 });
    const list = await call("/api/v1/api-keys", { cookie: t.cookie });
    const id1 = list.body.items.find((k: { name: string }) => k.name === "one").id;
    expect((await call(`/api/v1/api-keys/${id1}`, { method: "DELETE", cookie: t.cookie })).status).toBe(200);
    await closedRevoked(s1, "revoked key");
    expect(await s2.ping()).toBe(true);
  });

  it("the periodic re-check closes a socket whose session ended without a close (and keeps valid ones)", async () => {
    const t = await signup();
    const staff = await member(t, "staff");
    const gone = await open({ cookie: staff.cookie });
    const kept = await open({ cookie: t.cookie });
    // The session disappears behind the hub's back (expiry sweep, a crash between delete and close…).
    await env.DB.prepare("DELETE FROM sessions WHERE user_id = ?").bind(staff.id).run();
    expect(await gone.ping()).toBe(true);
    const ran = await runDurableObjectAlarm(inboxHub(env, t.businessId));
    expect(ran).toBe(true);
    await closedRevoked(gone, "stale session");
    expect(await kept.ping()).toBe(true);
  });

  it("the re-check closes an API key's socket after the key expired", async () => {
    const t = await signup();
    const key = await createApiKey(t, "short");
    const s = await open({ key });
    await env.DB.prepare("UPDATE api_keys SET expires_at = ? WHERE business_id = ?").bind(Date.now() - 1, t.businessId).run();
    await runDurableObjectAlarm(inboxHub(env, t.businessId));
    await closedRevoked(s, "expired key");
  });
});
