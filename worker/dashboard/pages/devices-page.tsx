import type { Device } from "../../db/devices";
import { PROVIDERS } from "../../db/schema";
import type { T } from "../i18n";
import { DataTable } from "../components/data-table";

export function DevicesPage({ t, devices, canEdit }: { t: T; devices: Device[]; canEdit: boolean }) {
  return (
    <>
      {canEdit ? (
        <div class="card">
          <h3>{t("add_device")}</h3>
          <form data-api="/api/v1/devices" class="row">
            <div>
              <label>{t("name")}</label>
              <input name="name" required maxlength={80} />
            </div>
            <div>
              <label>{t("provider")}</label>
              <select name="provider">
                {PROVIDERS.map((p) => (
                  <option value={p}>{p}</option>
                ))}
              </select>
            </div>
            <div>
              <label>
                {t("webhook_url_device")} ({t("optional")})
              </label>
              <input name="webhook_url" type="url" data-optional />
            </div>
            <button>{t("add_device")}</button>
            <div data-out class="out"></div>
          </form>
        </div>
      ) : null}
      <div class="card">
        <DataTable
          headers={[t("name"), t("provider"), t("status"), t("device_id"), t("actions")]}
          rows={devices}
          empty={t("no_devices")}
          row={(d) => (
            <tr>
              <td>
                <a href={`/app/devices/${d.deviceKey}`}>{d.name}</a>
              </td>
              <td>{d.provider}</td>
              <td>
                <span class="pill">{d.status}</span>
              </td>
              <td>
                <code id={`dk-${d.deviceKey}`}>{d.deviceKey}</code>{" "}
                <button type="button" class="ghost" data-copy={`dk-${d.deviceKey}`} data-copied={t("copied")}>
                  {t("copy")}
                </button>
              </td>
              <td>
                {canEdit ? (
                  <form data-api={`/api/v1/devices/${d.deviceKey}`} data-method="DELETE" data-confirm={t("confirm_delete")}>
                    <button class="danger">{t("delete")}</button>
                  </form>
                ) : null}
              </td>
            </tr>
          )}
        />
      </div>
    </>
  );
}
