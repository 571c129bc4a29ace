// Writes one batch of good import rows: one read for every contact sharing a phone or email with the batch,
// the merge planner per row (against those and the rows created earlier in the batch), then one D1 batch of
// inserts and updates. Idempotent by phone/email, so a batch redone after a crash merges instead of duplicating.
import { and, eq, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Known, planMerge } from "../crm/merge-plan";
import type { FieldValue } from "../crm/custom-fields";
import type { Db } from "./client";
import { type Contact } from "./contacts";
import { contacts } from "./schema";

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
