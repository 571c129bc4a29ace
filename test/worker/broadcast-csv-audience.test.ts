// A broadcast to the rows of an uploaded CSV, through the CRM import: the import's custom columns become custom
// fields usable as variables, a row merging into an existing contact counts once, opted-out rows are skipped,
// and an import of another business (or one not finished) is refused.
import { describe, expect, it } from "vitest";
import { draft, drive, setup } from "./broadcast-fixtures";
import { call, eventually, signup, type Tenant } from "./helpers";

async function importCsv(t: Tenant, csv: string): Promise<string> {
  const r = await call("/api/v1/contacts/import?create_fields=true&file_name=promo.csv", {
    cookie: t.cookie,
    raw: csv,
    headers: { "content-type": "text/csv", "content-length": String(new TextEncoder().encode(csv).byteLength) },
  });
  expect(r.status, r.text).toBe(202);
  await eventually(async () => (await call(`/api/v1/contacts/imports/${r.body.id}`, { cookie: t.cookie })).body.status === "done", 15_000, "import done");
  return r.body.id;
}

// Budi's number in another format (merges into Budi), Gita's (opted out), two new people, one without a city.
const CSV = ["nama;no hp;kota", "Budi S;+62 811-111-111;Bandung", "Rina;0819 0000 0001;Solo", "Tono;0819-0000-0002;", "Gita;0817777777;Medan"].join("\n");

describe("CSV audience", () => {
  it("sends to the file's rows with its columns as variables, a row of an existing contact merged into it, skip reasons", async () => {
    const t = await setup();
    const importId = await importCsv(t, CSV);
    const audience = { import_ids: [importId] };
    const count = await call("/api/v1/broadcasts/audience-count", { cookie: t.cookie, json: audience });
    expect(count.body).toEqual({ total: 4, sendable: 3, skipped_reasons: { opted_out: 1 } });
    const message = { texts: ["Halo {name} di {kota}!"], variable_defaults: { kota: "kota Anda" } };
    const preview = await call("/api/v1/broadcasts/preview", { cookie: t.cookie, json: { message, audience, n: 3 } });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.items.map((i: { text: string }) => i.text).sort()).toEqual(["Halo Budi di Bandung!", "Halo Rina di Solo!", "Halo Tono di kota Anda!"]);

    const b = await draft(t, { message, audience });
    expect((await call(`/api/v1/broadcasts/${b.id}/start`, { cookie: t.cookie, json: {} })).status).toBe(200);
    const done = await drive(t, b.id);
    expect(done.progress).toMatchObject({ total: 4, skipped: 1, skipped_reasons: { opted_out: 1 } });
    expect(done.progress.sent + done.progress.delivered + done.progress.read).toBe(3);
    const rows = (await call(`/api/v1/broadcasts/${b.id}/recipients`, { cookie: t.cookie })).body.items as { contact_id: string; text: string | null; phone: string }[];
    expect(rows.find((r) => r.contact_id === t.ids.budi)?.text).toBe("Halo Budi di Bandung!");
    expect(rows.map((r) => r.phone).sort()).toEqual(["62811111111", "62817777777", "6281900000001", "6281900000002"]);
  });

  it("refuses another business's import and a malformed id", async () => {
    const t = await setup();
    const other = await signup("Toko Lain");
    const foreign = await importCsv(other, "nama,no hp\nAni,081900000009\n");
    const r = await call("/api/v1/broadcasts", {
      cookie: t.cookie,
      json: { name: "x", device_key: t.deviceKey, message: { texts: ["{Halo|Hai} {name}"], variable_defaults: { name: "Kak" } }, audience: { import_ids: [foreign] } },
    });
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe("UNKNOWN_IMPORT");
    // The count of a foreign import finds nobody (every query is scoped by business).
    expect((await call("/api/v1/broadcasts/audience-count", { cookie: t.cookie, json: { import_ids: [foreign] } })).body.total).toBe(0);
    expect((await call("/api/v1/broadcasts/audience-count", { cookie: t.cookie, json: { import_ids: ["nope"] } })).status).toBe(400);
  });
});
