// The device page's card of a cloud_api device's Meta message templates: the synced list with whether a
// broadcast can use each, and (admins) the sync button, a data-api form on POST …/templates/sync.
import { selectability } from "../../broadcasts/meta-template";
import type { MetaTemplate } from "../../db/meta-templates";
import { DataTable } from "../components/data-table";
import type { T } from "../i18n";

export function MetaTemplatesCard({ t, api, templates, canEdit, fmt }: { t: T; api: string; templates: MetaTemplate[]; canEdit: boolean; fmt: (ms: number) => string }) {
  const last = templates.reduce((m, x) => Math.max(m, x.syncedAt), 0);
  return (
    <div class="card" id="meta-templates">
      <h3>{t("meta_templates_title")}</h3>
      <p class="muted">
        {t("meta_templates_help")}
        {last ? ` ${t("meta_templates_synced_at")}: ${fmt(last)}` : ""}
      </p>
      {canEdit ? (
        <form data-api={`${api}/templates/sync`} data-method="POST">
          <button>{t("meta_templates_sync")}</button>
          <div data-out class="out"></div>
        </form>
      ) : null}
      <DataTable
        headers={[t("name"), t("meta_templates_language"), t("meta_templates_category"), t("status"), t("meta_templates_variables"), t("meta_templates_usable")]}
        rows={templates}
        empty={t("meta_templates_none")}
        row={(x) => {
          const sel = selectability(x.status, x.components);
          return (
            <tr>
              <td>
                <code>{x.name}</code>
              </td>
              <td>{x.language}</td>
              <td>{x.category ?? ""}</td>
              <td>
                <span class={`pill ${x.status === "APPROVED" ? "connected" : "disconnected"}`}>{x.status}</span>
              </td>
              <td>{[...sel.header.map((v) => `header {{${v}}}`), ...sel.body.map((v) => `{{${v}}}`)].join(", ")}</td>
              <td>{sel.selectable ? t("meta_templates_yes") : <span class="muted">{sel.reason}</span>}</td>
            </tr>
          );
        }}
      />
    </div>
  );
}
