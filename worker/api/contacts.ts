// Contacts: CRUD with typed custom fields, labels, manual merge, the orders+messages timeline, conflicts
// for a human, and bulk actions. Staff may view and edit; bulk delete is for admins (import/export are in
// contact-transfer.ts). Another business's contact is a 404.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { roleAtLeast } from "../auth/roles";
import { database, type Db } from "../db/client";
import { listFields } from "../db/contact-fields";
import { CONTACT_SORTS, type ContactFilter, decodeContactCursor, encodeContactCursor, listContacts } from "../db/contact-search";
import { type Contact, deleteConflict, findByPhoneOrEmail, getContact, getContacts, insertContact, listConflicts, updateContact, updateContacts } from "../db/contacts";
import { labelsOfContacts, type Label, relabelContacts } from "../db/labels";
import { CONTACT_SOURCES, ON_WHATSAPP } from "../db/schema";
import { applyFieldPatch } from "../crm/custom-fields";
import { deleteContacts } from "../crm/delete-contacts";
import { mergeContacts } from "../crm/merge-contacts";
import { afterRelabel } from "../campaigns/service";
import { exitContactEnrollments } from "../db/campaign-enrollments";
import { contactTimeline } from "../crm/timeline";
import { ApiError, notFound } from "../http/errors";
import type { AppEnv } from "../http/types";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { normalizePhone } from "../lib/phone";
import { apiRouter, authErrors, conflictError, Email, jsonBody, jsonContent, listOf, notFoundError, security } from "./openapi";
import { MessageSchema, messageJson } from "./messages";

export const LabelRef = z.object({ id: z.string(), name: z.string(), color: z.string() }).openapi("LabelRef");
const FieldValue = z.union([z.string(), z.number()]);

export const ContactSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: "International digits (62812…)" }),
    email: z.string().nullable(),
    wa_jid: z.string().nullable().openapi({ description: "WhatsApp id; an unresolved `…@lid` is an identifier, never a phone" }),
    web_visitor_id: z.string().nullable(),
    is_group: z.boolean(),
    custom_fields: z.record(z.string(), FieldValue),
    notes: z.string().nullable(),
    opted_out: z.boolean(),
    opted_out_at: z.number().nullable(),
    opted_out_reason: z.string().nullable(),
    on_whatsapp: z.enum(ON_WHATSAPP),
    source: z.enum(CONTACT_SOURCES),
    archived: z.boolean(),
    labels: z.array(LabelRef),
    first_seen_at: z.number().nullable(),
    last_seen_at: z.number().nullable(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi("Contact");

export const labelRef = (l: Label) => ({ id: l.id, name: l.name, color: l.color });

export function contactJson(c: Contact, labels: Label[] = []): z.infer<typeof ContactSchema> {
  return {
    id: c.id,
    name: c.name,
    phone: c.phone,
    email: c.email,
    wa_jid: c.waJid,
    web_visitor_id: c.webVisitorId,
    is_group: c.isGroup,
    custom_fields: c.customFields,
    notes: c.notes,
    opted_out: c.optedOut,
    opted_out_at: c.optedOutAt,
    opted_out_reason: c.optedOutReason,
    on_whatsapp: c.onWhatsapp,
    source: c.source,
    archived: c.archived,
    labels: labels.map(labelRef),
    first_seen_at: c.firstSeenAt,
    last_seen_at: c.lastSeenAt,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export async function contactsJson(db: Db, rows: Contact[]) {
  const labels = await labelsOfContacts(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => contactJson(r, labels.get(r.id) ?? []));
}

const Ids = z
  .string()
  .max(2000)
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.uuid()).max(20));
const Bool = z.enum(["true", "false"]).transform((v) => v === "true");

/** The list filters, shared by the list, the export and bulk actions by filter. */
export const ContactFilterQuery = z.object({
  q: z.string().max(100).optional().openapi({ description: "Name, email, or phone in any form; 4+ digits match anywhere in the number" }),
  labels_all: Ids.optional().openapi({ description: "Comma-separated label ids: contacts with all of them" }),
  labels_any: Ids.optional().openapi({ description: "…with at least one of them" }),
  labels_none: Ids.optional().openapi({ description: "…with none of them" }),
  opted_out: Bool.optional(),
  archived: Bool.optional().openapi({ description: "Default false: archived contacts are hidden" }),
  source: z.enum(CONTACT_SOURCES).optional(),
});
const FieldFilters = "Custom field values: `field.<key>=<value>` (repeatable, exact match)";

/** The filter from a validated query plus any `field.<key>=value` parameters. */
export function contactFilter(c: Context<AppEnv>, q: z.infer<typeof ContactFilterQuery>): ContactFilter {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.req.queries())) {
    if (k.startsWith("field.") && v[0] !== undefined) fields[k.slice(6)] = v[0].slice(0, 200);
  }
  return {
    q: q.q,
    labelsAll: q.labels_all,
    labelsAny: q.labels_any,
    labelsNone: q.labels_none,
    optedOut: q.opted_out,
    archived: q.archived,
    source: q.source,
    fields,
  };
}

const ListContactsQuery = ContactFilterQuery.extend({
  sort: z.enum(CONTACT_SORTS).default("recent").openapi({ description: "recent (last updated), created, name" }),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const Phone = z.string().trim().min(3).max(40).openapi({ example: "0812-3456-7890" });
const CreateContact = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    phone: Phone.optional(),
    email: Email.optional(),
    custom_fields: z.record(z.string().max(40), z.unknown()).optional(),
    notes: z.string().max(10_000).optional(),
    label_ids: z.array(z.uuid()).max(20).optional(),
    opted_out: z.boolean().optional(),
  })
  .refine((b) => b.phone !== undefined || b.email !== undefined, { message: "give a phone or an email" })
  .openapi("CreateContact");
const PatchContact = z
  .strictObject({
    name: z.string().trim().max(200).nullable().optional(),
    phone: Phone.nullable().optional(),
    email: Email.nullable().optional(),
    custom_fields: z.record(z.string().max(40), z.unknown()).optional().openapi({ description: "Values to set; null removes one" }),
    notes: z.string().max(10_000).nullable().optional(),
    opted_out: z.boolean().optional(),
    opted_out_reason: z.string().max(500).nullable().optional(),
    on_whatsapp: z.enum(ON_WHATSAPP).optional(),
    archived: z.boolean().optional(),
  })
  .openapi("UpdateContact");
const IdParam = z.object({ id: z.uuid() });
const LabelIds = z.strictObject({ label_ids: z.array(z.uuid()).min(1).max(20) }).openapi("LabelIds");
/** Contacts one bulk-by-filter request handles before answering with a cursor to go on. */
const BULK_FILTER_MAX = 1000;
const BULK_PAGE = 100;

const Bulk = z
  .strictObject({
    ids: z.array(z.uuid()).min(1).max(1000).optional(),
    filter: z
      .strictObject({
        q: z.string().max(100).optional(),
        labels_all: z.array(z.uuid()).max(20).optional(),
        labels_any: z.array(z.uuid()).max(20).optional(),
        labels_none: z.array(z.uuid()).max(20).optional(),
        opted_out: z.boolean().optional(),
        archived: z.boolean().optional(),
        source: z.enum(CONTACT_SOURCES).optional(),
        fields: z.record(z.string().max(40), z.string().max(200)).optional(),
      })
      .optional(),
    add_label_ids: z.array(z.uuid()).max(20).default([]),
    remove_label_ids: z.array(z.uuid()).max(20).default([]),
    action: z.enum(["archive", "unarchive", "opt_out", "delete"]).optional().openapi({ description: "delete is for admins" }),
    cursor: z.string().max(500).optional().openapi({ description: "With filter: the `cursor` of the previous answer, to go on where it stopped" }),
  })
  .refine((b) => (b.ids === undefined) !== (b.filter === undefined), { message: "give ids or filter, not both" })
  .openapi("BulkContacts");

async function normalisedPhone(country: string, raw: string | null | undefined): Promise<string | null | undefined> {
  if (raw === undefined || raw === null) return raw;
  const p = normalizePhone(raw, country);
  if (!p.ok) throw new ApiError(400, "INVALID_PHONE", p.reason);
  return p.digits;
}

function exists(other: Contact): ApiError {
  return new ApiError(409, "CONTACT_EXISTS", "A contact with this phone or email already exists", { contact_id: other.id });
}

async function fieldValues(db: Db, businessId: string, current: Record<string, string | number>, patch: Record<string, unknown> | undefined) {
  if (!patch) return current;
  const defs = await listFields(db, businessId);
  const r = applyFieldPatch(defs, current, patch);
  if (!r.ok) throw new ApiError(400, "INVALID_CUSTOM_FIELD", r.reasons.join("; "), r.reasons);
  return r.values;
}

async function own(db: Db, businessId: string, id: string): Promise<Contact> {
  const c = await getContact(db, businessId, id);
  if (!c) throw notFound("Contact");
  return c;
}

async function oneJson(db: Db, c: Contact) {
  const [j] = await contactsJson(db, [c]);
  if (!j) throw notFound("Contact");
  return j;
}

const TimelineItem = z
  .object({
    type: z.enum(["message", "order"]),
    at: z.number(),
    message: MessageSchema.optional(),
    order: z
      .object({
        id: z.string(),
        source: z.string(),
        external_id: z.string(),
        event: z.string().nullable(),
        status: z.string().nullable(),
        payment_status: z.string().nullable(),
        amount: z.number().nullable().openapi({ description: "Rupiah" }),
        items: z.array(z.object({ name: z.string(), qty: z.number(), price: z.number().nullable() })),
        event_at: z.number(),
        updated_at: z.number(),
      })
      .optional(),
  })
  .openapi("TimelineItem");

const ConflictSchema = z
  .object({ id: z.string(), contact_id: z.string(), other_contact_id: z.string(), phone: z.string(), email: z.string(), source: z.string(), created_at: z.number() })
  .openapi("ContactConflict");

export const contactsApi = apiRouter();

contactsApi
  .openapi(
    createRoute({
      method: "get",
      path: "/conflicts",
      tags: ["contacts"],
      summary: "Phone/email conflicts for a human: the phone's contact won, the email belongs to another",
      security,
      responses: { 200: jsonContent(listOf(ConflictSchema, "ContactConflictList")), ...authErrors },
    }),
    async (c) => {
      const rows = await listConflicts(database(c.env.DB), c.var.auth.business.id, 100);
      const items = rows.map((r) => ({ id: r.id, contact_id: r.contactId, other_contact_id: r.otherContactId, phone: r.phone, email: r.email, source: r.source, created_at: r.createdAt }));
      return c.json({ items, next_cursor: null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/conflicts/{id}",
      tags: ["contacts"],
      summary: "Dismiss a conflict (the two are different people)",
      security,
      request: { params: IdParam },
      responses: { 204: { description: "Dismissed" }, ...authErrors, ...notFoundError },
    }),
    async (c) => {
      if (!(await deleteConflict(database(c.env.DB), c.var.auth.business.id, c.req.valid("param").id))) throw notFound("Conflict");
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/bulk",
      tags: ["contacts"],
      summary: "Add/remove labels, archive, opt out or delete many contacts (by ids or by the list's filter)",
      security,
      request: jsonBody(Bulk),
      description: `By filter, one request handles at most ${BULK_FILTER_MAX} contacts: while \`done\` is false, repeat the same request with the answer's \`cursor\` (the dashboard does, showing the count).`,
      responses: {
        200: jsonContent(
          z.object({ matched: z.number(), deleted: z.number(), done: z.boolean(), cursor: z.string().nullable().openapi({ description: "Give it back to go on (null when done)" }) }).openapi("BulkResult"),
        ),
        ...authErrors,
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const auth = c.var.auth;
      if (body.action === "delete" && !roleAtLeast(auth.role, "admin")) throw new ApiError(403, "FORBIDDEN", "Deleting contacts in bulk needs the admin role");
      const db = database(c.env.DB);
      const businessId = auth.business.id;
      let matched = 0;
      let deleted = 0;
      const act = async (ids: string[]) => {
        matched += ids.length;
        if (body.add_label_ids.length > 0 || body.remove_label_ids.length > 0) await afterRelabel(c.env, businessId, await relabelContacts(db, businessId, ids, body.add_label_ids, body.remove_label_ids));
        if (body.action === "delete") deleted += await deleteContacts(c.env, db, businessId, ids);
        else if (body.action) {
          const set = body.action === "opt_out" ? { optedOut: true, optedOutAt: Date.now(), optedOutReason: "bulk" } : { archived: body.action === "archive" };
          await updateContacts(db, businessId, ids, set);
          // Opting out always ends the contacts' campaign sequences (docs/campaigns.md).
          if (body.action === "opt_out") await exitContactEnrollments(db, businessId, ids, "opted_out", Date.now());
        }
      };
      if (body.ids) {
        const found = await getContacts(db, businessId, body.ids);
        await act(found.map((f) => f.id));
        return c.json({ matched, deleted, done: true, cursor: null }, 200);
      }
      const f = body.filter ?? {};
      const filter: ContactFilter = { q: f.q, labelsAll: f.labels_all, labelsAny: f.labels_any, labelsNone: f.labels_none, optedOut: f.opted_out, archived: f.archived, source: f.source, fields: f.fields };
      // Bounded work per request (a filter may match 100k contacts): pages of 100 in created order, at most
      // BULK_FILTER_MAX contacts, then a cursor to go on. A deleting or archiving action removes the rows it
      // handled from the filter, so it always starts from the top and needs no cursor.
      const removes = body.action === "delete" || (body.action === "archive" && f.archived !== true) || (body.action === "unarchive" && f.archived === true);
      const given = decodeContactCursor(body.cursor);
      if (given === null) throw new ApiError(400, "INVALID_CURSOR", "cursor is not one this API gave");
      let cursor = removes ? undefined : given;
      let more = true;
      while (more && matched < BULK_FILTER_MAX) {
        const page = await listContacts(db, businessId, auth.business.country, filter, { sort: "created", limit: BULK_PAGE, cursor });
        if (page.items.length > 0) await act(page.items.map((i) => i.id));
        more = page.next !== null;
        if (page.next && !removes) cursor = page.next;
      }
      return c.json({ matched, deleted, done: !more, cursor: more && cursor ? encodeContactCursor(cursor) : null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["contacts"],
      summary: "List and search contacts",
      description: FieldFilters,
      security,
      request: { query: ListContactsQuery },
      responses: { 200: jsonContent(listOf(ContactSchema, "ContactList")), ...authErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const cursor = decodeContactCursor(q.cursor);
      if (cursor === null) throw new ApiError(400, "INVALID_CURSOR", "cursor is not valid");
      const db = database(c.env.DB);
      const business = c.var.auth.business;
      const r = await listContacts(db, business.id, business.country, contactFilter(c, q), { sort: q.sort, limit: q.limit, cursor });
      return c.json({ items: await contactsJson(db, r.items), next_cursor: r.next ? encodeContactCursor(r.next) : null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["contacts"],
      summary: "Create a contact",
      security,
      request: jsonBody(CreateContact),
      responses: { 201: jsonContent(ContactSchema, "Created"), ...authErrors, ...conflictError },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = database(c.env.DB);
      const business = c.var.auth.business;
      const phone = (await normalisedPhone(business.country, body.phone)) ?? null;
      const email = body.email ?? null;
      const other = await findByPhoneOrEmail(db, business.id, phone, email);
      if (other) throw exists(other);
      const now = Date.now();
      const created = await insertContact(db, {
        id: crypto.randomUUID(),
        businessId: business.id,
        name: body.name ?? null,
        phone,
        email,
        waJid: phone ? `${phone}@s.whatsapp.net` : null,
        customFields: await fieldValues(db, business.id, {}, body.custom_fields),
        notes: body.notes ?? null,
        optedOut: body.opted_out ?? false,
        optedOutAt: body.opted_out ? now : null,
        source: "manual",
        firstSeenAt: now,
        lastSeenAt: now,
        updatedAt: now,
      });
      if (!created) throw new ApiError(409, "CONTACT_EXISTS", "A contact with this phone already exists");
      if (body.label_ids) await afterRelabel(c.env, business.id, await relabelContacts(db, business.id, [created.id], body.label_ids, []));
      return c.json(await oneJson(db, created), 201);
    },
  )
  .openapi(
    createRoute({ method: "get", path: "/{id}", tags: ["contacts"], security, request: { params: IdParam }, responses: { 200: jsonContent(ContactSchema), ...authErrors, ...notFoundError } }),
    async (c) => {
      const db = database(c.env.DB);
      return c.json(await oneJson(db, await own(db, c.var.auth.business.id, c.req.valid("param").id)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["contacts"],
      security,
      request: { params: IdParam, ...jsonBody(PatchContact) },
      responses: { 200: jsonContent(ContactSchema), ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = database(c.env.DB);
      const business = c.var.auth.business;
      const current = await own(db, business.id, c.req.valid("param").id);
      const phone = await normalisedPhone(business.country, body.phone);
      if (phone || body.email) {
        const other = await findByPhoneOrEmail(db, business.id, phone ?? null, body.email ?? null, current.id);
        if (other && other.phone !== null && other.phone === phone) throw exists(other);
      }
      const now = Date.now();
      const set: Partial<Contact> = { updatedAt: now };
      if (body.name !== undefined) set.name = body.name || null;
      if (phone !== undefined) {
        set.phone = phone;
        // The WhatsApp id follows the number, unless it is a group or an @lid WhatsApp gave.
        if (!current.isGroup && (current.waJid === null || current.waJid.endsWith("@s.whatsapp.net"))) set.waJid = phone ? `${phone}@s.whatsapp.net` : null;
      }
      if (body.email !== undefined) set.email = body.email;
      if (body.notes !== undefined) set.notes = body.notes;
      if (body.on_whatsapp !== undefined) set.onWhatsapp = body.on_whatsapp;
      if (body.archived !== undefined) set.archived = body.archived;
      if (body.opted_out !== undefined && body.opted_out !== current.optedOut) {
        set.optedOut = body.opted_out;
        set.optedOutAt = body.opted_out ? now : null;
        set.optedOutReason = body.opted_out ? (body.opted_out_reason ?? null) : null;
      } else if (body.opted_out_reason !== undefined) set.optedOutReason = body.opted_out_reason;
      if (body.custom_fields) set.customFields = await fieldValues(db, business.id, current.customFields, body.custom_fields);
      let updated: Contact | undefined;
      try {
        updated = await updateContact(db, business.id, current.id, set);
      } catch (e) {
        if (String(e).includes("UNIQUE")) throw new ApiError(409, "CONTACT_EXISTS", "Another contact already has this phone or WhatsApp id");
        throw e;
      }
      if (!updated) throw notFound("Contact");
      if (set.optedOut === true) await exitContactEnrollments(db, business.id, [updated.id], "opted_out", now);
      return c.json(await oneJson(db, updated), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["contacts"],
      summary: "Delete for good: the contact, its conversations, messages, media and orders",
      security,
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const contact = await own(db, businessId, c.req.valid("param").id);
      await deleteContacts(c.env, db, businessId, [contact.id]);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/labels",
      tags: ["contacts"],
      security,
      request: { params: IdParam, ...jsonBody(LabelIds) },
      responses: { 200: jsonContent(ContactSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const contact = await own(db, businessId, c.req.valid("param").id);
      await afterRelabel(c.env, businessId, await relabelContacts(db, businessId, [contact.id], c.req.valid("json").label_ids, []));
      return c.json(await oneJson(db, contact), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}/labels/{label_id}",
      tags: ["contacts"],
      security,
      request: { params: z.object({ id: z.uuid(), label_id: z.uuid() }) },
      responses: { 200: jsonContent(ContactSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const p = c.req.valid("param");
      const contact = await own(db, businessId, p.id);
      await relabelContacts(db, businessId, [contact.id], [], [p.label_id]);
      return c.json(await oneJson(db, contact), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/merge",
      tags: ["contacts"],
      summary: "Merge another contact into this one (labels, conversations, orders); the other is removed",
      security,
      request: { params: IdParam, ...jsonBody(z.strictObject({ other_id: z.uuid() }).openapi("MergeContacts")) },
      responses: { 200: jsonContent(ContactSchema), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const keep = await own(db, businessId, c.req.valid("param").id);
      const otherId = c.req.valid("json").other_id;
      if (otherId === keep.id) throw new ApiError(400, "SAME_CONTACT", "A contact cannot be merged into itself");
      const other = await own(db, businessId, otherId);
      const merged = await mergeContacts(db, businessId, keep, other);
      if (!merged) throw notFound("Contact");
      return c.json(await oneJson(db, merged), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/timeline",
      tags: ["contacts"],
      summary: "Orders and messages of every channel, newest first",
      security,
      request: { params: IdParam, query: z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }) },
      responses: { 200: jsonContent(listOf(TimelineItem, "Timeline")), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const contact = await own(db, businessId, c.req.valid("param").id);
      const q = c.req.valid("query");
      const r = await contactTimeline(db, businessId, contact, q.limit, decodeCursor(q.cursor));
      const items = r.items.map((it) =>
        it.type === "message"
          ? { type: "message" as const, at: it.at, message: messageJson(it.message) }
          : {
              type: "order" as const,
              at: it.at,
              order: {
                id: it.order.id,
                source: it.order.source,
                external_id: it.order.externalId,
                event: it.order.event,
                status: it.order.status,
                payment_status: it.order.paymentStatus,
                amount: it.order.amount,
                items: it.order.items,
                event_at: it.order.eventAt,
                updated_at: it.order.updatedAt,
              },
            },
      );
      return c.json({ items, next_cursor: r.next ? encodeCursor(r.next) : null }, 200);
    },
  );
