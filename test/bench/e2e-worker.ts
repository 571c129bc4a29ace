// The e2e benchmark's Worker: Ping's real Worker, with trace points that live only in this harness (the
// product's hot path stays as it is). Per message id it records, in workerd's clock:
//   consumer: the outbound queue delivered the job to the consumer (queue handler entered)
//   frame:    the DeviceSession wrote the job frame to the gateway's socket
// The other stages come from stored timestamps (messages.created_at / accepted_at) and from crabline.
// GET /__bench/trace answers the records. Requires the queue consumer and the Durable Objects to share this
// isolate, as they do in workerd (one isolate per Worker); the bench checks that every message was traced.
import worker from "../../worker/index";

// Every Durable Object class of the Worker, so the harness binds what wrangler.toml declares.
export * from "../../worker/index";

const consumed = new Map<string, number>();
const framed = new Map<string, number>();

// Job frames are JSON text `{"type":"job","job_id":…}`; anything else passes untouched. First send wins (a lease
// expiry would send the same job again; the bench's figure is the first hand-out).
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBuffer | ArrayBufferView) {
  if (typeof data === "string" && data.startsWith('{"type":"job"')) {
    const id = /"job_id":"([^"]+)"/.exec(data)?.[1];
    if (id && !framed.has(id)) framed.set(id, Date.now());
  }
  return send.call(this, data);
};

export default {
  ...worker,
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname !== "/__bench/trace") return worker.fetch(request, env, ctx);
    return Response.json({ consumed: Object.fromEntries(consumed), framed: Object.fromEntries(framed) });
  },
  async queue(batch, env, ctx) {
    if (batch.queue === "outbound") {
      const at = Date.now();
      for (const m of batch.messages) {
        const id = (m.body as { message_id?: unknown }).message_id;
        if (typeof id === "string" && !consumed.has(id)) consumed.set(id, at);
      }
    }
    return worker.queue?.(batch, env, ctx);
  },
} satisfies ExportedHandler<Env>;
