// Who is this? From what one source says about a customer (an inbound message, a webhook event, the website
// chat's pre-chat form, an import row) and the contacts that share one of its keys, decide: create a
// contact, or update one — and whether a phone/email conflict must be listed for a human. Pure (no I/O),
// so the rules are property-tested (test/worker/crm-merge.property.test.ts) and the I/O lives in db/contacts.ts.
import type { ContactSource } from "../db/schema";

/** What a source tells us. `phone` is normalised digits (worker/lib/phone.ts), `email` lower-cased. */
export type Observation = {
  phone?: string | null;
  email?: string | null;
  /** `62…@s.whatsapp.net`, `…@lid` or `…@g.us`. An `@lid` is never a phone. */
  waJid?: string | null;
  webVisitorId?: string | null;
  name?: string | null;
  isGroup?: boolean;
  source: ContactSource;
  at: number;
};

/** The fields of a stored contact the planner looks at. */
export type Known = {
  id: string;
  phone: string | null;
  email: string | null;
  waJid: string | null;
  webVisitorId: string | null;
  name: string | null;
  firstSeenAt: number | null;
  lastSeenAt: number | null;
};

export type ContactValues = {
  phone: string | null;
  email: string | null;
  waJid: string | null;
  webVisitorId: string | null;
  name: string | null;
  isGroup: boolean;
  source: ContactSource;
  firstSeenAt: number;
  lastSeenAt: number;
};

export type Changes = Partial<Pick<Known, "phone" | "email" | "waJid" | "webVisitorId" | "name" | "firstSeenAt" | "lastSeenAt">>;

export type MergePlan =
  | { kind: "create"; values: ContactValues }
  | { kind: "update"; contactId: string; set: Changes; conflict: { otherContactId: string } | null }
  | { kind: "none" };

/** A phone is only ever taken from `phone` or from a `…@s.whatsapp.net` JID, never from an `@lid` or a group. */
export function phoneOfWaJid(jid: string): string | null {
  if (!jid.endsWith("@s.whatsapp.net")) return null;
  const user = jid.slice(0, jid.indexOf("@")).split(":")[0] ?? "";
  return /^\d{6,20}$/.test(user) ? user : null;
}

function clean(obs: Observation): Observation {
  const fromJid = obs.waJid ? phoneOfWaJid(obs.waJid) : null;
  const phone = obs.phone && /^\d{6,20}$/.test(obs.phone) ? obs.phone : fromJid;
  // One JID per phone: a device suffix (`62…:7@s.whatsapp.net`) is dropped.
  const waJid = fromJid ? `${fromJid}@s.whatsapp.net` : (obs.waJid ?? (phone && !obs.isGroup ? `${phone}@s.whatsapp.net` : null));
  return {
    ...obs,
    phone: obs.isGroup ? null : phone,
    email: obs.email ? obs.email.trim().toLowerCase() || null : null,
    waJid,
    name: obs.name?.trim() || null,
  };
}

/** Keys of an observation, for the candidate query. */
export function lookupKeys(obs: Observation): { phone: string | null; email: string | null; waJid: string | null; webVisitorId: string | null } {
  const c = clean(obs);
  return { phone: c.phone ?? null, email: c.email ?? null, waJid: c.waJid ?? null, webVisitorId: c.webVisitorId ?? null };
}

/**
 * Phone first, then the identifiers (WhatsApp JID, web visitor), then email. When the phone names one
 * contact and the email another, the phone wins and the pair is a conflict for a human.
 */
export function planMerge(raw: Observation, candidates: readonly Known[]): MergePlan {
  const obs = clean(raw);
  const by = (f: (k: Known) => boolean) => candidates.find(f);
  const byPhone = obs.phone ? by((k) => k.phone === obs.phone) : undefined;
  const byJid = obs.waJid ? by((k) => k.waJid === obs.waJid) : undefined;
  const byVisitor = obs.webVisitorId ? by((k) => k.webVisitorId === obs.webVisitorId) : undefined;
  const byEmail = obs.email ? by((k) => k.email === obs.email) : undefined;
  const target = byPhone ?? byJid ?? byVisitor ?? byEmail;
  if (!target) {
    if (!obs.phone && !obs.email && !obs.waJid && !obs.webVisitorId) return { kind: "none" };
    return {
      kind: "create",
      values: {
        phone: obs.phone ?? null,
        email: obs.email ?? null,
        waJid: obs.waJid ?? null,
        webVisitorId: obs.webVisitorId ?? null,
        name: obs.name ?? null,
        isGroup: obs.isGroup ?? false,
        source: obs.source,
        firstSeenAt: obs.at,
        lastSeenAt: obs.at,
      },
    };
  }
  const conflict = byEmail && byEmail.id !== target.id && (byPhone ?? byJid) === target ? { otherContactId: byEmail.id } : null;
  // A key another contact already holds is never copied (each is unique per business, or — email — conflicting).
  const holder = (f: (k: Known) => boolean) => candidates.some((k) => k.id !== target.id && f(k));
  const set: Changes = {};
  if (!target.phone && obs.phone && !holder((k) => k.phone === obs.phone)) set.phone = obs.phone;
  if (!target.email && obs.email && !conflict && !holder((k) => k.email === obs.email)) set.email = obs.email;
  if (!target.waJid && obs.waJid && !holder((k) => k.waJid === obs.waJid)) set.waJid = obs.waJid;
  if (!target.webVisitorId && obs.webVisitorId && !holder((k) => k.webVisitorId === obs.webVisitorId)) set.webVisitorId = obs.webVisitorId;
  // A name a person typed (or an earlier source gave) is kept; a source only fills an empty one.
  if (!target.name && obs.name) set.name = obs.name;
  if (target.firstSeenAt === null || obs.at < target.firstSeenAt) set.firstSeenAt = obs.at;
  if (target.lastSeenAt === null || obs.at > target.lastSeenAt) set.lastSeenAt = obs.at;
  return { kind: "update", contactId: target.id, set, conflict };
}

/** The result of merging `other` into `keep` by hand: keep's values win, other's fill the gaps. */
export function planManualMerge(
  keep: Known & { customFields: Record<string, string | number>; notes: string | null },
  other: Known & { customFields: Record<string, string | number>; notes: string | null },
): Changes & { customFields: Record<string, string | number>; notes: string | null } {
  const min = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
  const max = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  const notes = [keep.notes, other.notes].filter((n): n is string => !!n && n.trim() !== "");
  return {
    phone: keep.phone ?? other.phone,
    email: keep.email ?? other.email,
    waJid: keep.waJid ?? other.waJid,
    webVisitorId: keep.webVisitorId ?? other.webVisitorId,
    name: keep.name ?? other.name,
    firstSeenAt: min(keep.firstSeenAt, other.firstSeenAt),
    lastSeenAt: max(keep.lastSeenAt, other.lastSeenAt),
    customFields: { ...other.customFields, ...keep.customFields },
    notes: notes.length > 0 ? notes.join("\n\n") : null,
  };
}
