import { DisconnectReason } from "@whiskeysockets/baileys";
import { describe, expect, it } from "vitest";
import { backoff, decideOnClose, REPLACED_LIMIT } from "../../gateway-node/src/session/reconnect-policy";

const fresh = { attempts: 0, replacedRecently: 0 };
const mid = () => 0.5;

describe("reconnect policy", () => {
  it("never reconnects after logged out, forbidden or multi-device mismatch", () => {
    expect(decideOnClose(DisconnectReason.loggedOut, fresh)).toMatchObject({ action: "stop", status: "logged_out", wipeCreds: true });
    expect(decideOnClose(DisconnectReason.forbidden, fresh)).toMatchObject({ action: "stop", status: "failed", wipeCreds: false });
    expect(decideOnClose(DisconnectReason.multideviceMismatch, fresh)).toMatchObject({ action: "stop", status: "logged_out", wipeCreds: true });
  });

  it("restarts at once after restartRequired (the close that follows pairing)", () => {
    expect(decideOnClose(DisconnectReason.restartRequired, { attempts: 5, replacedRecently: 0 })).toEqual({ action: "reconnect", delayMs: 0, reason: "restart required (515)" });
  });

  it("reconnects on transient closes with growing, jittered, capped backoff", () => {
    for (const code of [DisconnectReason.connectionClosed, DisconnectReason.connectionLost, DisconnectReason.unavailableService, undefined, 599]) {
      const first = decideOnClose(code, fresh, mid);
      const later = decideOnClose(code, { attempts: 4, replacedRecently: 0 }, mid);
      const capped = decideOnClose(code, { attempts: 40, replacedRecently: 0 }, mid);
      expect(first.action).toBe("reconnect");
      if (first.action !== "reconnect" || later.action !== "reconnect" || capped.action !== "reconnect") throw new Error("unreachable");
      expect(first.delayMs).toBeLessThan(later.delayMs);
      expect(capped.delayMs).toBeLessThanOrEqual(60_000);
    }
    const bad = decideOnClose(DisconnectReason.badSession, fresh, mid);
    expect(bad.action).toBe("reconnect");
  });

  it("backs off steeply on connectionReplaced loops and stops past the limit", () => {
    const delays = [0, 1, 2, 3].map((n) => decideOnClose(DisconnectReason.connectionReplaced, { attempts: n, replacedRecently: n }, mid));
    const ms = delays.map((d) => (d.action === "reconnect" ? d.delayMs : -1));
    expect(ms[0]).toBeGreaterThanOrEqual(7_500);
    expect(ms).toEqual([...ms].sort((a, b) => a - b));
    expect(decideOnClose(DisconnectReason.connectionReplaced, { attempts: 9, replacedRecently: REPLACED_LIMIT })).toMatchObject({ action: "stop", status: "failed" });
  });

  it("jitter stays within [ceiling/2, ceiling]", () => {
    expect(backoff(3, 1000, 60_000, () => 0)).toBe(4000);
    expect(backoff(3, 1000, 60_000, () => 1)).toBe(8000);
  });
});
