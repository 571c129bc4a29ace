// Wall-clock dates in a business's time zone: the template `date` filter (DD MMM YYYY…) and day boundaries for filters.
const MONTHS = {
  id: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"],
  en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
} as const;
const MONTHS_SHORT = {
  id: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
  en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
} as const;
const DAYS = {
  id: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
  en: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
} as const;

export type DateLocale = "id" | "en";
type Wall = { y: number; mo: number; d: number; h: number; mi: number; s: number; wd: number };

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    if (formatters.size > 100) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

function weekday(y: number, mo: number, d: number): number {
  return new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
}

/**
 * The wall-clock time of a value. Epoch numbers (seconds or milliseconds) and ISO times with an offset are
 * converted to the time zone; an ISO time without an offset is taken as already local (Lynk's createdAt).
 */
export function wallTime(value: unknown, timeZone: string): Wall | undefined {
  let ms: number | undefined;
  if (typeof value === "number" || (typeof value === "string" && /^\d{9,13}$/.test(value))) {
    const n = Number(value);
    ms = n < 1e11 ? n * 1000 : n;
  } else if (typeof value === "string") {
    const naive = NAIVE.exec(value.trim());
    if (naive) {
      const [y, mo, d, h, mi, s] = naive.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
      if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
      return { y, mo, d, h, mi, s, wd: weekday(y, mo, d) };
    }
    if (value.length > 64) return undefined;
    const parsed = Date.parse(value);
    if (Number.isNaN(parsed)) return undefined;
    ms = parsed;
  }
  if (ms === undefined || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return { y: year, mo: month, d: day, h: hour, mi: minute, s: second, wd: weekday(year, month, day) };
}

const TOKENS = /\[([^\]]*)\]|YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|HH|H|mm|ss/g;
const pad = (n: number) => String(n).padStart(2, "0");

export function formatWall(w: Wall, format: string, locale: DateLocale): string {
  return format.replace(TOKENS, (tok, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (tok) {
      case "YYYY":
        return String(w.y);
      case "YY":
        return pad(w.y % 100);
      case "MMMM":
        return MONTHS[locale][w.mo - 1] ?? "";
      case "MMM":
        return MONTHS_SHORT[locale][w.mo - 1] ?? "";
      case "MM":
        return pad(w.mo);
      case "M":
        return String(w.mo);
      case "DD":
        return pad(w.d);
      case "D":
        return String(w.d);
      case "dddd":
        return DAYS[locale][w.wd] ?? "";
      case "ddd":
        return (DAYS[locale][w.wd] ?? "").slice(0, 3);
      case "HH":
        return pad(w.h);
      case "H":
        return String(w.h);
      case "mm":
        return pad(w.mi);
      default:
        return pad(w.s);
    }
  });
}

/** Epoch ms of 00:00 on a calendar date (YYYY-MM-DD) in a time zone; `endOfDay` gives 23:59:59.999. */
export function zonedDayBoundary(date: string, timeZone: string, endOfDay = false): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(guess)) return undefined;
  const w = wallTime(guess, timeZone);
  if (!w) return undefined;
  const offset = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - guess;
  return guess - offset + (endOfDay ? 86_400_000 - 1 : 0);
}
