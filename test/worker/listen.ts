// Starts a Node HTTP server on loopback on an ephemeral port: its URL and a close that drops open connections.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export function listenLocal(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () =>
      ok({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}
