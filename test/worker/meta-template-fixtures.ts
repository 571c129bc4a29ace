// Shared setup of the Meta template tests: a cloud_api device against the local Graph server (with a WhatsApp
// Business Account id), and templates in Meta's documented shape that the local server serves for that account.
import { expect } from "vitest";
import { call, createDevice, type Tenant } from "./helpers";
import { LOCAL_GRAPH_TOKEN, servers } from "./servers";

export const PHONE_NUMBER_ID = "200000000000001";

/** A fresh account id per test, so tests never see each other's templates on the shared local server. */
export const newWaba = () => `1${Math.floor(Math.random() * 1e14).toString().padStart(14, "0")}`;

export async function cloudDevice(t: Tenant, waba: string | null, token = LOCAL_GRAPH_TOKEN) {
  const d = await createDevice(t, "cloud_api");
  await configure(t, d.device_key, waba, token);
  await call(`/api/v1/devices/${d.device_key}`, { method: "PATCH", json: { settings: { pacing_enabled: false } }, cookie: t.cookie });
  return d.device_key as string;
}

/** (Re)sets a cloud_api device's credentials. */
export async function configure(t: Tenant, deviceKey: string, waba: string | null, token = LOCAL_GRAPH_TOKEN) {
  const cfg = {
    phone_number_id: PHONE_NUMBER_ID,
    access_token: token,
    graph_api_base: `${servers().local}/graph`,
    app_secret: "app-secret-for-tests",
    verify_token: "verify-token-for-tests",
    ...(waba ? { waba_id: waba } : {}),
  };
  const put = await call(`/api/v1/devices/${deviceKey}/cloud-api`, { method: "PUT", json: cfg, cookie: t.cookie });
  expect(put.status, put.text).toBe(200);
}

/** What the local Graph server lists for an account (PUT replaces it). */
export async function serveTemplates(waba: string, templates: Record<string, unknown>[]) {
  const r = await fetch(`${servers().local}/_meta_templates/${waba}`, { method: "PUT", body: JSON.stringify(templates) });
  expect(r.status).toBe(200);
}

export const PROMO = {
  id: "1001",
  name: "promo_desember",
  language: "id",
  status: "APPROVED",
  category: "MARKETING",
  components: [
    { type: "HEADER", format: "TEXT", text: "Promo {{1}}", example: { header_text: ["Desember"] } },
    { type: "BODY", text: "Halo {{1}}, ada diskon untuk warga {{2}}. Balas STOP untuk berhenti.", example: { body_text: [["Budi", "Bandung"]] } },
    { type: "FOOTER", text: "Toko Maju" },
    { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Mau" }] },
  ],
};

/** A broadcast or campaign message sending PROMO: `{{1}}` the contact's name, `{{2}}` the custom field `kota`. */
export const PROMO_MESSAGE = {
  type: "meta_template",
  name: "promo_desember",
  language: "id",
  variables: { "1": { field: "name", default: "Kak" }, "2": { field: "kota", default: "kota Anda" } },
  header_variables: { "1": { text: "Desember" } },
};
export const NAMED = {
  id: "1002",
  name: "sapa_nama",
  language: "id",
  status: "APPROVED",
  category: "MARKETING",
  parameter_format: "NAMED",
  components: [{ type: "BODY", text: "Hai {{first_name}}, stok baru sudah datang!", example: { body_text_named_params: [{ param_name: "first_name", example: "Sari" }] } }],
};
export const IMAGE_HEADER = {
  id: "1003",
  name: "promo_gambar",
  language: "id",
  status: "APPROVED",
  category: "MARKETING",
  components: [{ type: "HEADER", format: "IMAGE", example: { header_handle: ["4::aW..."] } }, { type: "BODY", text: "Lihat promo kami" }],
};
export const PENDING = { id: "1004", name: "menunggu", language: "id", status: "PENDING", category: "MARKETING", components: [{ type: "BODY", text: "Halo {{1}}" }] };
export const REJECTED = { id: "1005", name: "ditolak", language: "en_US", status: "REJECTED", category: "MARKETING", components: [{ type: "BODY", text: "Hello" }] };

/** `n` more templates, so a sync has to follow Meta's paging (the client asks 100 a page). */
export const fillers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: String(2000 + i),
    name: `filler_${String(i).padStart(3, "0")}`,
    language: "id",
    status: i % 3 === 0 ? "APPROVED" : "PAUSED",
    category: "UTILITY",
    components: [{ type: "BODY", text: `Pesan ${i}` }],
  }));
