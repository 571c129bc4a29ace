import { describe, expect, it } from "vitest";
import { loadConfig } from "../../gateway-node/src/config";
import { startHealthServer } from "../../gateway-node/src/health";

describe("gateway-node configuration", () => {
  it("reads the environment with defaults", () => {
    const c = loadConfig({ GATEWAY_ID: "gw-1", GATEWAY_SECRET: "s".repeat(20), STORE_KEY: "k" });
    expect(c).toMatchObject({ PING_URL: "http://127.0.0.1:8787", DATA_DIR: ".data/gateway", HEALTH_PORT: 8790, LOG_LEVEL: "info" });
  });

  it("names every invalid variable without echoing secrets", () => {
    let message = "";
    try {
      loadConfig({ GATEWAY_SECRET: "short", PING_URL: "not a url" });
    } catch (e) {
      message = String(e);
    }
    expect(message).toContain("GATEWAY_ID");
    expect(message).toContain("GATEWAY_SECRET");
    expect(message).toContain("PING_URL");
    expect(message).not.toContain("short");
  });
});

describe("health endpoint", () => {
  it("answers the snapshot on /health and 404 elsewhere", async () => {
    let reachable = false;
    const server = await startHealthServer("127.0.0.1", 0, () => ({
      status: reachable ? "ok" : "degraded",
      worker_reachable: reachable,
      sessions: [{ device_key: "d1", status: "connected", channel: "open" }],
    }));
    try {
      const addr = server.address();
      if (!addr || typeof addr === "string") throw new Error("no port");
      const url = `http://127.0.0.1:${addr.port}`;
      const down = await fetch(`${url}/health`);
      expect(down.status).toBe(503);
      reachable = true;
      const up = await fetch(`${url}/health`);
      expect(up.status).toBe(200);
      expect(await up.json()).toEqual({ status: "ok", worker_reachable: true, sessions: [{ device_key: "d1", status: "connected", channel: "open" }] });
      expect((await fetch(`${url}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
