// GET/POST /api/v1/conversations/{id}/notes: internal notes on a conversation, with @mentions resolved to the
// business's users (`@sari` = a user named "Sari" or sari@…), each of whom is notified (worker/inbox/notify.ts).
// Notes are never sent to the customer.
import { createRoute, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { addNote, type ConversationNote, listNotes } from "../db/conversation-notes";
import { visibleConversation } from "../inbox/visibility";
import { listUsers } from "../db/users";
import { notFound } from "../http/errors";
import { notifyUsers } from "../inbox/notify";
import { publishInbox } from "../inbox/publish";
import { mentionedUsers } from "../livechat/canned";
import { apiRouter, authErrors, jsonBody, jsonContent, listOf, notFoundError, security } from "./openapi";

const NoteSchema = z
  .object({ id: z.string(), conversation_id: z.string(), author_id: z.string().nullable(), text: z.string(), mentions: z.array(z.string()), created_at: z.number() })
  .openapi("ConversationNote");
const IdParam = z.object({ id: z.uuid() });
const json = (n: ConversationNote) => ({ id: n.id, conversation_id: n.conversationId, author_id: n.authorId, text: n.text, mentions: n.mentions, created_at: n.createdAt });

export const conversationNotesApi = apiRouter();

conversationNotesApi
  .openapi(
    createRoute({ method: "get", path: "/{id}/notes", tags: ["conversations"], security, request: { params: IdParam }, responses: { 200: jsonContent(listOf(NoteSchema, "ConversationNoteList")), ...authErrors, ...notFoundError } }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const row = await visibleConversation(db, c.var.auth, c.req.valid("param").id);
      if (!row) throw notFound("Conversation");
      return c.json({ items: (await listNotes(db, businessId, row.conversation.id)).map(json), next_cursor: null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/notes",
      tags: ["conversations"],
      security,
      request: { params: IdParam, ...jsonBody(z.strictObject({ text: z.string().trim().min(1).max(4000) }).openapi("CreateConversationNote")) },
      responses: { 201: jsonContent(NoteSchema, "Created"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const auth = c.var.auth;
      const row = await visibleConversation(db, auth, c.req.valid("param").id);
      if (!row) throw notFound("Conversation");
      const text = c.req.valid("json").text;
      const mentions = text.includes("@") ? mentionedUsers(text, await listUsers(db, auth.business.id, 200)) : [];
      const note = await addNote(db, { businessId: auth.business.id, conversationId: row.conversation.id, authorId: auth.user?.id ?? null, text, mentions });
      await publishInbox(c.env, auth.business.id, [{ type: "note.created", note: json(note) }]);
      // Each mentioned user gets a notification (and, when their inbox is open, an event right away).
      const actor = auth.user ? { id: auth.user.id, name: auth.user.name } : null;
      await notifyUsers(c.env, db, auth.business.id, mentions, { kind: "mention", conversationId: row.conversation.id, noteId: note.id, actor, text });
      return c.json(json(note), 201);
    },
  );
