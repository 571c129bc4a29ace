// Writes one batch of good import rows: one read for every contact sharing a phone or email with the batch,
// the merge planner per row (against those and the rows created earlier in the batch), then one D1 batch of
// inserts and updates. Idempotent by phone/email, so a batch redone after a crash merges instead of duplicating.
import { and, desc, eq, inArray, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Known, planMerge } from "../crm/merge-plan";
import type { FieldValue } from "../crm/custom-fields";
import type { Db } from "./client";
import { type Contact } from "./contacts";
import { contactImportContacts, contactImports, contacts } from "./schema";

export type ImportRow = { name: string | null; phone: string | null; email: string | null; notes: string | null; custom: Record<string, FieldValue> };

/** Rows per batch: one candidate read (keys passed as one JSON parameter) and one D1 batch of writes each. */
export const IMPORT_BATCH = 500;

export async function writeImportBatch(db: Db, businessId: string, rows: ImportRow[], now: number): Promise<{ created: number; merged: number; ids: string[] }> {
  const phones = rows.map((r) => r.phone).filter((p): p is string => p !== null);
  const emails = rows.map((r) => r.email).filter((e): e is string => e !== null);
  const found: (Known & { notes: string | null })[] =
    phones.length + emails.length === 0
      ? []
      : await db
          .select()
          .from(contacts)
          // json_each: any number of keys in one bound parameter (D1 binds at most 100).
          .where(
            and(
              eq(contacts.businessId, businessId),
              or(
                phones.length ? sql`${contacts.phone} IN (SELECT value FROM json_each(${JSON.stringify(phones)}))` : undefined,
                emails.length ? sql`${contacts.email} IN (SELECT value FROM json_each(${JSON.stringify(emails)}))` : undefined,
              ),
            ),
          )
          .all();
  const stmts: BatchItem<"sqlite">[] = [];
  const ids: string[] = [];
  let created = 0;
  let merged = 0;
  for (const r of rows) {
    const plan = planMerge({ phone: r.phone, email: r.email, name: r.name, source: "import", at: now }, found);
    if (plan.kind === "none") continue;
    if (plan.kind === "create") {
      const id = crypto.randomUUID();
      const row: Contact = {
        id,
        businessId,
        ...plan.values,
        customFields: r.custom,
        notes: r.notes,
        optedOut: false,
        optedOutAt: null,
        optedOutReason: null,
        onWhatsapp: "unknown",
        archived: false,
        createdAt: now,
        updatedAt: now,
      };
      stmts.push(db.insert(contacts).values(row).onConflictDoNothing());
      found.push(row);
      ids.push(id);
      created++;
    } else {
      const target = found.find((f) => f.id === plan.contactId);
      Object.assign(target ?? {}, plan.set);
      stmts.push(
        db
          .update(contacts)
          .set({
            ...plan.set,
            // The file's custom field values win for the columns it has; notes only fill an empty one.
            customFields: sql`json_patch(${contacts.customFields}, ${JSON.stringify(r.custom)})`,
            notes: sql`coalesce(${contacts.notes}, ${r.notes})`,
            updatedAt: now,
          })
          .where(and(eq(contacts.businessId, businessId), eq(contacts.id, plan.contactId))),
      );
      ids.push(plan.contactId);
      merged++;
    }
  }
  const [first, ...rest] = stmts;
  if (first) await db.batch([first, ...rest]);
  return { created, merged, ids: [...new Set(ids)] };
}

/** Remembers which contacts an import's rows wrote (a broadcast audience can be "this file"); redoing adds nothing. */
export async function recordImportContacts(db: Db, importId: string, contactIds: string[]): Promise<void> {
  if (contactIds.length === 0) return;
  await db.run(
    sql`INSERT INTO contact_import_contacts (import_id, contact_id) SELECT ${importId}, value FROM json_each(${JSON.stringify(contactIds)}) WHERE true ON CONFLICT DO NOTHING`,
  );
}

/** Which of `ids` are finished imports of the business. */
export async function doneImportIds(db: Db, businessId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: contactImports.id })
    .from(contactImports)
    .where(and(eq(contactImports.businessId, businessId), eq(contactImports.status, "done"), inArray(contactImports.id, ids)))
    .all();
  return rows.map((r) => r.id);
}

/** The business's finished imports, newest first (the broadcast audience picker). */
export async function listDoneImports(db: Db, businessId: string, limit: number): Promise<{ id: string; fileName: string | null; created: number; merged: number; createdAt: number }[]> {
  return db
    .select({ id: contactImports.id, fileName: contactImports.fileName, created: contactImports.created, merged: contactImports.merged, createdAt: contactImports.createdAt })
    .from(contactImports)
    .where(and(eq(contactImports.businessId, businessId), eq(contactImports.status, "done")))
    .orderBy(desc(contactImports.createdAt))
    .limit(limit)
    .all();
}
