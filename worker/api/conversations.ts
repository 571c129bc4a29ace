// Conversations (a contact on a channel): the inbox's list with filters and unread counts, status/snooze/
// assignee/priority/labels/bot state, the message thread, and an agent's reply — sent on the conversation's
// own channel through the normal send pipeline (composeAndQueue → queue → DeviceSession).
import { createRoute, z } from "@hono/zod-openapi";
import { requireActivePackage } from "../auth/middleware";
import { database, type Db } from "../db/client";
import { contactWhere } from "../db/contact-search";
import {
  type ConversationRow,
  getConversationRow,
  listConversations,
  unreadTotals,
  updateConversation,
  type Conversation,
} from "../db/conversations";
import { labelsOfConversations, relabelConversation } from "../db/labels";
import { listMessages, type Message } from "../db/messages";
import { BOT_STATES, CONVERSATION_STATUSES, PRIORITIES } from "../db/schema";
import { getUser } from "../db/users";
import { ApiError, notFound } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import type { Auth } from "../http/types";
import { visibleConversation, visibleToOf } from "../inbox/visibility";
import { replyOnConversation } from "../crm/conversation-reply";
import { handOff, releaseBot, silenceAfterHuman } from "../ai/bot-state";
import { getAiSettings } from "../db/ai-settings";
import { notifyAssigned } from "../inbox/assigned";
import { publishInbox } from "../inbox/publish";
import { LabelRef, labelRef } from "./contacts";
import { MessageSchema, messageJson } from "./messages";
import { apiRouter, authErrors, jsonBody, jsonContent, ListQuery, notFoundError, security } from "./openapi";

const ConversationSchema = z
  .object({
    id: z.string(),
    channel: z.object({ id: z.string(), kind: z.enum(["whatsapp", "web"]), name: z.string(), device_key: z.string().nullable() }),
    contact: z.object({ id: z.string(), name: z.string().nullable(), phone: z.string().nullable(), wa_jid: z.string().nullable(), is_group: z.boolean() }),
    status: z.enum(CONVERSATION_STATUSES),
    snooze_until: z.number().nullable(),
    assignee_id: z.string().nullable(),
    priority: z.enum(PRIORITIES),
    labels: z.array(LabelRef),
    unread_count: z.number(),
    last_message: z.object({ text: z.string().nullable(), direction: z.enum(["in", "out"]).nullable(), at: z.number() }),
    last_inbound_at: z.number().nullable(),
    bot_state: z.enum(BOT_STATES),
    bot_silenced_until: z.number().nullable(),
    bot_state_reason: z.string().nullable(),
    created_at: z.number(),
    updated_at: z.number().nullable(),
  })
  .openapi("Conversation");

function conversationJson(r: ConversationRow, labels: z.infer<typeof LabelRef>[]): z.infer<typeof ConversationSchema> {
  const v = r.conversation;
  return {
    id: v.id,
    channel: { id: r.channel.id, kind: r.channel.kind, name: r.channel.name, device_key: r.channel.deviceKey },
    contact: { id: r.contact.id, name: r.contact.name, phone: r.contact.phone, wa_jid: r.contact.waJid, is_group: r.contact.isGroup },
    status: v.status,
    snooze_until: v.snoozeUntil,
    assignee_id: v.assigneeId,
    priority: v.priority,
    labels,
    unread_count: v.unreadCount,
    last_message: { text: v.lastMessageText, direction: v.lastMessageDirection, at: v.lastMessageAt },
    last_inbound_at: v.lastInboundAt,
    bot_state: v.botState,
    bot_silenced_until: v.botSilencedUntil,
    bot_state_reason: v.botStateReason,
    created_at: v.createdAt,
    updated_at: v.updatedAt,
  };
}

async function rowsJson(db: Db, rows: ConversationRow[]) {
  const labels = await labelsOfConversations(
    db,
    rows.map((r) => r.conversation.id),
  );
  return rows.map((r) => conversationJson(r, (labels.get(r.conversation.id) ?? []).map(labelRef)));
}

/** The conversation, if this business's and visible to the caller (worker/inbox/visibility.ts); else a 404. */
async function own(db: Db, auth: Auth, id: string): Promise<ConversationRow> {
  const r = await visibleConversation(db, auth, id);
  if (!r) throw notFound("Conversation");
  return r;
}

/** After a change (a staff member may just have assigned it away): the row again, by business only. */
async function reread(db: Db, businessId: string, id: string): Promise<ConversationRow> {
  const r = await getConversationRow(db, businessId, id);
  if (!r) throw notFound("Conversation");
  return r;
}

const ListQ = ListQuery.extend({
  channel: z.string().max(100).optional().openapi({ description: "A channel id" }),
  device_key: z.uuid().optional(),
  status: z.enum(CONVERSATION_STATUSES).optional(),
  assignee: z.union([z.enum(["me", "none"]), z.uuid()]).optional().openapi({ description: "me, none, or a user id" }),
  label: z.uuid().optional(),
  q: z.string().max(100).optional().openapi({ description: "The contact's name, email or phone (4+ digits anywhere)" }),
});
const Patch = z
  .strictObject({
    status: z.enum(CONVERSATION_STATUSES).optional(),
    snooze_until: z.number().int().positive().nullable().optional().openapi({ description: "Epoch ms, or null for until the customer's next reply; required with status snoozed" }),
    assignee_id: z.uuid().nullable().optional(),
    priority: z.enum(PRIORITIES).optional(),
    label_ids: z.array(z.uuid()).max(20).optional().openapi({ description: "Replaces the conversation's labels" }),
    bot_state: z.enum(BOT_STATES).optional(),
    bot_silenced_until: z.number().int().positive().nullable().optional(),
    bot_state_reason: z.string().max(500).nullable().optional(),
  })
  .openapi("UpdateConversation");
const IdParam = z.object({ id: z.uuid() });
const Reply = z.strictObject({ text: z.string().min(1).max(4096) }).openapi("AgentReply");

export const conversationsApi = apiRouter();
conversationsApi.post("/:id/messages", requireActivePackage);

conversationsApi
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["conversations"],
      summary: "The inbox: conversations, most recent first",
      security,
      request: { query: ListQ },
      responses: {
        200: jsonContent(
          z
            .object({
              items: z.array(ConversationSchema),
              next_cursor: z.string().nullable(),
              unread: z.object({ conversations: z.number(), messages: z.number() }),
            })
            .openapi("ConversationList"),
        ),
        ...authErrors,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const auth = c.var.auth;
      const db = database(c.env.DB);
      const visibleTo = await visibleToOf(db, auth);
      let assignee = q.assignee;
      if (assignee === "me") {
        if (!auth.user) throw new ApiError(400, "NO_USER", "assignee=me needs a signed-in user (an API key is not one)");
        assignee = auth.user.id;
      }
      const rows = await listConversations(
        db,
        auth.business.id,
        {
          channelId: q.channel,
          deviceKey: q.device_key,
          status: q.status,
          assignee,
          labelId: q.label,
          contactWhere: q.q ? contactWhere(auth.business.id, { q: q.q, archived: undefined }, auth.business.country) : undefined,
          visibleTo,
        },
        q.limit,
        decodeCursor(q.cursor),
      );
      const p = page(
        rows.map((r) => ({ ...r, createdAt: r.conversation.lastMessageAt })),
        q.limit,
        (r) => r.conversation.id,
      );
      return c.json({ items: await rowsJson(db, p.items), next_cursor: p.next_cursor, unread: await unreadTotals(db, auth.business.id, visibleTo) }, 200);
    },
  )
  .openapi(
    createRoute({ method: "get", path: "/{id}", tags: ["conversations"], security, request: { params: IdParam }, responses: { 200: jsonContent(ConversationSchema), ...authErrors, ...notFoundError } }),
    async (c) => {
      const db = database(c.env.DB);
      const [j] = await rowsJson(db, [await own(db, c.var.auth, c.req.valid("param").id)]);
      return c.json(j, 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["conversations"],
      summary: "Status, snooze, assignee, priority, labels, bot state",
      security,
      request: { params: IdParam, ...jsonBody(Patch) },
      responses: { 200: jsonContent(ConversationSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const current = await own(db, c.var.auth, c.req.valid("param").id);
      const now = Date.now();
      const set: Partial<Conversation> = { updatedAt: now };
      if (b.status !== undefined) {
        set.status = b.status;
        if (b.status === "snoozed") {
          // snooze_until: null snoozes until the customer's next message (which reopens any snoozed conversation).
          const until = b.snooze_until;
          if (until === undefined || (until !== null && until <= now)) throw new ApiError(400, "SNOOZE_UNTIL_REQUIRED", "snooze_until (a future epoch ms, or null for until the next reply) is required to snooze");
          set.snoozeUntil = until;
        } else set.snoozeUntil = null;
      } else if (b.snooze_until !== undefined) throw new ApiError(400, "VALIDATION_ERROR", "snooze_until goes with status: snoozed");
      if (b.assignee_id !== undefined) {
        if (b.assignee_id !== null && !(await getUser(db, businessId, b.assignee_id))) throw new ApiError(400, "UNKNOWN_ASSIGNEE", "assignee_id is not a user of this business");
        set.assigneeId = b.assignee_id;
      }
      if (b.priority !== undefined) set.priority = b.priority;
      if (b.bot_state !== undefined) set.botState = b.bot_state;
      if (b.bot_silenced_until !== undefined) set.botSilencedUntil = b.bot_silenced_until;
      if (b.bot_state_reason !== undefined) set.botStateReason = b.bot_state_reason;
      await updateConversation(db, businessId, current.conversation.id, set);
      if (b.label_ids !== undefined) {
        const have = ((await labelsOfConversations(db, [current.conversation.id])).get(current.conversation.id) ?? []).map((l) => l.id);
        await relabelConversation(db, businessId, current.conversation.id, b.label_ids, have.filter((id) => !b.label_ids?.includes(id)));
      }
      // The new assignee hears about it (not when they took it themselves).
      if (b.assignee_id && b.assignee_id !== current.conversation.assigneeId) await notifyAssigned(c.env, db, c.var.auth, current, b.assignee_id);
      const [j] = await rowsJson(db, [await reread(db, businessId, current.conversation.id)]);
      if (j) await publishInbox(c.env, businessId, [{ type: "conversation.changed", conversation: j }]);
      return c.json(j, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/labels",
      tags: ["conversations"],
      security,
      request: { params: IdParam, ...jsonBody(z.strictObject({ label_ids: z.array(z.uuid()).min(1).max(20) }).openapi("ConversationLabelIds")) },
      responses: { 200: jsonContent(ConversationSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const r = await own(db, c.var.auth, c.req.valid("param").id);
      await relabelConversation(db, businessId, r.conversation.id, c.req.valid("json").label_ids, []);
      const [j] = await rowsJson(db, [r]);
      return c.json(j, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}/labels/{label_id}",
      tags: ["conversations"],
      security,
      request: { params: z.object({ id: z.uuid(), label_id: z.uuid() }) },
      responses: { 200: jsonContent(ConversationSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const p = c.req.valid("param");
      const r = await own(db, c.var.auth, p.id);
      await relabelConversation(db, businessId, r.conversation.id, [], [p.label_id]);
      const [j] = await rowsJson(db, [r]);
      return c.json(j, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/messages",
      tags: ["conversations"],
      summary: "The thread: newest first with a cursor to page back; after=<message id> gives what is newer (oldest first)",
      security,
      request: { params: IdParam, query: ListQuery.extend({ after: z.uuid().optional() }) },
      responses: { 200: jsonContent(z.object({ items: z.array(MessageSchema), next_cursor: z.string().nullable() }).openapi("ConversationMessages")), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const r = await own(db, c.var.auth, c.req.valid("param").id);
      const q = c.req.valid("query");
      if (q.after) {
        // Newer than a message: walk back from the newest until that message (bounded by limit).
        const rows: Message[] = await listMessages(db, businessId, { conversationId: r.conversation.id }, 500);
        const at = rows.findIndex((m) => m.id === q.after);
        if (at < 0 && rows.length >= 500) throw new ApiError(400, "AFTER_TOO_OLD", "after= names a message too far back; page with cursor instead");
        const newer = (at < 0 ? rows : rows.slice(0, at)).reverse().slice(0, q.limit);
        return c.json({ items: newer.map(messageJson), next_cursor: null }, 200);
      }
      const rows = await listMessages(db, businessId, { conversationId: r.conversation.id }, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (m) => m.id);
      return c.json({ items: p.items.map(messageJson), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/messages",
      tags: ["conversations"],
      summary: "An agent's reply, sent on the conversation's own channel",
      security,
      request: {
        params: IdParam,
        headers: z.object({ "idempotency-key": z.string().min(1).max(200).optional().openapi({ description: "Same key, same message" }) }),
        ...jsonBody(Reply),
      },
      responses: { 202: jsonContent(MessageSchema, "Queued"), 200: jsonContent(MessageSchema, "Replay"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const auth = c.var.auth;
      const r = await own(db, auth, c.req.valid("param").id);
      const key = c.req.valid("header")["idempotency-key"];
      const { message, created } = await replyOnConversation(c.env, db, auth.business, r, {
        text: c.req.valid("json").text,
        idempotencyKey: `agent:${r.conversation.id}:${key ?? crypto.randomUUID()}`,
        source: "agent",
      });
      if (!created) c.header("Idempotent-Replayed", "true");
      // Issue 12: a human replied, so the bot keeps quiet for a while.
      else await silenceAfterHuman(db, auth.business.id, r.conversation.id, (await getAiSettings(db, auth.business.id)).humanSilenceMinutes, Date.now());
      return c.json(messageJson(message), created ? 202 : 200);
    },
  )
  // Issue 12: an agent takes the conversation from the bot (until released or the handoff timeout), or gives it back.
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/handoff",
      tags: ["conversations"],
      summary: "Hand the conversation to a human: the bot stays quiet until released or the handoff timeout passes",
      security,
      request: { params: IdParam, ...jsonBody(z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).openapi("Handoff")) },
      responses: { 200: jsonContent(ConversationSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const r = await own(db, c.var.auth, c.req.valid("param").id);
      await handOff(db, businessId, r.conversation.id, c.req.valid("json").reason ?? "agent", (await getAiSettings(db, businessId)).handoffMinutes, Date.now());
      const [json] = await rowsJson(db, [await reread(db, businessId, r.conversation.id)]);
      if (!json) throw notFound("Conversation");
      return c.json(json, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/release",
      tags: ["conversations"],
      summary: "Give the conversation back to the bot",
      security,
      request: { params: IdParam },
      responses: { 200: jsonContent(ConversationSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const r = await own(db, c.var.auth, c.req.valid("param").id);
      await releaseBot(db, businessId, r.conversation.id, Date.now());
      const [json] = await rowsJson(db, [await reread(db, businessId, r.conversation.id)]);
      if (!json) throw notFound("Conversation");
      return c.json(json, 200);
    },
  );
