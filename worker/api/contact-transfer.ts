// CSV in and out (admins): POST /contacts/import streams its body (text/csv, up to 20 MB; exempt from the
// API's JSON-only body rule) either into a dry-run preview (header mapping guessed, every row checked) or
// into R2 for the ContactImport Durable Object to work through; GET /contacts/imports/{id} reports progress
// and row errors; GET /contacts/export streams the list's filters as CSV, one page at a time.
import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { requireRole } from "../auth/middleware";
import { database } from "../db/client";
import { listFields } from "../db/contact-fields";
import { type ContactCursor, listContacts } from "../db/contact-search";
import { labelsOfContacts, ownLabelIds } from "../db/labels";
import { contactImportErrors, contactImports } from "../db/schema";
import { csvLine } from "../crm/csv";
import { ImportOptions, ROW_PROBLEMS, type RowProblem, Target } from "../crm/import-plan";
import { PREVIEW_ERRORS, PREVIEW_ROWS, previewImport } from "../crm/import-preview";
import { importFileKey, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "../crm/import-run";
import { ApiError, notFound } from "../http/errors";
import { formatWall, wallTime } from "../lib/zoned-dates";
import { contactFilter, ContactFilterQuery } from "./contacts";
import { apiRouter, authErrors, jsonContent, notFoundError, security } from "./openapi";

const ImportQuery = z.object({
  dry_run: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  mapping: z
    .string()
    .max(8000)
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return {};
      try {
        const parsed = z.record(z.string().max(200), Target).safeParse(JSON.parse(s));
        if (parsed.success) return parsed.data;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: "custom", message: 'mapping must be JSON like {"No HP":"phone","Kota":"custom:kota"}' });
      return z.NEVER;
    })
    .openapi({ description: 'JSON: header → name | phone | email | notes | ignore | custom:<key>. Headers not given are guessed (nama, no hp, whatsapp, email…)' }),
  create_fields: z.enum(["true", "false"]).default("false").transform((v) => v === "true").openapi({ description: "Columns matching no field become text custom fields" }),
  label_ids: z
    .string()
    .max(2000)
    .optional()
    .transform((s) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : []))
    .pipe(z.array(z.uuid()).max(20))
    .openapi({ description: "Comma-separated labels for every imported contact" }),
  file_name: z.string().max(200).optional(),
});

const ImportStatus = z
  .object({
    id: z.string(),
    status: z.enum(["uploaded", "running", "done", "failed"]),
    file_name: z.string().nullable(),
    total_bytes: z.number(),
    bytes_done: z.number(),
    progress: z.number().openapi({ description: "0…1, by bytes of the file" }),
    rows_done: z.number(),
    created: z.number(),
    merged: z.number(),
    failed: z.number(),
    errors: z.array(z.object({ row: z.number(), reason: z.string() })).openapi({ description: "Row errors (the header is row 1), first 1000 kept" }),
    error: z.string().nullable(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi("ContactImport");

const Preview = z
  .object({
    dry_run: z.literal(true),
    columns: z.array(z.object({ header: z.string(), target: z.string(), new_field: z.boolean(), samples: z.array(z.string()) })),
    ignored_columns: z.array(z.string()),
    rows: z
      .array(z.object({ row: z.number(), ok: z.boolean(), reason: z.string().nullable(), name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable(), custom_fields: z.record(z.string(), z.union([z.string(), z.number()])) }))
      .openapi({ description: `The first ${PREVIEW_ROWS} rows in full` }),
    total_rows: z.number().openapi({ description: "Rows after the header, every row of the file read" }),
    ok_rows: z.number().openapi({ description: "Rows the import would create or merge" }),
    blank_rows: z.number(),
    problems: z.object(Object.fromEntries(ROW_PROBLEMS.map((p) => [p, z.number()])) as Record<RowProblem, z.ZodNumber>).openapi({ description: "Every problem counted over all rows" }),
    errors: z.array(z.object({ row: z.number(), reason: z.string() })).openapi({ description: `Row errors over the whole file (the header is row 1), the first ${PREVIEW_ERRORS}` }),
    file_error: z.string().nullable().openapi({ description: "Why the file cannot be imported at all (no header, too many rows, a runaway quoted row)" }),
  })
  .openapi("ContactImportPreview");

export const contactTransferApi = apiRouter();
contactTransferApi.use("/import", requireRole("admin"));
contactTransferApi.use("/imports/*", requireRole("admin"));
contactTransferApi.use("/export", requireRole("admin"));

contactTransferApi
  .openapi(
    createRoute({
      method: "post",
      path: "/import",
      tags: ["contacts"],
      summary: "Import contacts from a CSV (dry_run=true for a preview)",
      description: "Body: the CSV file itself (`Content-Type: text/csv`, with Content-Length, up to 20 MB / 100,000 rows).",
      security,
      request: { query: ImportQuery, body: { content: { "text/csv": { schema: z.string() } }, required: true } },
      responses: { 200: jsonContent(Preview, "Preview (dry run)"), 202: jsonContent(ImportStatus, "Import started"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const auth = c.var.auth;
      const type = (c.req.header("content-type") ?? "").toLowerCase();
      if (!type.startsWith("text/csv") && !type.startsWith("application/csv")) throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Send the file as Content-Type: text/csv");
      const length = Number(c.req.header("content-length") ?? "NaN");
      if (!Number.isFinite(length)) throw new ApiError(411, "LENGTH_REQUIRED", "Content-Length is required");
      if (length > MAX_IMPORT_BYTES) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `The file exceeds ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
      const body = c.req.raw.body;
      if (!body || length === 0) throw new ApiError(400, "EMPTY_FILE", "The file is empty");
      const db = database(c.env.DB);
      const businessId = auth.business.id;
      const opts = ImportOptions.parse({ mapping: q.mapping, create_fields: q.create_fields, label_ids: q.label_ids });
      const own = await ownLabelIds(db, businessId, opts.label_ids);
      if (own.length !== new Set(opts.label_ids).size) throw new ApiError(404, "LABEL_NOT_FOUND", "A label in label_ids does not exist");

      if (q.dry_run) {
        const p = await previewImport(body, opts, await listFields(db, businessId), auth.business.country, MAX_IMPORT_ROWS);
        if (p.columns.length === 0) throw new ApiError(400, "EMPTY_FILE", "The file has no header row");
        return c.json(
          {
            dry_run: true as const,
            columns: p.columns.map((col, i) => ({ header: col.header, target: col.target, new_field: col.newField, samples: p.samples.map((r) => r[i] ?? "") })),
            ignored_columns: p.columns.filter((col) => col.target === "ignore").map((col) => col.header),
            rows: p.rows,
            total_rows: p.totalRows,
            ok_rows: p.okRows,
            blank_rows: p.blankRows,
            problems: p.problems,
            errors: p.errors,
            file_error: p.fileError,
          },
          200,
        );
      }

      const id = crypto.randomUUID();
      await c.env.MEDIA.put(importFileKey(businessId, id), body, { httpMetadata: { contentType: "text/csv" } });
      const now = Date.now();
      const row = await db
        .insert(contactImports)
        .values({ id, businessId, createdBy: auth.user?.id ?? null, fileName: q.file_name ?? null, totalBytes: length, options: opts, updatedAt: now })
        .returning()
        .get();
      await c.env.CONTACT_IMPORT.get(c.env.CONTACT_IMPORT.idFromName(id)).start(id);
      return c.json(statusJson(row, []), 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/imports/{id}",
      tags: ["contacts"],
      summary: "Progress and row errors of an import",
      security,
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: jsonContent(ImportStatus), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const row = await db.select().from(contactImports).where(eq(contactImports.id, c.req.valid("param").id)).get();
      if (!row || row.businessId !== c.var.auth.business.id) throw notFound("Import");
      const errors = await db
        .select({ row: contactImportErrors.row, reason: contactImportErrors.reason })
        .from(contactImportErrors)
        .where(eq(contactImportErrors.importId, row.id))
        .orderBy(asc(contactImportErrors.row))
        .limit(1000)
        .all();
      return c.json(statusJson(row, errors), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/export",
      tags: ["contacts"],
      summary: "Contacts as CSV, with the list's filters (streamed)",
      security,
      request: { query: ContactFilterQuery },
      responses: { 200: { description: "CSV", content: { "text/csv": { schema: z.string() } } }, ...authErrors },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const business = c.var.auth.business;
      const filter = contactFilter(c, c.req.valid("query"));
      const fields = await listFields(db, business.id);
      const enc = new TextEncoder();
      let cursor: ContactCursor | undefined;
      let started = false;
      let finished = false;
      const date = (t: number | null) => {
        const w = t === null ? undefined : wallTime(t, business.timezone);
        return w ? formatWall(w, "YYYY-MM-DD HH:mm:ss", "id") : null;
      };
      const stream = new ReadableStream<Uint8Array>({
        async pull(ctl) {
          if (!started) {
            started = true;
            // A BOM so Excel reads UTF-8 names right.
            ctl.enqueue(enc.encode(`\ufeff${csvLine(["name", "phone", "email", "labels", ...fields.map((f) => f.key), "notes", "opted_out", "source", "created_at", "last_seen_at"])}`));
            return;
          }
          if (finished) return ctl.close();
          const page = await listContacts(db, business.id, business.country, filter, { sort: "created", limit: 500, cursor });
          const labels = await labelsOfContacts(
            db,
            page.items.map((i) => i.id),
          );
          const lines = page.items.map((k) =>
            csvLine([
              k.name,
              k.phone,
              k.email,
              (labels.get(k.id) ?? []).map((l) => l.name).join("; "),
              ...fields.map((f) => k.customFields[f.key] ?? null),
              k.notes,
              k.optedOut ? "yes" : "no",
              k.source,
              date(k.createdAt),
              date(k.lastSeenAt),
            ]),
          );
          ctl.enqueue(enc.encode(lines.join("")));
          if (page.next) cursor = page.next;
          else finished = true;
        },
      });
      const day = (date(Date.now()) ?? "").slice(0, 10);
      return new Response(stream, {
        headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="kontak-${day}.csv"`, "x-content-type-options": "nosniff" },
      });
    },
  );

function statusJson(r: typeof contactImports.$inferSelect, errors: { row: number; reason: string }[]): z.infer<typeof ImportStatus> {
  return {
    id: r.id,
    status: r.status,
    file_name: r.fileName,
    total_bytes: r.totalBytes,
    bytes_done: r.bytesDone,
    progress: r.totalBytes > 0 ? Math.min(1, r.bytesDone / r.totalBytes) : 0,
    rows_done: r.rowsDone,
    created: r.created,
    merged: r.merged,
    failed: r.failed,
    errors,
    error: r.error,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}
