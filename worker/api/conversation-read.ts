// POST /api/v1/conversations/{id}/read: an agent opened the thread, so its customer messages count as read (the
// unread badge clears in every open inbox through a conversation.updated event).
import { createRoute, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { getConversationRow, updateConversation } from "../db/conversations";
import { notFound } from "../http/errors";
import { conversationUpdated, publishInbox } from "../inbox/publish";
import { apiRouter, authErrors, jsonContent, notFoundError, security } from "./openapi";

export const conversationReadApi = apiRouter();

conversationReadApi.openapi(
  createRoute({
    method: "post",
    path: "/{id}/read",
    tags: ["conversations"],
    summary: "Mark the conversation's messages read (unread_count becomes 0)",
    security,
    request: { params: z.object({ id: z.uuid() }) },
    responses: { 200: jsonContent(z.object({ unread_count: z.number() }).openapi("ConversationRead")), ...authErrors, ...notFoundError },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const businessId = c.var.auth.business.id;
    const row = await getConversationRow(db, businessId, c.req.valid("param").id);
    if (!row) throw notFound("Conversation");
    if (row.conversation.unreadCount > 0) {
      const updated = await updateConversation(db, businessId, row.conversation.id, { unreadCount: 0 });
      if (updated) await publishInbox(c.env, businessId, [conversationUpdated(updated, row.contact.waJid ?? "")]);
    }
    return c.json({ unread_count: 0 }, 200);
  },
);
