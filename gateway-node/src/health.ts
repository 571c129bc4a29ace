// Local health endpoint: the gateway's sessions and their states, for monitoring and `npm start`.
import { createServer, type Server } from "node:http";

export type HealthSnapshot = () => {
  status: "ok" | "degraded";
  worker_reachable: boolean;
  sessions: { device_key: string; status: string; channel: string; phone?: string; reason?: string }[];
};

export function startHealthServer(host: string, port: number, snapshot: HealthSnapshot): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== "/health") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    const body = snapshot();
    res.writeHead(body.status === "ok" ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
