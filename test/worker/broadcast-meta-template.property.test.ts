// The Meta template planner, pure: placeholders in send order, refusals, parameters flattened as Meta requires,
// and a resumed recipient's parameters read back from its stored text (whatever the contact says now).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keptValues, placeholdersOf, renderTemplate } from "../../worker/broadcasts/meta-template";

const PROMO = [
  { type: "HEADER", format: "TEXT", text: "Promo {{1}}" },
  { type: "BODY", text: "Halo {{1}}, ada diskon untuk warga {{2}}. Sampai jumpa, {{1}}!" },
  { type: "BUTTONS", buttons: [{ type: "URL", text: "Toko", url: "https://toko.example/" }] },
];

function plan(components: unknown[]) {
  const p = placeholdersOf(components);
  if (!p.ok) throw new Error(p.message);
  return p.value;
}

describe("Meta template placeholders", () => {
  it("orders numbered placeholders by number and named ones as written; refuses what contact fields cannot fill", () => {
    expect(plan([{ type: "BODY", text: "{{2}} lalu {{1}} dan {{10}}" }]).body).toEqual(["1", "2", "10"]);
    expect(plan([{ type: "BODY", text: "{{ nama }} di {{kota}}" }]).body).toEqual(["nama", "kota"]);
    expect(plan(PROMO)).toMatchObject({ header: ["1"], body: ["1", "2"] });
    for (const bad of [
      [{ type: "HEADER", format: "IMAGE" }, { type: "BODY", text: "x" }],
      [{ type: "BODY", text: "x" }, { type: "BUTTONS", buttons: [{ type: "URL", url: "https://t.example/{{1}}" }] }],
      [{ type: "BODY", text: "x" }, { type: "BUTTONS", buttons: [{ type: "COPY_CODE", example: "KODE" }] }],
      [{ type: "CAROUSEL", cards: [] }],
    ]) {
      expect(placeholdersOf(bad).ok).toBe(false);
    }
  });

  it("flattens values as Meta requires and falls back to defaults", () => {
    const p = plan(PROMO);
    const r = renderTemplate(p, { "1": { field: "name", default: "Kak" }, "2": { field: "kota", default: "kota Anda" } }, { "1": { text: "Desember" } }, { name: " Budi\n\tSantoso   Jr ", phone: null, customFields: {} });
    expect(r.components).toEqual([
      { type: "header", parameters: [{ type: "text", text: "Desember" }] },
      { type: "body", parameters: [{ type: "text", text: "Budi Santoso Jr" }, { type: "text", text: "kota Anda" }] },
    ]);
    expect(r.text).toBe("Promo Desember\nHalo Budi Santoso Jr, ada diskon untuk warga kota Anda. Sampai jumpa, Budi Santoso Jr!");
  });

  it("a stored text gives back the parameters it was rendered with, whatever the contact holds now", () => {
    const p = plan(PROMO);
    const body = { "1": { field: "name", default: "Kak" }, "2": { field: "kota", default: "kota Anda" } } as const;
    const header = { "1": { field: "bulan", default: "ini" } } as const;
    const value = fc.string({ minLength: 1, maxLength: 30 }).map((s) => s.replace(/[\n\r\t]/g, " ").replace(/ {2,}/g, " ").trim()).filter((s) => s.length > 0);
    fc.assert(
      fc.property(value, value, value, value, (name, kota, bulan, later) => {
        const first = renderTemplate(p, body, header, { name, phone: null, customFields: { kota, bulan } });
        const kept = keptValues(p, first.text);
        expect(kept).not.toBeNull();
        const again = renderTemplate(p, body, header, { name: later, phone: null, customFields: {} }, kept ?? undefined);
        // What the customer reads is the same; when no value holds the template's own words, so are the parameters.
        expect(again.text).toBe(first.text);
        if (![name, kota, bulan].some((v) => /Halo|ada diskon|Sampai jumpa|Promo|[,.!]/.test(v))) expect(again.components).toEqual(first.components);
      }),
    );
    expect(keptValues(p, "Some other text")).toBeNull();
  });
});
