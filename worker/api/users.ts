// Agents of a business. Managed by the super admin; the last super admin cannot be removed or demoted.
import { assertWithinLimit } from "../billing/limits";
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { database } from "../db/client";
import { deleteUserSessions } from "../db/sessions";
import { closeSockets, socketTag } from "../inbox/socket-access";
import { ROLES } from "../db/schema";
import {
  countSuperAdmins,
  deleteUser,
  findUserByEmail,
  getUser,
  insertUser,
  listUsers,
  publicUser,
  updateUser,
} from "../db/users";
import { ApiError, notFound } from "../http/errors";
import { decodeCursor, page } from "../lib/cursor";
import { hashPassword, randomToken } from "../lib/crypto";
import {
  apiRouter,
  authErrors,
  conflictError,
  Email,
  jsonBody,
  jsonContent,
  ListQuery,
  listOf,
  notFoundError,
  Password,
  security,
} from "./openapi";

export const UserSchema = z
  .object({
    id: z.string(),
    business_id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: z.number(),
    email_verified: z.boolean(),
  })
  .openapi("User");

const IdParam = z.object({ id: z.uuid() });

const InviteBody = z
  .strictObject({
    email: Email,
    name: z.string().trim().min(1).max(120),
    role: z.enum(ROLES),
    password: Password.optional().openapi({ description: "Omit to get a generated temporary password, shown once" }),
  })
  .openapi("InviteUser");

const PatchBody = z
  .strictObject({ name: z.string().trim().min(1).max(120).optional(), role: z.enum(ROLES).optional(), password: Password.optional() })
  .openapi("UpdateUser");

export const usersApi = apiRouter();
usersApi.use(requireRole("super_admin"));

usersApi
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["users"],
      security,
      request: { query: ListQuery },
      responses: { 200: jsonContent(listOf(UserSchema, "UserList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listUsers(database(c.env.DB), c.var.auth.business.id, q.limit, decodeCursor(q.cursor));
      const p = page(rows, q.limit, (u) => u.id);
      return c.json({ items: p.items.map(publicUser), next_cursor: p.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["users"],
      summary: "Invite an agent with a role",
      security,
      request: jsonBody(InviteBody),
      responses: {
        201: jsonContent(z.object({ user: UserSchema, temporary_password: z.string().optional() }), "Created"),
        ...authErrors,
        ...conflictError,
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = database(c.env.DB);
      if (await findUserByEmail(db, body.email)) throw new ApiError(409, "EMAIL_TAKEN", "This email is already registered");
      await assertWithinLimit(db, c.var.auth.business, "agents");
      const temporary = body.password ? undefined : randomToken(12);
      const user = await insertUser(db, {
        id: crypto.randomUUID(),
        businessId: c.var.auth.business.id,
        email: body.email,
        name: body.name,
        role: body.role,
        passwordHash: await hashPassword(body.password ?? temporary ?? ""),
      });
      return c.json({ user: publicUser(user), ...(temporary ? { temporary_password: temporary } : {}) }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["users"],
      security,
      request: { params: IdParam },
      responses: { 200: jsonContent(UserSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const user = await getUser(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id);
      if (!user) throw notFound("User");
      return c.json(publicUser(user), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["users"],
      security,
      request: { params: IdParam, ...jsonBody(PatchBody) },
      responses: { 200: jsonContent(UserSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const current = await getUser(db, businessId, id);
      if (!current) throw notFound("User");
      if (current.role === "super_admin" && body.role && body.role !== "super_admin" && (await countSuperAdmins(db, businessId)) <= 1) {
        throw new ApiError(409, "LAST_SUPER_ADMIN", "A business needs at least one super admin");
      }
      const updated = await updateUser(db, businessId, id, {
        ...(body.name ? { name: body.name } : {}),
        ...(body.role ? { role: body.role } : {}),
        ...(body.password ? { passwordHash: await hashPassword(body.password) } : {}),
      });
      if (!updated) throw notFound("User");
      // A changed password or role takes effect at once: other sessions of that user end.
      if (body.password || (body.role && body.role !== current.role)) {
        await deleteUserSessions(db, id);
        await closeSockets(c.env, businessId, socketTag.user(id), body.password ? "password changed" : "role changed");
      }
      return c.json(publicUser(updated), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["users"],
      security,
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ deleted: z.literal(true) })), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      if (c.var.auth.user?.id === id) throw new ApiError(409, "CANNOT_DELETE_SELF", "You cannot delete your own account");
      const target = await getUser(db, businessId, id);
      if (!target) throw notFound("User");
      if (target.role === "super_admin" && (await countSuperAdmins(db, businessId)) <= 1) {
        throw new ApiError(409, "LAST_SUPER_ADMIN", "A business needs at least one super admin");
      }
      await deleteUser(db, businessId, id);
      await closeSockets(c.env, businessId, socketTag.user(id), "user removed");
      return c.json({ deleted: true as const }, 200);
    },
  );
