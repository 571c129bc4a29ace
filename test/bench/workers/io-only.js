// (b) Only the unavoidable I/O of a webhook that fires two rules: one D1 batch writing the same rows Ping
// writes (event claim, two message rows, the log) and one queue send of the two jobs. No rules, no templates,
// no verification, no business lookup.
export default {
  async fetch(req, env) {
    const raw = await req.text();
    const p = JSON.parse(raw);
    const bid = env.BUSINESS_ID;
    const dev = env.DEVICE_KEY;
    const key = `scalev:${p.unique_id}`;
    const logId = crypto.randomUUID();
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    const text = `Halo ${p.data.destination_address.name}, order ${p.data.order_id} total Rp149.724. Status: ${p.data.status}`;
    const to = `${p.data.destination_address.phone}@s.whatsapp.net`;
    const [, inserted] = await env.DB.batch([
      env.DB.prepare("INSERT INTO webhook_events (business_id, event_key, log_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING log_id").bind(bid, key, logId),
      env.DB.prepare(
        "INSERT INTO messages (id, business_id, device_key, idempotency_key, to_jid, text, source, lane) VALUES (?, ?, ?, ?, ?, ?, 'rule', 'transactional'), (?, ?, ?, ?, ?, ?, 'rule', 'transactional') ON CONFLICT DO NOTHING RETURNING id",
      ).bind(ids[0], bid, dev, `webhook:${key}:r0`, to, text, ids[1], bid, dev, `webhook:${key}:r1`, to, text),
      env.DB.prepare("INSERT INTO webhook_logs (id, business_id, source, status, event_key, rule_names, message, payload) VALUES (?, ?, 'scalev', 'success', ?, ?, ?, ?)").bind(
        logId,
        bid,
        key,
        JSON.stringify(["rule 0", "rule 1"]),
        `rule 0: queued → ${p.data.destination_address.phone}\nrule 1: queued → ${p.data.destination_address.phone}`,
        raw,
      ),
    ]);
    await env.OUTBOUND.sendBatch(inserted.results.map((r) => ({ body: { v: 1, message_id: r.id, business_id: bid, device_key: dev }, contentType: "json" })));
    return Response.json({ status: "success", message: "Webhook processed successfully", rule_matched: true });
  },
};
