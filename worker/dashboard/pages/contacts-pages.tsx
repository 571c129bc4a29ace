// CRM pages: the contacts list (search, label filters, bulk actions), one contact (profile, custom fields,
// labels, notes, timeline), the labels page and the import wizard. Writes go through /api/v1 from
// dashboard-client/app.ts (forms) and dashboard-client/crm.ts (bulk selection, the import wizard).
import { ROW_PROBLEMS } from "../../crm/import-plan";
import type { Contact } from "../../db/contacts";
import type { ContactField } from "../../db/contact-fields";
import type { Label } from "../../db/labels";
import type { TimelineEntry } from "../../crm/timeline";
import type { T } from "../i18n";
import { DataTable } from "../components/data-table";
import { OrderEntry, Pill } from "../components/crm-bits";
import { scriptUrl } from "../static-scripts";


export type ContactsFilter = { q?: string; label?: string[]; mode?: string; archived?: boolean };

/** The list's filter as the bulk API's `filter` (POST /api/v1/contacts/bulk): what "every matching contact" acts on. */
export function bulkFilterOf(f: ContactsFilter): Record<string, unknown> {
  const labels = f.label ?? [];
  const key = f.mode === "all" ? "labels_all" : f.mode === "none" ? "labels_none" : "labels_any";
  return { ...(f.q ? { q: f.q } : {}), ...(labels.length ? { [key]: labels } : {}), archived: f.archived === true };
}

export function ContactsPage(props: {
  t: T;
  rows: { contact: Contact; labels: Label[] }[];
  labels: Label[];
  filter: ContactsFilter;
  nextHref: string | null;
  exportHref: string;
  conflicts: number;
  isAdmin: boolean;
  fmt: (ms: number) => string;
}) {
  const { t, filter } = props;
  return (
    <>
      {props.conflicts > 0 ? (
        <div class="banner">
          {t("crm_conflicts")}: {props.conflicts}
        </div>
      ) : null}
      <form class="card row" method="get" id="contact-filters">
        <div>
          <label>{t("crm_search")}</label>
          <input name="q" value={filter.q ?? ""} placeholder="Budi / 0812 / 5678" />
        </div>
        <div>
          <label>{t("crm_labels")}</label>
          <select name="label" multiple size={Math.min(4, Math.max(2, props.labels.length))}>
            {props.labels.map((l) => (
              <option value={l.id} selected={filter.label?.includes(l.id)}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label>{t("crm_label_mode")}</label>
          <select name="mode">
            {(["any", "all", "none"] as const).map((m) => (
              <option value={m} selected={(filter.mode ?? "any") === m}>
                {t(`crm_mode_${m}`)}
              </option>
            ))}
          </select>
        </div>
        <label>
          <input type="checkbox" name="archived" value="true" checked={filter.archived} style="min-width:0" /> {t("crm_show_archived")}
        </label>
        <button>{t("filter")}</button>
        {props.isAdmin ? (
          <>
            <a href={props.exportHref}>{t("crm_export")}</a>
            <a href="/app/contacts/import">{t("crm_import")}</a>
          </>
        ) : null}
      </form>
      <form class="card row" id="bulk" data-bulk="/api/v1/contacts/bulk" data-filter={JSON.stringify(bulkFilterOf(filter))} data-progress={t("crm_bulk_progress")}>
        <strong>{t("crm_selected")}:</strong>
        <label style="margin:0">
          <input type="checkbox" data-bulk-all style="min-width:0" /> {t("crm_bulk_all")}
        </label>
        <select name="label_id">
          {props.labels.map((l) => (
            <option value={l.id}>{l.name}</option>
          ))}
        </select>
        <button type="button" data-bulk-action="add_label">{t("crm_add_label")}</button>
        <button type="button" class="ghost" data-bulk-action="remove_label">{t("crm_remove_label")}</button>
        <button type="button" class="ghost" data-bulk-action={filter.archived ? "unarchive" : "archive"}>
          {filter.archived ? t("crm_unarchive") : t("crm_archive")}
        </button>
        {props.isAdmin ? (
          <button type="button" class="danger" data-bulk-action="delete" data-confirm={t("crm_bulk_delete_confirm")}>
            {t("delete")}
          </button>
        ) : null}
        <span data-out class="out"></span>
      </form>
      <div class="card">
        <DataTable
          id="contacts"
          headers={[<input type="checkbox" data-select-all style="min-width:0" />, t("name"), t("crm_phone"), t("email"), t("crm_labels"), t("crm_last_seen")]}
          rows={props.rows}
          empty={t("crm_no_contacts")}
          row={({ contact: c, labels }) => (
            <tr>
              <td>
                <input type="checkbox" data-contact={c.id} style="min-width:0" />
              </td>
              <td>
                <a href={`/app/contacts/${c.id}`}>{c.name ?? c.phone ?? c.email ?? c.waJid ?? "—"}</a>
                {c.optedOut ? <span class="pill failed"> {t("crm_opted_out")}</span> : null}
              </td>
              <td>{c.phone ?? ""}</td>
              <td>{c.email ?? ""}</td>
              <td>
                {labels.map((l) => (
                  <Pill l={l} />
                ))}
              </td>
              <td>{c.lastSeenAt ? props.fmt(c.lastSeenAt) : ""}</td>
            </tr>
          )}
        />
        {props.nextHref ? <a href={props.nextHref}>{t("next_page")}</a> : null}
      </div>
      <form class="card row" data-api="/api/v1/contacts" data-reveal-label="">
        <strong>{t("crm_new_contact")}</strong>
        <input name="name" placeholder={t("name")} data-optional />
        <input name="phone" placeholder="0812…" data-optional />
        <input name="email" placeholder="nama@contoh.id" data-optional />
        <button>{t("save")}</button>
        <span data-out class="out"></span>
      </form>
      <script src={scriptUrl("crm")} defer></script>
    </>
  );
}

export function ContactPage(props: {
  t: T;
  c: Contact;
  labels: Label[];
  allLabels: Label[];
  fields: ContactField[];
  timeline: TimelineEntry[];
  timelineNext: string | null;
  fmt: (ms: number) => string;
}) {
  const { t, c } = props;
  const api = `/api/v1/contacts/${c.id}`;
  return (
    <>
      <div class="cols">
        <form class="card" data-api={api} data-method="PATCH">
          <h3 style="margin-top:0">{t("crm_profile")}</h3>
          <label>{t("name")}</label>
          <input name="name" value={c.name ?? ""} data-null />
          <label>{t("crm_phone")}</label>
          <input name="phone" value={c.phone ?? ""} data-null placeholder="0812…" />
          <label>{t("email")}</label>
          <input name="email" value={c.email ?? ""} data-null />
          {c.waJid && !c.waJid.endsWith("@s.whatsapp.net") ? <p class="muted">WhatsApp: {c.waJid}</p> : null}
          <p class="muted">
            {t("crm_source")}: {c.source} · WhatsApp: {c.onWhatsapp}
            {c.archived ? ` · ${t("crm_archived")}` : ""}
          </p>
          {props.fields.length > 0 ? <h4>{t("crm_custom_fields")}</h4> : null}
          {props.fields.map((f) => (
            <>
              <label>{f.label}</label>
              {f.type === "choice" ? (
                <select name={`custom_fields.${f.key}`} data-null>
                  <option value="">—</option>
                  {f.options.map((o) => (
                    <option value={o} selected={c.customFields[f.key] === o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : (
                <input name={`custom_fields.${f.key}`} type={f.type === "date" ? "date" : "text"} value={String(c.customFields[f.key] ?? "")} data-null />
              )}
            </>
          ))}
          <label>{t("crm_notes")}</label>
          <textarea name="notes" rows={4} style="width:100%" data-null>
            {c.notes ?? ""}
          </textarea>
          <label>
            <input type="checkbox" name="opted_out" checked={c.optedOut} style="min-width:0" /> {t("crm_opted_out")}
          </label>
          <label>
            <input type="checkbox" name="archived" checked={c.archived} style="min-width:0" /> {t("crm_archived")}
          </label>
          <p class="row">
            <button>{t("save")}</button>
            <span data-out class="out"></span>
          </p>
        </form>
        <div>
          <div class="card">
            <h3 style="margin-top:0">{t("crm_labels")}</h3>
            <p>
              {props.labels.map((l) => (
                <form data-api={`${api}/labels/${l.id}`} data-method="DELETE" style="display:inline">
                  <Pill l={l} /> <button class="ghost" title={t("crm_remove_label")}>×</button>{" "}
                </form>
              ))}
            </p>
            <form class="row" id="add-label" data-label-add={`${api}/labels`}>
              <select name="label_ids">
                {props.allLabels
                  .filter((l) => !props.labels.some((x) => x.id === l.id))
                  .map((l) => (
                    <option value={l.id}>{l.name}</option>
                  ))}
              </select>
              <button>{t("crm_add_label")}</button>
              <span data-out class="out"></span>
            </form>
          </div>
          <div class="card">
            <h3 style="margin-top:0">{t("crm_timeline")}</h3>
            {props.timeline.length === 0 ? <p class="muted">{t("crm_no_timeline")}</p> : null}
            {props.timeline.map((e) =>
              e.type === "order" ? (
                <OrderEntry t={t} order={e.order} at={e.at} fmt={props.fmt} />
              ) : (
                <div class={`bubble ${e.message.direction}`} style="margin-bottom:6px">
                  {e.message.text ?? `[${String(e.message.content?.kind ?? "media")}]`}
                  <small>
                    {props.fmt(e.at)} · {e.message.source}
                  </small>
                </div>
              ),
            )}
            {props.timelineNext ? <a href={`?cursor=${props.timelineNext}`}>{t("next_page")}</a> : null}
          </div>
          <form class="card" data-api={api} data-method="DELETE" data-confirm={t("crm_delete_confirm")} data-redirect="/app/contacts">
            <button class="danger">{t("delete")}</button>
            <span data-out class="out"></span>
          </form>
        </div>
      </div>
    </>
  );
}

export function LabelsPage(props: { t: T; labels: (Label & { contactCount: number })[] }) {
  const { t } = props;
  return (
    <>
      <form class="card row" data-api="/api/v1/labels">
        <div>
          <label>{t("crm_label_name")}</label>
          <input name="name" required />
        </div>
        <div>
          <label>{t("crm_color")}</label>
          <input name="color" type="color" value="#64748b" style="min-width:60px" />
        </div>
        <button>{t("save")}</button>
        <span data-out class="out"></span>
      </form>
      <div class="card">
        <DataTable
          id="labels"
          headers={[t("crm_label_name"), t("crm_color"), t("crm_contacts_count"), ""]}
          rows={props.labels}
          empty={t("crm_no_labels")}
          row={(l) => (
            <tr>
              <td>
                <form class="row" data-api={`/api/v1/labels/${l.id}`} data-method="PATCH">
                  <input name="name" value={l.name} />
                  <input name="color" type="color" value={l.color} style="min-width:60px" />
                  <button class="ghost">{t("save")}</button>
                  <span data-out class="out"></span>
                </form>
              </td>
              <td>
                <Pill l={l} />
              </td>
              <td>
                <a href={`/app/contacts?label=${l.id}`}>{l.contactCount}</a>
              </td>
              <td>
                <form data-api={`/api/v1/labels/${l.id}`} data-method="DELETE" data-confirm={`${t("delete")} ${l.name}?`}>
                  <button class="danger">{t("delete")}</button>
                </form>
              </td>
            </tr>
          )}
        />
      </div>
    </>
  );
}

/** An empty row-errors table the wizard script fills (row number, reason). */
function RowErrors(props: { t: T; id: string }) {
  return (
    <table id={props.id}>
      <thead>
        <tr>
          <th>{props.t("crm_row")}</th>
          <th>{props.t("crm_reason")}</th>
        </tr>
      </thead>
      <tbody></tbody>
    </table>
  );
}

export function ImportPage(props: { t: T; labels: Label[] }) {
  const { t } = props;
  const targets: [string, string][] = [
    ["name", t("name")],
    ["phone", t("crm_phone")],
    ["email", t("email")],
    ["notes", t("crm_notes")],
    ["ignore", t("crm_ignore")],
  ];
  return (
    <>
      <div class="card" id="import-wizard" data-targets={JSON.stringify(targets)} data-new-field={t("crm_new_field")} data-done={t("crm_import_done")}>
        <p class="muted">{t("crm_import_help")}</p>
        <label>{t("crm_file")}</label>
        <input type="file" id="import-file" accept=".csv,text/csv" />
        <label>
          <input type="checkbox" id="import-create-fields" style="min-width:0" /> {t("crm_create_fields")}
        </label>
        <label>{t("crm_label_all_rows")}</label>
        <select id="import-labels" multiple size={Math.min(4, Math.max(2, props.labels.length))}>
          {props.labels.map((l) => (
            <option value={l.id}>{l.name}</option>
          ))}
        </select>
        <p class="row">
          <button type="button" id="import-preview">{t("crm_preview")}</button>
          <button type="button" id="import-start" disabled>
            {t("crm_start_import")}
          </button>
          <span id="import-out" class="out"></span>
        </p>
      </div>
      <div class="card" id="import-mapping" hidden>
        <table>
          <thead>
            <tr>
              <th>{t("crm_column")}</th>
              <th>{t("crm_maps_to")}</th>
              <th>{t("crm_sample")}</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
        <p id="import-summary" data-problems={JSON.stringify(Object.fromEntries(ROW_PROBLEMS.map((k) => [k, t(`crm_problem_${k}`)])))}>
          {t("crm_rows_checked")}: <b data-k="total_rows">0</b> · {t("crm_rows_ok")}: <b data-k="ok_rows">0</b> · <span data-k="problems"></span>
        </p>
        <h4>{t("crm_row_errors")}</h4>
        <RowErrors t={t} id="import-preview-errors" />
      </div>
      <div class="card" id="import-progress" hidden>
        <label>{t("crm_progress")}</label>
        <progress max="100" value="0" style="width:100%"></progress>
        <p>
          {t("crm_created")}: <b data-k="created">0</b> · {t("crm_merged")}: <b data-k="merged">0</b> · {t("crm_failed")}: <b data-k="failed">0</b>
        </p>
        <p id="import-status" class="muted"></p>
        <h4>{t("crm_row_errors")}</h4>
        <RowErrors t={t} id="import-errors" />
      </div>
      <script src={scriptUrl("crm")} defer></script>
    </>
  );
}
