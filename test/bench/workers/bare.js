// (a) The floor: a Worker that only answers the webhook's success response.
export default {
  async fetch(req) {
    await req.arrayBuffer();
    return Response.json({ status: "success", message: "Webhook processed successfully", rule_matched: true });
  },
};
