// Which gateway hosts a new baileys device: the configured gateway with the fewest devices. Operators move
// devices with PUT /internal/devices/:device_key/gateway (docs/gateway-protocol.md).
import { gatewayIds } from "./auth";

export function pickGateway(env: Env, load: Map<string, number>): string | null {
  let best: string | null = null;
  let bestLoad = Number.POSITIVE_INFINITY;
  for (const id of gatewayIds(env).sort()) {
    const n = load.get(id) ?? 0;
    if (n < bestLoad) {
      best = id;
      bestLoad = n;
    }
  }
  return best;
}
