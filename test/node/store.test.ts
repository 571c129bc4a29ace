import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { proto } from "@whiskeysockets/baileys";
import { describe, expect, it } from "vitest";
import { isRegistered, seedRegisteredCreds, sqliteAuthState } from "../../gateway-node/src/store/auth-state";
import { SessionStore } from "../../gateway-node/src/store/session-store";
import { exportSession, importSession } from "../../gateway-node/src/store/transfer";

const key = () => randomBytes(32).toString("base64");
const dir = () => mkdtempSync(join(tmpdir(), "gw-store-"));

describe("session store", () => {
  it("encrypts every value at rest: the SQLite files never contain the plaintext", () => {
    const d = dir();
    const store = new SessionStore(d, key());
    store.put("dev1", "creds", "creds", JSON.stringify({ secret: "SUPER-SECRET-NOISE-KEY" }));
    store.put("dev1", "key:session", "628123.0", "SIGNAL-SESSION-PLAINTEXT");
    store.close();
    for (const f of readdirSync(d)) {
      const bytes = readFileSync(join(d, f)).toString("latin1");
      expect(bytes).not.toContain("SUPER-SECRET-NOISE-KEY");
      expect(bytes).not.toContain("SIGNAL-SESSION-PLAINTEXT");
    }
    const reopened = new SessionStore(d, Buffer.from(randomBytes(32)).toString("base64"));
    expect(() => reopened.get("dev1", "creds", "creds")).toThrow();
    reopened.close();
  });

  it("refuses a value moved to another row (the row identity is authenticated)", () => {
    const d = dir();
    const k = key();
    const store = new SessionStore(d, k);
    store.put("dev1", "creds", "creds", "a");
    store.close();
    // Copy dev1's ciphertext under dev2 directly in SQLite.
    const raw = new DatabaseSync(join(d, "gateway.sqlite"));
    raw.exec("INSERT INTO entries SELECT 'dev2', ns, id, value, updated_at FROM entries WHERE device_key = 'dev1'");
    raw.close();
    const again = new SessionStore(d, k);
    expect(again.get("dev1", "creds", "creds")).toBe("a");
    expect(() => again.get("dev2", "creds", "creds")).toThrow();
    again.close();
  });

  it("rejects a STORE_KEY that is not 32 bytes", () => {
    expect(() => new SessionStore(dir(), Buffer.from("short").toString("base64"))).toThrow(/32 bytes/);
  });

  it("keeps Baileys credentials and Signal keys across a reopen, with Buffers and protobufs intact", async () => {
    const d = dir();
    const k = key();
    let store = new SessionStore(d, k);
    const first = sqliteAuthState(store, "dev1");
    expect(first.resumed).toBe(false);
    first.state.creds.me = { id: "628111@s.whatsapp.net" };
    first.state.creds.registered = true;
    first.saveCreds();
    const session = new Uint8Array([1, 2, 3, 250]);
    const appKey = proto.Message.AppStateSyncKeyData.fromObject({ keyData: new Uint8Array([9, 9, 9]), timestamp: 42 });
    await first.state.keys.set({ session: { "628222.0": session }, "app-state-sync-key": { AAAA: appKey }, "pre-key": { "1": { public: Buffer.from([1]), private: Buffer.from([2]) } } });
    await first.state.keys.set({ "pre-key": { "1": null } });
    store.close();

    store = new SessionStore(d, k);
    const second = sqliteAuthState(store, "dev1");
    expect(second.resumed).toBe(true);
    expect(isRegistered(store, "dev1")).toBe(true);
    expect(second.state.creds.me?.id).toBe("628111@s.whatsapp.net");
    expect(Buffer.from(second.state.creds.noiseKey.private).equals(Buffer.from(first.state.creds.noiseKey.private))).toBe(true);
    const got = await second.state.keys.get("session", ["628222.0", "missing"]);
    expect(Buffer.from(got["628222.0"] as Uint8Array)).toEqual(Buffer.from(session));
    expect(got.missing).toBeUndefined();
    const app = await second.state.keys.get("app-state-sync-key", ["AAAA"]);
    expect(app.AAAA).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(app.AAAA?.keyData as Uint8Array)).toEqual(Buffer.from([9, 9, 9]));
    expect(await second.state.keys.get("pre-key", ["1"])).toEqual({});
    store.close();
  });

  it("wipeAuth forgets credentials and keys but keeps sent-job records; export/import moves a device", () => {
    const a = new SessionStore(dir(), key());
    seedRegisteredCreds(a, "dev1", "628111@s.whatsapp.net");
    a.put("dev1", "key:session", "x", "k");
    a.put("dev1", "sent_job", "job-1", "3EB0AA");
    const exported = a.exportDevice("dev1");
    expect(exported.map((r) => r.ns).sort()).toEqual(["creds", "key:session", "sent_job"]);

    const b = new SessionStore(dir(), key());
    b.importDevice("dev1", exported);
    expect(isRegistered(b, "dev1")).toBe(true);
    expect(b.get("dev1", "sent_job", "job-1")).toBe("3EB0AA");

    a.wipeAuth("dev1");
    expect(a.get("dev1", "creds", "creds")).toBeNull();
    expect(a.get("dev1", "key:session", "x")).toBeNull();
    expect(a.get("dev1", "sent_job", "job-1")).toBe("3EB0AA");
    a.close();
    b.close();
  });

  it("moves a session between gateways with different store keys through a sealed, device-bound file", () => {
    const transfer = key();
    const a = new SessionStore(dir(), key());
    seedRegisteredCreds(a, "dev1", "628111@s.whatsapp.net");
    a.put("dev1", "message", "628222@s.whatsapp.net|3EB0", "{}");
    const file = exportSession(a, "dev1", transfer);
    expect(Buffer.from(file, "base64").toString("latin1")).not.toContain("628111");
    expect(() => exportSession(a, "nobody", transfer)).toThrow(/no session/);

    const b = new SessionStore(dir(), key());
    expect(() => importSession(b, "dev2", file, transfer)).toThrow();
    expect(() => importSession(b, "dev1", file, key())).toThrow();
    expect(importSession(b, "dev1", file, transfer)).toBe(2);
    expect(isRegistered(b, "dev1")).toBe(true);
    expect(b.get("dev1", "message", "628222@s.whatsapp.net|3EB0")).toBe("{}");
    a.close();
    b.close();
  });
});
