// CSV import (dry-run preview, per-row errors, custom fields, labels, progress, resume after a restart) and
// the streamed export with the list's filters, in workerd with the real ContactImport Durable Object and R2.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CsvParser } from "../../worker/crm/csv";
import { importFileKey } from "../../worker/crm/import-run";
import { call, eventually, signup, type Tenant } from "./helpers";

function upload(t: Tenant, csv: string, query = "") {
  const bytes = new TextEncoder().encode(csv);
  return call(`/api/v1/contacts/import${query}`, { cookie: t.cookie, raw: csv, headers: { "content-type": "text/csv", "content-length": String(bytes.byteLength) } });
}

async function finished(t: Tenant, id: string) {
  return eventually(
    async () => {
      const r = await call(`/api/v1/contacts/imports/${id}`, { cookie: t.cookie });
      return r.body.status === "done" || r.body.status === "failed" ? r.body : null;
    },
    15_000,
    "import to finish",
  );
}

const CSV = [
  "Nama,No HP,Email,Kota Asal,Umur",
  "Andi,0812-1111-0001,andi@x.id,Bandung,30",
  'Budi "B",+62 812 1111 0002,,Jakarta,abc',
  "Citra,12,,Solo,22",
  "Dedi,62-812-1111-0001,,Medan,41",
  "Eka,,eka@x.id,Bogor,19",
  ",,,,",
  '"Fajar, S.E.",081211110006,,"Kota\nBaru",50',
].join("\r\n");

describe("contact import", () => {
  it("dry run: guesses the mapping from the headers and checks every row without writing", async () => {
    const t = await signup();
    await call("/api/v1/contact-fields", { cookie: t.cookie, json: { key: "umur", label: "Umur", type: "number" } });
    const r = await upload(t, CSV, "?dry_run=true");
    expect(r.status, r.text).toBe(200);
    expect(r.body.columns.map((c: any) => [c.header, c.target, c.new_field])).toEqual([
      ["Nama", "name", false],
      ["No HP", "phone", false],
      ["Email", "email", false],
      ["Kota Asal", "ignore", false],
      ["Umur", "custom:umur", false],
    ]);
    expect(r.body.ignored_columns).toEqual(["Kota Asal"]);
    expect(r.body.rows.map((x: any) => [x.row, x.ok, x.reason?.split(":")[0] ?? null])).toEqual([
      [2, true, null],
      [3, false, "wrong custom field value"],
      [4, false, "bad phone"],
      [5, false, "duplicate in the file (same as row 2)"],
      [6, true, null],
      [8, true, null],
    ]);
    // The same counts the import reports (see below): 3 good rows, one of each problem, the blank line apart.
    expect(r.body).toMatchObject({
      total_rows: 7,
      ok_rows: 3,
      blank_rows: 1,
      problems: { bad_phone: 1, bad_email: 0, no_phone_or_email: 0, bad_custom_field: 1, duplicate_in_file: 1 },
      file_error: null,
    });
    expect(r.body.errors.map((e: any) => e.row)).toEqual([3, 4, 5]);
    expect((await call("/api/v1/contacts", { cookie: t.cookie })).body.items).toEqual([]);
    // With create_fields the unmatched column would become a custom field.
    const withFields = await upload(t, CSV, "?dry_run=true&create_fields=true");
    expect(withFields.body.columns[3]).toMatchObject({ target: "custom:kota_asal", new_field: true });
  });

  it("dry run reads the whole file: problems far past the first rows are counted and listed by row", async () => {
    const t = await signup();
    const lines = ["nama,no hp,email"];
    for (let i = 0; i < 3000; i++) lines.push(`Orang ${i},0813${String(20000000 + i)},o${i}@x.id`);
    lines.push("Salah,12,", "Kembar,081320000007,", "Tanpa,,", "Surel,,bukan-email");
    const r = await upload(t, lines.join("\n"), "?dry_run=true");
    expect(r.status, r.text).toBe(200);
    expect(r.body.rows).toHaveLength(20);
    expect(r.body).toMatchObject({
      total_rows: 3004,
      ok_rows: 3000,
      problems: { bad_phone: 1, duplicate_in_file: 1, no_phone_or_email: 1, bad_email: 1, bad_custom_field: 0 },
    });
    expect(r.body.errors.map((e: any) => [e.row, e.reason.split(":")[0].split(" (")[0]])).toEqual([
      [3002, "bad phone"],
      [3003, "duplicate in the file"],
      [3004, "no phone or email"],
      [3005, "bad email"],
    ]);
    expect(r.body.errors[1].reason).toContain("row 9");
    expect((await call("/api/v1/contacts", { cookie: t.cookie })).body.items).toEqual([]);
  });

  it("imports good rows, merges duplicates of existing contacts, reports bad rows with their row number", async () => {
    const t = await signup();
    await call("/api/v1/contact-fields", { cookie: t.cookie, json: { key: "umur", label: "Umur", type: "number" } });
    const existing = await call("/api/v1/contacts", { cookie: t.cookie, json: { name: "Eka Lama", email: "eka@x.id" } });
    const lbl = (await call("/api/v1/labels", { cookie: t.cookie, json: { name: "Impor Desember" } })).body.id;
    const r = await upload(t, CSV, `?create_fields=true&label_ids=${lbl}&file_name=pelanggan.csv`);
    expect(r.status, r.text).toBe(202);
    const done = await finished(t, r.body.id);
    // Andi and Fajar are new, Eka merges into the existing contact; the blank line (row 7) is no error.
    expect(done).toMatchObject({ status: "done", progress: 1, rows_done: 7, created: 2, merged: 1, failed: 3, file_name: "pelanggan.csv" });
    expect(done.errors.map((e: any) => [e.row, e.reason.split(":")[0].split(" (")[0]])).toEqual([
      [3, "wrong custom field value"],
      [4, "bad phone"],
      [5, "duplicate in the file"],
    ]);
    expect(done.errors[2].reason).toContain("row 2");
    const list = (await call("/api/v1/contacts?sort=name", { cookie: t.cookie })).body.items;
    expect(list.map((c: any) => [c.name, c.phone, c.email, c.custom_fields, c.labels.map((l: any) => l.name)])).toEqual([
      ["Andi", "6281211110001", "andi@x.id", { kota_asal: "Bandung", umur: 30 }, ["Impor Desember"]],
      // The existing contact kept its name and took the file's fields.
      ["Eka Lama", null, "eka@x.id", { kota_asal: "Bogor", umur: 19 }, ["Impor Desember"]],
      ["Fajar, S.E.", "6281211110006", null, { kota_asal: "Kota\nBaru", umur: 50 }, ["Impor Desember"]],
    ]);
    expect(list[1].id).toBe(existing.body.id);
    const fields = (await call("/api/v1/contact-fields", { cookie: t.cookie })).body.items.map((f: any) => f.key);
    expect(fields).toEqual(["umur", "kota_asal"]);
    // The uploaded file does not outlive the import.
    expect(await env.MEDIA.head(importFileKey(t.businessId, r.body.id))).toBeNull();
  });

  it("resumes from its checkpoint after a restart: rows before it are not redone, rows after it get their right numbers", async () => {
    const t = await signup();
    const rows = ["nama;whatsapp"];
    for (let i = 0; i < 40; i++) rows.push(`Orang ${i};0813${String(20000000 + i)}`);
    rows[31] = "Rusak;999";
    const csv = rows.join("\n") + "\n";
    const bytes = new TextEncoder().encode(csv);
    // Where row 21 (20 data rows) ends, as the parser reports it: the checkpoint a first run would have left.
    const parsed = new CsvParser(";".charCodeAt(0)).push(bytes);
    const checkpoint = parsed[20]?.end ?? 0;
    const id = crypto.randomUUID();
    await env.MEDIA.put(importFileKey(t.businessId, id), bytes);
    await env.DB.prepare(
      "INSERT INTO contact_imports (id, business_id, status, total_bytes, options, bytes_done, rows_done, created, updated_at) VALUES (?, ?, 'running', ?, ?, ?, 20, 20, ?)",
    )
      .bind(id, t.businessId, bytes.byteLength, JSON.stringify({ mapping: {}, create_fields: false, label_ids: [], headers: ["nama", "whatsapp"], delimiter: 59 }), checkpoint, Date.now())
      .run();
    // The first run had written rows 2..21 — and row 22 too, after its last checkpoint, before dying.
    for (let i = 0; i <= 20; i++) await call("/api/v1/contacts", { cookie: t.cookie, json: { name: `Orang ${i}`, phone: `0813${20000000 + i}` } });
    await env.CONTACT_IMPORT.get(env.CONTACT_IMPORT.idFromName(id)).start(id);
    const done = await finished(t, id);
    expect(done).toMatchObject({ status: "done", rows_done: 40, created: 20 + 18, merged: 1, failed: 1 });
    expect(done.errors).toEqual([{ row: 32, reason: expect.stringContaining("bad phone") }]);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE business_id = ?").bind(t.businessId).first<{ n: number }>();
    expect(count?.n).toBe(39);
  });

  it("refuses what is not a CSV upload, an oversized one, and foreign labels", async () => {
    const t = await signup();
    expect((await call("/api/v1/contacts/import", { cookie: t.cookie, json: { a: 1 } })).status).toBe(415);
    const big = await call("/api/v1/contacts/import", { cookie: t.cookie, raw: "a", headers: { "content-type": "text/csv", "content-length": String(21 * 1024 * 1024) } });
    expect(big.status).toBe(413);
    const other = await signup("Toko Lain");
    const foreign = (await call("/api/v1/labels", { cookie: other.cookie, json: { name: "Punya orang" } })).body.id;
    const r = await upload(t, "nama,hp\nA,0812", `?label_ids=${foreign}`);
    expect(r.status).toBe(404);
    expect((await upload(t, "nama,hp\nA,0812", "?mapping=notjson")).body.error_code).toBe("VALIDATION_ERROR");
    const imp = await upload(t, "nama,hp\nA,081299990000\n");
    expect((await call(`/api/v1/contacts/imports/${imp.body.id}`, { cookie: other.cookie })).status).toBe(404);
  });
});

describe("contact export", () => {
  it("streams CSV with the list's filters; spreadsheet formulas are neutralised", async () => {
    const t = await signup();
    const vip = (await call("/api/v1/labels", { cookie: t.cookie, json: { name: "VIP" } })).body.id;
    await call("/api/v1/contact-fields", { cookie: t.cookie, json: { key: "kota", label: "Kota", type: "text" } });
    await call("/api/v1/contacts", { cookie: t.cookie, json: { name: "=HYPERLINK(\"x\")", phone: "081233330001", label_ids: [vip], custom_fields: { kota: "Depok" } } });
    await call("/api/v1/contacts", { cookie: t.cookie, json: { name: "Biasa", phone: "081233330002" } });
    const all = await call("/api/v1/contacts/export", { cookie: t.cookie });
    expect(all.status).toBe(200);
    expect(all.headers.get("content-type")).toContain("text/csv");
    const lines = all.text.replace(/^\ufeff/, "").trim().split("\r\n");
    expect(lines[0]).toBe("name,phone,email,labels,kota,notes,opted_out,source,created_at,last_seen_at");
    expect(lines).toHaveLength(3);
    const vipOnly = await call(`/api/v1/contacts/export?labels_any=${vip}`, { cookie: t.cookie });
    const vipLines = vipOnly.text.trim().split("\r\n");
    expect(vipLines).toHaveLength(2);
    expect(vipLines[1]).toMatch(/^"'=HYPERLINK\(""x""\)",6281233330001,,VIP,Depok,,no,manual,/);
    const q = await call("/api/v1/contacts/export?q=0002", { cookie: t.cookie });
    expect(q.text.trim().split("\r\n").slice(1).map((l) => l.split(",")[0])).toEqual(["Biasa"]);
  });
});
