// The messages list (with status and filters) and the message templates page.
import type { Device } from "../../db/devices";
import type { Message } from "../../db/messages";
import { MESSAGE_STATUSES } from "../../db/schema";
import type { Template } from "../../db/templates";
import { templateVariables } from "../../messaging/template-render";
import type { T } from "../i18n";
import { DataTable } from "../components/data-table";
import { FilterSelect } from "../components/filter-select";

export function MessagesPage(props: {
  t: T;
  messages: Message[];
  devices: Device[];
  filter: { device_key?: string; status?: string; to?: string };
  nextHref: string | null;
  fmt: (ms: number) => string;
}) {
  const { t, messages, devices, filter, nextHref, fmt } = props;
  const deviceName = new Map(devices.map((d) => [d.deviceKey, d.name]));
  return (
    <>
      <form class="card row" method="get">
        <div>
          <label>{t("nav_devices")}</label>
          <FilterSelect
            name="device_key"
            all={t("all")}
            selected={filter.device_key}
            options={devices.map((d) => ({ value: d.deviceKey, label: d.name }))}
          />
        </div>
        <div>
          <label>{t("status")}</label>
          <FilterSelect
            name="status"
            all={t("all")}
            selected={filter.status}
            options={MESSAGE_STATUSES.map((s) => ({ value: s, label: s }))}
          />
        </div>
        <div>
          <label>{t("to")}</label>
          <input name="to" value={filter.to ?? ""} placeholder="0812…" />
        </div>
        <button>{t("filter")}</button>
      </form>
      <div class="card" id="messages" data-refresh="5000" data-live="messages">
        <DataTable
          headers={[t("created_at"), t("nav_devices"), t("direction"), t("to"), t("message_text"), t("status")]}
          rows={messages}
          empty={t("no_messages")}
          row={(m) => (
            <tr data-msg={m.id}>
              <td>{fmt(m.createdAt)}</td>
              <td>{deviceName.get(m.deviceKey) ?? m.deviceKey.slice(0, 8)}</td>
              <td>{m.direction === "in" ? t("direction_in") : t("direction_out")}</td>
              <td>{m.to.replace("@s.whatsapp.net", "")}</td>
              <td>{(m.text ?? "").slice(0, 140)}</td>
              <td>
                <span class={`pill ${m.status}`} data-status>
                  {m.status}
                </span>
                {m.error ? <div class="muted">{m.error}</div> : null}
              </td>
            </tr>
          )}
        />
        {nextHref ? <a href={nextHref}>{t("next_page")}</a> : null}
      </div>
    </>
  );
}

export function TemplatesPage({ t, templates, canEdit }: { t: T; templates: Template[]; canEdit: boolean }) {
  return (
    <>
      {canEdit ? (
        <div class="card">
          <h3>{t("add_template")}</h3>
          <p class="muted">{t("template_help")}</p>
          <form data-api="/api/v1/templates">
            <label>{t("template_name")}</label>
            <input name="name" required maxlength={100} />
            <label>{t("template_body")}</label>
            <textarea
              name="body"
              required
              rows={4}
              style="width:100%"
              placeholder="Halo {name}, pesanan Anda sudah kami terima."
            ></textarea>
            <p>
              <button>{t("save")}</button>
            </p>
            <div data-out class="out"></div>
          </form>
        </div>
      ) : null}
      <div class="card">
        {templates.length === 0 ? <p class="muted">{t("no_templates")}</p> : null}
        {templates.map((tpl) => (
          <div class="card">
            <form data-api={`/api/v1/templates/${tpl.id}`} data-method="PATCH">
              <div class="row">
                <div>
                  <label>{t("template_name")}</label>
                  <input name="name" value={tpl.name} required />
                </div>
                <div class="muted">
                  ID <code>{tpl.id}</code> · {t("variables")}:{" "}
                  {templateVariables(tpl.body)
                    .map((v) => `{${v}}`)
                    .join(", ") || "—"}
                </div>
              </div>
              <label>{t("template_body")}</label>
              <textarea name="body" rows={3} style="width:100%">
                {tpl.body}
              </textarea>
              {canEdit ? (
                <p class="row">
                  <button>{t("save")}</button>
                </p>
              ) : null}
              <div data-out class="out"></div>
            </form>
            {canEdit ? (
              <form data-api={`/api/v1/templates/${tpl.id}`} data-method="DELETE" data-confirm={t("confirm_delete")}>
                <button class="danger">{t("delete")}</button>
              </form>
            ) : null}
          </div>
        ))}
      </div>
    </>
  );
}
