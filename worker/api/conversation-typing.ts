// POST /api/v1/conversations/{id}/typing: the agent is typing. A website-chat visitor sees it in the widget for a
// few seconds; on WhatsApp it does nothing (no typing state is sent to customers there).
import { createRoute, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { visibleConversation } from "../inbox/visibility";
import { liveChat } from "../durable/stubs";
import { notFound } from "../http/errors";
import { apiRouter, authErrors, jsonContent, notFoundError, security } from "./openapi";

export const conversationTypingApi = apiRouter();

conversationTypingApi.openapi(
  createRoute({
    method: "post",
    path: "/{id}/typing",
    tags: ["conversations"],
    security,
    request: { params: z.object({ id: z.uuid() }) },
    responses: { 200: jsonContent(z.object({ shown: z.boolean() })), ...authErrors, ...notFoundError },
  }),
  async (c) => {
    const row = await visibleConversation(database(c.env.DB), c.var.auth, c.req.valid("param").id);
    if (!row) throw notFound("Conversation");
    if (row.channel.kind !== "web") return c.json({ shown: false }, 200);
    await liveChat(c.env, row.conversation.id).agentTyping();
    return c.json({ shown: true }, 200);
  },
);
