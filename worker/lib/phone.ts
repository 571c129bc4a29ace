// Phone numbers as customers type them (08…, +62 812-…, 62812…) → WhatsApp's international digits (62812…).
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/min";

export type PhoneResult = { ok: true; digits: string } | { ok: false; reason: string };

/**
 * Normalises a phone number for WhatsApp using the business's country for national forms.
 * Digits that already start with a country code (6281…) are accepted as international.
 */
export function normalizePhone(input: unknown, country = "ID"): PhoneResult {
  if (typeof input !== "string" && typeof input !== "number") return { ok: false, reason: "phone number is missing" };
  const raw = String(input).trim();
  if (raw === "") return { ok: false, reason: "phone number is empty" };
  if (raw.length > 40) return { ok: false, reason: "phone number is too long" };
  const cc: CountryCode = isSupportedCountry(country) ? country : "ID";
  const compact = raw.replace(/[\s\-().]/g, "");
  if (!/^\+?\d+$/.test(compact)) return { ok: false, reason: `"${raw}" is not a phone number` };
  const candidates = compact.startsWith("+")
    ? [compact]
    : compact.startsWith("00")
      ? [`+${compact.slice(2)}`]
      : compact.startsWith("0")
        ? [compact]
        : [`+${compact}`, compact];
  for (const c of candidates) {
    const parsed = parsePhoneNumberFromString(c, cc);
    if (parsed?.isPossible()) return { ok: true, digits: parsed.number.slice(1) };
  }
  return { ok: false, reason: `"${raw}" is not a valid phone number` };
}

/** WhatsApp JID for a normalised number or a group id. */
export function toJid(digitsOrGroup: string): string {
  return digitsOrGroup.includes("@") ? digitsOrGroup : `${digitsOrGroup}@s.whatsapp.net`;
}
