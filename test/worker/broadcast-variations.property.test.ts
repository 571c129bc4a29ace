// Properties of the pure broadcast text machinery: spintax parsing, determinism per recipient, no two consecutive
// recipients byte-identical when the message can vary, variables with defaults, and the schedule's window/days.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkMessage, varsOf } from "../../worker/broadcasts/message";
import { msUntilSendable } from "../../worker/broadcasts/schedule";
import { parseVariations, pickText, variantCount } from "../../worker/broadcasts/variations";

const alts = (texts: string[]) => {
  const c = checkMessage({ texts, variable_defaults: { kota: "kota Anda" } }, new Set(["kota"]));
  if (!c.ok) throw new Error(c.message);
  return c.alternatives;
};
const noVars = () => "";

describe("spintax", () => {
  it("parses options, nesting and variables; rejects unbalanced braces", () => {
    expect(parseVariations("{Halo|Hai} {name}!").ok).toBe(true);
    expect(parseVariations("{Halo|Hai {kak|bos}} ya").ok).toBe(true);
    expect(parseVariations("{Halo|Hai").ok).toBe(false);
    expect(parseVariations("Halo}").ok).toBe(false);
    expect(parseVariations("{bukan variabel}").ok).toBe(false);
    expect(variantCount(alts(["{Halo|Hai|Selamat pagi} {a|b}", "Promo"]))).toBe(7);
  });

  it("the text of a recipient depends only on the broadcast, the recipient and the previous text", () => {
    const a = alts(["{Halo|Hai|Selamat pagi} {name}, {promo|diskon} {hari ini|minggu ini}!"]);
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.option(fc.string()), (b, r, prev) => {
        const vars = varsOf({ name: "Budi", customFields: {} }, {});
        expect(pickText(a, b, r, vars, prev)).toBe(pickText(a, b, r, vars, prev));
      }),
    );
  });

  it("no two consecutive recipients get byte-identical text when there are ≥ 2 variants", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.array(fc.uuid(), { minLength: 2, maxLength: 200 }), fc.constantFrom(["{Halo|Hai} kak"], ["Promo A", "Promo B"], ["{Halo|Hai|Pagi} {a|b}"]), (b, recipients, texts) => {
        const a = alts([...texts]);
        let prev: string | null = null;
        for (const r of recipients) {
          const t = pickText(a, b, r, noVars, prev);
          expect(t).not.toBe(prev);
          prev = t;
        }
      }),
    );
  });

  it("spreads recipients across the variants", () => {
    const a = alts(["{Halo|Hai|Selamat pagi} kak"]);
    const seen = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const t = pickText(a, "b1", `r${i}`, noVars, null);
      seen.set(t, (seen.get(t) ?? 0) + 1);
    }
    expect(seen.size).toBe(3);
    for (const n of seen.values()) expect(n).toBeGreaterThan(120);
  });

  it("variables: the contact's value, else the default, else nothing (tidied)", () => {
    const a = alts(["Halo {name}, ada promo di {kota}."]);
    expect(pickText(a, "b", "r", varsOf({ name: "Sari", customFields: { kota: "Bandung" } }, { kota: "kota Anda" }), null)).toBe("Halo Sari, ada promo di Bandung.");
    expect(pickText(a, "b", "r", varsOf({ name: null, customFields: {} }, { kota: "kota Anda" }), null)).toBe("Halo, ada promo di kota Anda.");
    const unknown = checkMessage({ texts: ["Halo {alamat}"], variable_defaults: {} }, new Set());
    expect(unknown).toMatchObject({ ok: false, code: "UNKNOWN_VARIABLE" });
  });
});

describe("schedule", () => {
  const tz = "Asia/Jakarta";
  // 2026-12-07 is a Monday; 03:00 UTC = 10:00 WIB.
  const mon10 = Date.UTC(2026, 11, 7, 3, 0);
  const all = { start_at: null, window_start: "08:00", window_end: "21:00", days: [1, 2, 3, 4, 5, 6, 7] };
  it("inside the window and on an allowed day: now", () => {
    expect(msUntilSendable(mon10, all, tz)).toBe(0);
  });
  it("after the window: the next opening at 08:00 WIB", () => {
    const mon22 = Date.UTC(2026, 11, 7, 15, 0);
    expect(mon22 + msUntilSendable(mon22, all, tz)).toBe(Date.UTC(2026, 11, 8, 1, 0));
  });
  it("a day not allowed: the next allowed day's opening", () => {
    const weekendsOnly = { ...all, days: [6, 7] };
    expect(mon10 + msUntilSendable(mon10, weekendsOnly, tz)).toBe(Date.UTC(2026, 11, 12, 1, 0));
  });
  it("a start time in the future is honoured", () => {
    const later = mon10 + 3_600_000;
    expect(msUntilSendable(mon10, { ...all, start_at: later }, tz)).toBe(3_600_000);
  });
});
