// The contacts list: search (trigram index), label filters (all of / any of / none of), opted out,
// archived, custom field values, source; three sorts with keyset cursors. Used by the list API, the
// export, bulk actions by filter, and the dashboard.
import { and, asc, desc, eq, gt, lt, or, type SQL, sql } from "drizzle-orm";
import { ftsMatch, type SearchTerms, searchTerms } from "../crm/search-query";
import type { Db } from "./client";
import type { Contact } from "./contacts";
import { type ContactSource, contactLabels, contacts } from "./schema";

export const CONTACT_SORTS = ["recent", "created", "name"] as const;
export type ContactSort = (typeof CONTACT_SORTS)[number];

export type ContactFilter = {
  q?: string;
  labelsAll?: string[];
  labelsAny?: string[];
  labelsNone?: string[];
  optedOut?: boolean;
  /** Default false: archived contacts are hidden unless asked for. */
  archived?: boolean;
  source?: ContactSource;
  /** Custom field key → value (exact; numbers compare as numbers). */
  fields?: Record<string, string>;
};

/** Where the next page starts: the sort key and the id of the last row. */
export type ContactCursor = { k: string | number; id: string };

export function encodeContactCursor(c: ContactCursor): string {
  return btoa(unescape(encodeURIComponent(JSON.stringify([c.k, c.id])))).replaceAll("=", "");
}

export function decodeContactCursor(raw: string | undefined): ContactCursor | null | undefined {
  if (!raw) return undefined;
  try {
    const v: unknown = JSON.parse(decodeURIComponent(escape(atob(raw))));
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === "string" || typeof v[0] === "number") && typeof v[1] === "string") return { k: v[0], id: v[1] };
  } catch {
    // fall through
  }
  return null;
}

const FIELD_KEY = /^[a-z0-9_]{1,40}$/;

/** `businessIndex: false` keeps the business filter off its indexes (unary +), for a query another index drives. */
export function contactWhere(businessId: string, f: ContactFilter, country: string, businessIndex = true): SQL | undefined {
  const parts: (SQL | undefined)[] = [businessIndex ? eq(contacts.businessId, businessId) : sql`+${contacts.businessId} = ${businessId}`, eq(contacts.archived, f.archived ?? false)];
  if (f.q) {
    const terms = searchTerms(f.q, country);
    const match = ftsMatch(terms);
    if (match) parts.push(sql`${contacts}.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ${match})`);
    else if (terms.text) parts.push(sql`(lower(${contacts.name}) LIKE ${`${terms.text.replace(/[%_\\]/g, "\\$&")}%`} ESCAPE '\\')`);
  }
  if (f.optedOut !== undefined) parts.push(eq(contacts.optedOut, f.optedOut));
  if (f.source) parts.push(eq(contacts.source, f.source));
  const all = f.labelsAll ?? [];
  if (all.length > 0) {
    parts.push(
      sql`${contacts.id} IN (SELECT ${contactLabels.contactId} FROM ${contactLabels} WHERE ${contactLabels.labelId} IN ${all} GROUP BY ${contactLabels.contactId} HAVING count(*) = ${new Set(all).size})`,
    );
  }
  if ((f.labelsAny ?? []).length > 0) {
    parts.push(sql`EXISTS (SELECT 1 FROM ${contactLabels} WHERE ${contactLabels.contactId} = ${contacts.id} AND ${contactLabels.labelId} IN ${f.labelsAny})`);
  }
  if ((f.labelsNone ?? []).length > 0) {
    parts.push(sql`NOT EXISTS (SELECT 1 FROM ${contactLabels} WHERE ${contactLabels.contactId} = ${contacts.id} AND ${contactLabels.labelId} IN ${f.labelsNone})`);
  }
  for (const [key, value] of Object.entries(f.fields ?? {})) {
    if (!FIELD_KEY.test(key)) continue;
    const path = `$.${key}`;
    const n = Number(value);
    parts.push(
      value.trim() !== "" && Number.isFinite(n)
        ? sql`(json_extract(${contacts.customFields}, ${path}) = ${n} OR json_extract(${contacts.customFields}, ${path}) = ${value})`
        : sql`json_extract(${contacts.customFields}, ${path}) = ${value}`,
    );
  }
  return and(...parts);
}

function sortOf(sort: ContactSort) {
  if (sort === "name") return { col: sql`coalesce(${contacts.name}, '')`, dir: "asc" as const, key: (c: Contact) => c.name ?? "" };
  if (sort === "created") return { col: sql`${contacts.createdAt}`, dir: "desc" as const, key: (c: Contact) => c.createdAt };
  return { col: sql`${contacts.updatedAt}`, dir: "desc" as const, key: (c: Contact) => c.updatedAt };
}

/** Newest contacts (of the other filters) a search reads straight before it asks the trigram index. */
export const SEARCH_WINDOW = 1000;
/** Index hits (over all businesses) taken in the first round trip; a term with more needs a second. */
const INDEX_BOUND = 2000;

/** The term as a plain substring test on the row (what contacts_fts finds; ASCII case-folding). */
function substringWhere(terms: SearchTerms): SQL | null {
  if (terms.digits) return or(...terms.digits.map((d) => sql`instr(coalesce(${contacts.phone}, ''), ${d}) > 0`)) ?? null;
  if (terms.text && [...terms.text].length >= 3) return sql`(instr(lower(coalesce(${contacts.name}, '')), ${terms.text}) > 0 OR instr(coalesce(${contacts.email}, ''), ${terms.text}) > 0)`;
  return null;
}

type Page = { items: Contact[]; next: ContactCursor | null };

/**
 * A search in the default (recent) order, planned by how common the term is in this business, which SQLite
 * cannot know (the trigram index spans every business): a common term ("budi" in every fifth contact) is
 * found within the newest rows, so walking the recent index with a substring test stops after a page; a
 * rare one (5 digits of a phone) is a handful of index hits, so the index drives. First the newest
 * SEARCH_WINDOW rows are tested; if they hold a full page, that page is exact (every later match is older);
 * if the window held every row, so is a short page; only otherwise does the trigram index drive the query
 * (the business filter kept off its own index with unary +, so SQLite looks up the few hits by rowid).
 * Phone digits need both: "0812" is in most Indonesian numbers, five digits from the middle in a handful.
 */
async function searchRecent(db: Db, base: SQL | undefined, unindexed: SQL | undefined, match: string, substr: SQL | null, limit: number): Promise<Contact[]> {
  const order = [desc(contacts.updatedAt), desc(contacts.id)];
  const byIndex = () =>
    db
      .select()
      .from(contacts)
      .where(and(unindexed, sql`${contacts}.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ${match})`))
      .orderBy(...order)
      .limit(limit)
      .all();
  if (!substr) return byIndex();
  const windowIds = sql`SELECT rid FROM (SELECT rowid AS rid, ${contacts.name}, ${contacts.email}, ${contacts.phone}, ${contacts.updatedAt}, ${contacts.id} FROM ${contacts} WHERE ${base} ORDER BY ${contacts.updatedAt} DESC, ${contacts.id} DESC LIMIT ${SEARCH_WINDOW}) AS ${contacts} WHERE ${substr} LIMIT ${limit}`;
  // The index's answer too, bounded, in the same round trip: exact whenever the term has few matches overall.
  const bounded = sql`(SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ${match} LIMIT ${INDEX_BOUND + 1})`;
  const [hits, seen, indexed, found] = await db.batch([
    db.select().from(contacts).where(sql`${contacts}.rowid IN (${windowIds})`).orderBy(...order).limit(limit),
    db.select({ n: sql<number>`count(*)` }).from(sql`(SELECT 1 FROM ${contacts} WHERE ${base} LIMIT ${SEARCH_WINDOW})`),
    db.select().from(contacts).where(and(unindexed, sql`${contacts}.rowid IN ${bounded}`)).orderBy(...order).limit(limit),
    db.select({ n: sql<number>`count(*)` }).from(sql`${bounded}`),
  ]);
  if (hits.length >= limit || (seen[0]?.n ?? 0) < SEARCH_WINDOW) return hits;
  if ((found[0]?.n ?? 0) <= INDEX_BOUND) return indexed;
  // Common over all businesses, rare in this one's newest rows: the whole index answer (a second round trip).
  return byIndex();
}

export async function listContacts(
  db: Db,
  businessId: string,
  country: string,
  f: ContactFilter,
  opts: { sort: ContactSort; limit: number; cursor?: ContactCursor },
): Promise<{ items: Contact[]; next: ContactCursor | null }> {
  const s = sortOf(opts.sort);
  const c = opts.cursor;
  const after = c
    ? s.dir === "asc"
      ? or(gt(s.col, c.k), and(eq(s.col, c.k), gt(contacts.id, c.id)))
      : or(lt(s.col, c.k), and(eq(s.col, c.k), lt(contacts.id, c.id)))
    : undefined;
  const terms = f.q ? searchTerms(f.q, country) : null;
  const match = terms ? ftsMatch(terms) : null;
  const substr = terms ? substringWhere(terms) : null;
  const rows =
    opts.sort === "recent" && match
      ? await searchRecent(
          db,
          and(contactWhere(businessId, { ...f, q: undefined }, country), after),
          and(contactWhere(businessId, { ...f, q: undefined }, country, false), after),
          match,
          substr,
          opts.limit + 1,
        )
      : await db
          .select()
          .from(contacts)
          .where(and(contactWhere(businessId, f, country), after))
          .orderBy(...(s.dir === "asc" ? [asc(s.col), asc(contacts.id)] : [desc(s.col), desc(contacts.id)]))
          .limit(opts.limit + 1)
          .all();
  const items = rows.slice(0, opts.limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > opts.limit && last ? { k: s.key(last), id: last.id } : null };
}

export async function countContacts(db: Db, businessId: string, country: string, f: ContactFilter): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(contacts)
    .where(contactWhere(businessId, f, country))
    .get();
  return row?.n ?? 0;
}
