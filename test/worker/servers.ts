// The outside-world servers started by global-setup.ts, as seen from inside workerd.
import { env } from "cloudflare:test";
import type { TestServers } from "./global-setup";

export const LOCAL_GRAPH_TOKEN = "local-graph-token-123";

export function servers(): TestServers {
  return JSON.parse(env.TEST_SERVERS) as TestServers;
}

/** What the local server recorded under a key (`graph:<phone_number_id>`, `hook:<name>`). */
export async function records<T = unknown>(key: string): Promise<T[]> {
  const res = await fetch(`${servers().local}/_records/${encodeURIComponent(key)}`);
  return (await res.json()) as T[];
}
