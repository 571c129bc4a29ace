import type { T } from "../i18n";
import type { SourceState } from "../../webhooks/signature-policy";
import { sourceById } from "../../webhooks/sources";
import type { WebhookSource } from "../../db/schema";

type Settings = {
  name: string;
  timezone: string;
  country: string;
  locale: string;
  webhook_url: string;
  scalev_signing_secret_set: boolean;
  lynk_merchant_key_set: boolean;
  custom_webhook_secret_set: boolean;
  webhook_log_retention_days: number;
  owner_phone: string | null;
  webhook_secured: boolean;
  webhook_token_set: boolean;
  webhook_sources: { source: WebhookSource; secret_set: boolean; unsigned_allowed: boolean; state: SourceState }[];
};

/** A settings form's end: the save button (editors only) and the result line. */
function SaveRow({ t, canEdit }: { t: T; canEdit: boolean }) {
  return (
    <>
      {canEdit ? (
        <p>
          <button>{t("save")}</button>
        </p>
      ) : null}
      <div data-out class="out"></div>
    </>
  );
}

export function SettingsPage({ t, s, canEdit }: { t: T; s: Settings; canEdit: boolean }) {
  return (
    <>
      <div class="card">
        <h3>{t("webhook_url")}</h3>
        <p class="muted">{t("webhook_url_help")}</p>
        <div class="row">
          <code class="big" id="webhook-url">{s.webhook_url}</code>
          <button type="button" class="ghost" data-copy="webhook-url" data-copied={t("copied")}>
            {t("copy")}
          </button>
        </div>
      </div>
      <div class="card" id="webhook-security">
        <h3>{t("webhook_security")}</h3>
        {s.webhook_secured ? null : <div class="banner warn" id="webhook-unsigned-warning">{t("webhook_no_secret_warning")}</div>}
        <form data-api="/api/v1/settings" data-method="PATCH">
          <table>
            <thead>
              <tr>
                <th>{t("wr_source")}</th>
                <th>{t("signature")}</th>
                <th>{t("allow_unsigned")}</th>
              </tr>
            </thead>
            <tbody>
              {s.webhook_sources.map((w) => (
                <tr data-source={w.source}>
                  <td>{sourceById(w.source).label}</td>
                  <td>
                    <span class={`pill src-${w.state}`} data-state={w.state}>{t(`source_state_${w.state}`)}</span>
                  </td>
                  <td>
                    <input type="checkbox" name="webhook_unsigned_allowed" value={w.source} data-list checked={w.unsigned_allowed} disabled={!canEdit || w.secret_set} style="min-width:0" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <SaveRow t={t} canEdit={canEdit} />
        </form>
        <h4>{t("webhook_token_url")}</h4>
        <p class="muted">{t("webhook_token_help")}</p>
        {s.webhook_token_set ? <p><span class="pill">{t("webhook_token_set")}</span></p> : null}
        {canEdit ? (
          <div class="row">
            <form data-api="/api/v1/settings/webhook-token" data-reveal="webhook_token_url">
              <button class="ghost">{t("rotate_token")}</button>
              <div data-out class="out"></div>
            </form>
            {s.webhook_token_set ? (
              <form data-api="/api/v1/settings/webhook-token" data-method="DELETE">
                <button class="ghost">{t("remove_token")}</button>
              </form>
            ) : null}
          </div>
        ) : null}
      </div>
      <div class="card">
        <h3>{t("settings_title")}</h3>
        <form data-api="/api/v1/settings" data-method="PATCH">
          <label>{t("business_name")}</label>
          <input name="name" value={s.name} disabled={!canEdit} />
          <label>{t("timezone")}</label>
          <input name="timezone" value={s.timezone} disabled={!canEdit} />
          <label>{t("country")}</label>
          <input name="country" value={s.country} maxlength={2} disabled={!canEdit} />
          <label>{t("language")}</label>
          <select name="locale" disabled={!canEdit}>
            <option value="id" selected={s.locale === "id"}>Bahasa Indonesia</option>
            <option value="en" selected={s.locale === "en"}>English</option>
          </select>
          <label>{t("owner_phone")}</label>
          <input name="owner_phone" type="tel" value={s.owner_phone ?? ""} placeholder="0812…" data-null disabled={!canEdit} />
          <p class="muted">{t("owner_phone_help")}</p>
          <label>{t("log_retention_days")}</label>
          <input name="webhook_log_retention_days" type="number" min={1} max={365} data-type="number" value={String(s.webhook_log_retention_days)} disabled={!canEdit} />
          {[
            ["scalev_signing_secret", "Scalev signing secret", s.scalev_signing_secret_set],
            ["lynk_merchant_key", "Lynk merchant key", s.lynk_merchant_key_set],
            ["custom_webhook_secret", "Custom webhook secret", s.custom_webhook_secret_set],
          ].map(([field, label, set]) => (
            <>
              <label>
                {label} <span class="pill">{set ? t("secret_set") : t("secret_not_set")}</span>
              </label>
              <input name={String(field)} type="password" data-optional autocomplete="off" disabled={!canEdit} />
            </>
          ))}
          <SaveRow t={t} canEdit={canEdit} />
        </form>
      </div>
    </>
  );
}
