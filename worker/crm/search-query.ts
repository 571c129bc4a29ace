// What a user typed into the contacts search box → what to look for. Pure.
// A query of 4+ digits in any phone form (0812-3456…, +62 812…, 62-812…, or just 4567) searches the
// normalised phone anywhere in the number; anything else searches name and email. Both run on the
// trigram index (contacts_fts), so a substring costs an index lookup, not a scan.
import { getCountryCallingCode, isSupportedCountry } from "libphonenumber-js/min";

export type SearchTerms = { digits: string[] | null; text: string | null };

const PHONE_LIKE = /^[\s+\-().\d]+$/;

export function searchTerms(q: string, country = "ID"): SearchTerms {
  const s = q.trim().slice(0, 100);
  if (s === "") return { digits: null, text: null };
  if (PHONE_LIKE.test(s)) {
    const digits = s.replace(/\D/g, "");
    if (digits.length >= 4) {
      if (s.startsWith("+")) return { digits: [digits], text: null };
      if (digits.startsWith("00")) return { digits: [digits.slice(2), digits], text: null };
      // 0812… is the national form of 62812…; it may also be a piece from the middle of a number.
      if (digits.startsWith("0")) {
        const cc = isSupportedCountry(country) ? getCountryCallingCode(country) : "62";
        return { digits: [`${cc}${digits.slice(1)}`, digits], text: null };
      }
      return { digits: [digits], text: null };
    }
  }
  return { digits: null, text: s.toLowerCase() };
}

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The FTS5 MATCH expression, or null when the trigram index cannot help (fewer than 3 characters). */
export function ftsMatch(t: SearchTerms): string | null {
  if (t.digits) return `{phone} : (${t.digits.map(quote).join(" OR ")})`;
  if (t.text && [...t.text].length >= 3) return `{name email} : ${quote(t.text)}`;
  return null;
}
