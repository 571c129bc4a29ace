// The benchmark's Worker: Ping's real Worker plus one harness route that enqueues inside workerd with the
// real queueMessages() (enqueueing from Node through miniflare's proxy would measure the proxy).
import worker from "../../worker/index";
import { database } from "../../worker/db/client";
import type { NewMessage } from "../../worker/db/messages";
import { queueMessages } from "../../worker/messaging/enqueue";

// Every Durable Object class of the Worker, so the harness binds what wrangler.toml declares.
export * from "../../worker/index";

export default {
  ...worker,
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname !== "/__bench/enqueue") return worker.fetch(request, env, ctx);
    const rows = (await request.json()) as NewMessage[];
    const created = await queueMessages(database(env.DB), env.OUTBOUND, rows);
    return Response.json({ created: created.length });
  },
} satisfies ExportedHandler<Env>;
