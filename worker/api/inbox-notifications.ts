// /api/v1/notifications: the signed-in agent's inbox notifications (@mentions in notes, conversations assigned to
// them) and their setting for browser notifications and the sound. Per user, so an API key (not a user) gets 400.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "../db/client";
import {
  type InboxNotification,
  listNotifications,
  markNotificationsRead,
  notifySetting,
  setNotifySetting,
  unreadNotificationCount,
} from "../db/inbox-notifications";
import { INBOX_NOTIFICATION_KINDS } from "../db/schema";
import { ApiError } from "../http/errors";
import type { AppEnv } from "../http/types";
import { apiRouter, authErrors, jsonBody, jsonContent, security } from "./openapi";

const NotificationSchema = z
  .object({
    id: z.string(),
    kind: z.enum(INBOX_NOTIFICATION_KINDS),
    conversation_id: z.string(),
    note_id: z.string().nullable(),
    actor_id: z.string().nullable(),
    text: z.string(),
    created_at: z.number(),
    read_at: z.number().nullable(),
  })
  .openapi("InboxNotification");
const Settings = z.object({ notify: z.enum(["on", "off"]).openapi({ description: "Browser notifications and a sound for new and assigned conversations" }) });
const json = (n: InboxNotification) => ({
  id: n.id,
  kind: n.kind,
  conversation_id: n.conversationId,
  note_id: n.noteId,
  actor_id: n.actorId,
  text: n.text,
  created_at: n.createdAt,
  read_at: n.readAt,
});

function me(c: Context<AppEnv>): { businessId: string; userId: string } {
  const user = c.var.auth.user;
  if (!user) throw new ApiError(400, "NO_USER", "Notifications belong to a signed-in user (an API key is not one)");
  return { businessId: c.var.auth.business.id, userId: user.id };
}

export const inboxNotificationsApi = apiRouter();

inboxNotificationsApi
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["inbox"],
      summary: "My inbox notifications, newest first, with the unread count",
      security,
      request: { query: z.object({ unread: z.enum(["true", "false"]).optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }) },
      responses: { 200: jsonContent(z.object({ items: z.array(NotificationSchema), unread: z.number() }).openapi("InboxNotificationList")), ...authErrors },
    }),
    async (c) => {
      const { businessId, userId } = me(c);
      const q = c.req.valid("query");
      const db = database(c.env.DB);
      const items = await listNotifications(db, businessId, userId, q.limit, q.unread === "true");
      return c.json({ items: items.map(json), unread: await unreadNotificationCount(db, businessId, userId) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/read",
      tags: ["inbox"],
      summary: "Mark my notifications read: the given ids, or all of them",
      security,
      request: jsonBody(z.strictObject({ ids: z.array(z.uuid()).min(1).max(100).optional() }).openapi("ReadNotifications")),
      responses: { 200: jsonContent(z.object({ marked: z.number(), unread: z.number() })), ...authErrors },
    }),
    async (c) => {
      const { businessId, userId } = me(c);
      const db = database(c.env.DB);
      const marked = await markNotificationsRead(db, businessId, userId, c.req.valid("json").ids);
      return c.json({ marked, unread: await unreadNotificationCount(db, businessId, userId) }, 200);
    },
  )
  .openapi(
    createRoute({ method: "get", path: "/settings", tags: ["inbox"], security, responses: { 200: jsonContent(Settings.openapi("NotificationSettings")), ...authErrors } }),
    async (c) => {
      const { businessId, userId } = me(c);
      return c.json({ notify: await notifySetting(database(c.env.DB), businessId, userId) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/settings",
      tags: ["inbox"],
      security,
      request: jsonBody(Settings.strict().openapi("UpdateNotificationSettings")),
      responses: { 200: jsonContent(Settings), ...authErrors },
    }),
    async (c) => {
      const { businessId, userId } = me(c);
      const { notify } = c.req.valid("json");
      await setNotifySetting(database(c.env.DB), businessId, userId, notify);
      return c.json({ notify }, 200);
    },
  );
