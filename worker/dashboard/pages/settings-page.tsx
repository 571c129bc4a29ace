import type { T } from "../i18n";

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
};

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
          {canEdit ? (
            <p>
              <button>{t("save")}</button>
            </p>
          ) : null}
          <div data-out class="out"></div>
        </form>
      </div>
    </>
  );
}
