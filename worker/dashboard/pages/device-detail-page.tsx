// One device: live status and pairing, pacing settings, webhook URL/secret and delivery log, Cloud API
// credentials, and for sandbox devices the sandbox chat.
import type { Device } from "../../db/devices";
import type { Message } from "../../db/messages";
import type { WebhookDelivery } from "../../db/webhook-deliveries";
import type { LiveStatus } from "../../durable/device-session";
import type { DeviceSettings } from "../../messaging/settings";
import type { Child } from "hono/jsx";
import type { T } from "../i18n";
import { DataTable } from "../components/data-table";
import type { MetaTemplate } from "../../db/meta-templates";
import { MetaTemplatesCard } from "./meta-templates-card";

type Props = {
  t: T;
  device: Device;
  settings: DeviceSettings;
  live: LiveStatus;
  secret: string | null;
  messages: Message[];
  deliveries: WebhookDelivery[];
  metaWebhookUrl: string;
  canEdit: boolean;
  fmt: (ms: number) => string;
  /** The business's time zone, for times the live chat renders itself. */
  timeZone: string;
  /** A cloud_api device's synced Meta templates (empty for other providers). */
  metaTemplates: MetaTemplate[];
  /** The number's health card (issue 11, device-health-panel.tsx), under the live status. */
  health?: Child;
};

function NumberField({ t, name, value, k, step }: { t: T; name: keyof DeviceSettings; value: number; k: Parameters<T>[0]; step?: string }) {
  return (
    <div>
      <label>{t(k)}</label>
      <input name={`settings.${name}`} type="number" min="0" step={step ?? "1"} value={String(value)} data-type="number" />
    </div>
  );
}

export function DeviceDetailPage({
  t,
  device: d,
  settings: s,
  live,
  secret,
  messages,
  deliveries,
  metaWebhookUrl,
  canEdit,
  fmt,
  timeZone,
  metaTemplates,
  health,
}: Props) {
  const api = `/api/v1/devices/${d.deviceKey}`;
  return (
    <>
      <div class="card" id="live" data-refresh="3000">
        <h3>{t("live_status")}</h3>
        <p>
          {t("provider")}: <b>{d.provider}</b> · {t("status")}: <span class={`pill ${d.status}`}>{live.status ?? d.status}</span>
          {d.phone ? ` · ${d.phone}` : ""}
          {d.statusReason ? <span class="muted"> — {d.statusReason}</span> : null}
        </p>
        <p class="muted">
          {t("outbox")}: {live.outbox.pending} {t("pending")}, {live.outbox.leased} {t("leased")}
          {d.provider === "baileys"
            ? ` · ${t("gateway")} ${d.gatewayId ?? "—"}: ${live.gateway_connected ? t("gateway_connected") : t("gateway_not_connected")}`
            : ""}
        </p>
        {live.qr ? (
          <div>
            <label>{t("qr_code")}</label>
            <code class="big">{live.qr}</code>
          </div>
        ) : null}
        {live.pairing_code ? (
          <p>
            {t("pairing_code")}: <code class="big">{live.pairing_code}</code>
          </p>
        ) : null}
        {!canEdit && (d.status === "qr" || d.status === "pairing_code") ? <p class="muted">{t("pairing_admin_only")}</p> : null}
      </div>
      {health}
      {d.provider === "baileys" && canEdit ? (
        <div class="card row">
          <form data-api={`${api}/pair`}>
            <input type="hidden" name="method" value="qr" />
            <button>{t("pair_qr")}</button>
            <div data-out class="out"></div>
          </form>
          <form data-api={`${api}/pair`} class="row">
            <input type="hidden" name="method" value="code" />
            <div>
              <label>{t("phone")}</label>
              <input name="phone" placeholder="0812…" required />
            </div>
            <button>{t("pair_code")}</button>
            <div data-out class="out"></div>
          </form>
        </div>
      ) : null}
      {d.provider === "sandbox" ? (
        <div class="card">
          <h3>{t("sandbox_chat")}</h3>
          <p class="muted">{t("sandbox_help")}</p>
          <div class="chat" id="chat" data-refresh="3000" data-live="chat" data-device={d.deviceKey} data-tz={timeZone}>
            {messages.length === 0 ? (
              <p class="muted" data-empty>
                {t("no_messages")}
              </p>
            ) : null}
            {[...messages].reverse().map((m) => (
              <div class={`bubble ${m.direction}`} data-msg={m.id}>
                {m.text}
                <small>
                  {m.to.split("@")[0]} · {fmt(m.createdAt)} · <span data-status>{m.status}</span>
                </small>
              </div>
            ))}
          </div>
          <form data-api={`${api}/sandbox/inbound`} class="row" data-stay>
            <div>
              <label>{t("customer_phone")}</label>
              <input name="from" value="081234567890" required />
            </div>
            <div>
              <label>{t("customer_name")}</label>
              <input name="name" data-optional value="Pelanggan" />
            </div>
            <div>
              <label>{t("as_customer")}</label>
              <input name="text" required />
            </div>
            <button>{t("send")}</button>
            <div data-out class="out"></div>
          </form>
          <form data-api="/api/v1/messages" class="row" data-stay>
            <input type="hidden" name="device_key" value={d.deviceKey} />
            <div>
              <label>{t("to")}</label>
              <input name="to" value="081234567890" required />
            </div>
            <div>
              <label>{t("reply_as_business")}</label>
              <input name="text" required />
            </div>
            <button>{t("send")}</button>
            <div data-out class="out"></div>
          </form>
        </div>
      ) : null}
      {d.provider === "cloud_api" && canEdit ? (
        <div class="card">
          <h3>{t("cloud_api_title")}</h3>
          <p class="muted">{t("cloud_api_help")}</p>
          <p>
            {t("meta_webhook_url")}: <code id="meta-url">{metaWebhookUrl}</code>{" "}
            <button type="button" class="ghost" data-copy="meta-url" data-copied={t("copied")}>
              {t("copy")}
            </button>
          </p>
          <form data-api={`${api}/cloud-api`} data-method="PUT" class="grid">
            <div>
              <label>{t("phone_number_id")}</label>
              <input name="phone_number_id" required />
            </div>
            <div>
              <label>{t("access_token")}</label>
              <input name="access_token" type="password" required />
            </div>
            <div>
              <label>{t("app_secret")}</label>
              <input name="app_secret" type="password" required />
            </div>
            <div>
              <label>{t("verify_token")}</label>
              <input name="verify_token" required />
            </div>
            <div>
              <label>{t("waba_id")}</label>
              <input name="waba_id" inputmode="numeric" data-optional />
            </div>
            <div>
              <button>{t("save")}</button>
              <div data-out class="out"></div>
            </div>
          </form>
        </div>
      ) : null}
      {d.provider === "cloud_api" ? <MetaTemplatesCard t={t} api={api} templates={metaTemplates} canEdit={canEdit} fmt={fmt} /> : null}
      <div class="card">
        <h3>{t("pacing_title")}</h3>
        <p class="muted">{t("pacing_help")}</p>
        <form data-api={api} data-method="PATCH">
          <label>
            <input type="checkbox" name="settings.pacing_enabled" checked={s.pacing_enabled} disabled={!canEdit} style="min-width:0" />{" "}
            {t("pacing_enabled")}
          </label>
          <div class="grid">
            <NumberField t={t} name="min_gap_seconds" value={s.min_gap_seconds} k="min_gap_seconds" step="0.5" />
            <NumberField t={t} name="jitter_seconds" value={s.jitter_seconds} k="jitter_seconds" step="0.5" />
            <NumberField t={t} name="max_per_minute" value={s.max_per_minute} k="max_per_minute" />
            <NumberField t={t} name="max_per_hour" value={s.max_per_hour} k="max_per_hour" />
            <NumberField t={t} name="max_per_day" value={s.max_per_day} k="max_per_day" />
            <div>
              <label>{t("window_start")}</label>
              <input name="settings.window_start" type="time" value={s.window_start} />
            </div>
            <div>
              <label>{t("window_end")}</label>
              <input name="settings.window_end" type="time" value={s.window_end} />
            </div>
            <div>
              <label>{t("window_lanes")}</label>
              <select name="settings.window_lanes">
                {(["broadcast", "all", "none"] as const).map((v) => (
                  <option value={v} selected={s.window_lanes === v}>
                    {t(`window_lanes_${v}`)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {canEdit ? <button>{t("save")}</button> : null}
          <div data-out class="out"></div>
        </form>
      </div>
      <div class="card">
        <h3>{t("webhook_url_device")}</h3>
        <form data-api={api} data-method="PATCH" class="row">
          <div>
            <label>{t("webhook_url_device")}</label>
            <input name="webhook_url" type="url" value={d.webhookUrl ?? ""} data-null style="min-width:380px" />
          </div>
          {canEdit ? <button>{t("save")}</button> : null}
          <div data-out class="out"></div>
        </form>
        {secret ? (
          <p>
            {t("webhook_secret")}: <code id="wh-secret">{secret}</code>{" "}
            <button type="button" class="ghost" data-copy="wh-secret" data-copied={t("copied")}>
              {t("copy")}
            </button>
            <br />
            <span class="muted">{t("webhook_secret_help")}</span>
          </p>
        ) : null}
        <h3>{t("webhook_log")}</h3>
        <DataTable
          headers={[t("created_at"), t("attempt"), t("result"), t("duration"), t("webhook_url_device")]}
          rows={deliveries}
          empty={t("no_deliveries")}
          row={(w) => (
            <tr>
              <td>{fmt(w.createdAt)}</td>
              <td>{w.attempt}</td>
              <td>
                <span class={`pill ${w.ok ? "delivered" : "failed"}`}>{w.statusCode ?? "—"}</span> {w.error ?? ""}
              </td>
              <td>{w.durationMs} ms</td>
              <td class="muted">{w.url}</td>
            </tr>
          )}
        />
      </div>
    </>
  );
}
