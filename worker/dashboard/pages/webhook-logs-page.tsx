import { WEBHOOK_LOG_STATUSES, WEBHOOK_SOURCES } from "../../db/schema";
import { DataTable } from "../components/data-table";
import { FilterSelect } from "../components/filter-select";
import type { WebhookLog } from "../../db/webhook-logs";
import { sourceById } from "../../webhooks/sources";
import type { MessageKey, T } from "../i18n";

export type LogFilters = { source?: string; status?: string; from?: string; to?: string };

export function WebhookLogsPage(props: {
  t: T;
  logs: WebhookLog[];
  nextCursor: string | null;
  filters: LogFilters;
  retentionDays: number;
  fmt: (ms: number) => string;
}) {
  const { t, logs, filters } = props;
  const statusLabel = (s: string) => t(`wl_status_${s}` as MessageKey);
  const next = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => Boolean(e[1])));
  if (props.nextCursor) next.set("cursor", props.nextCursor);
  return (
    <>
      <p class="muted">
        {t("wl_retention").replace("{days}", String(props.retentionDays))} <a href="/app/settings">{t("wl_retention_change")}</a>
      </p>
      <div class="card">
        <form method="get" class="row">
          <div>
            <label>{t("wr_source")}</label>
            <FilterSelect
              name="source"
              all={t("wl_all")}
              selected={filters.source}
              options={WEBHOOK_SOURCES.map((s) => ({ value: s, label: sourceById(s).label }))}
            />
          </div>
          <div>
            <label>{t("status")}</label>
            <FilterSelect
              name="status"
              all={t("wl_all")}
              selected={filters.status}
              options={WEBHOOK_LOG_STATUSES.map((s) => ({ value: s, label: statusLabel(s) }))}
            />
          </div>
          <div>
            <label>{t("wl_from")}</label>
            <input type="date" name="from" value={filters.from ?? ""} />
          </div>
          <div>
            <label>{t("wl_to")}</label>
            <input type="date" name="to" value={filters.to ?? ""} />
          </div>
          <button>{t("wl_filter")}</button>
        </form>
      </div>
      <div class="card">
        <DataTable
          headers={[t("wl_time"), t("wr_source"), t("status"), t("signature"), t("wl_rule"), t("wl_message")]}
          rows={logs}
          empty={t("wl_none")}
          row={(l) => (
            <tr>
              <td style="white-space:nowrap">{props.fmt(l.createdAt)}</td>
              <td>{sourceById(l.source).label}</td>
              <td>
                <span class={`pill st-${l.status}`}>{statusLabel(l.status)}</span>
              </td>
              <td>
                <span class={`pill sig-${l.signature}`}>{t(`sig_${l.signature}`)}</span>
              </td>
              <td>{l.ruleNames.join(", ") || "—"}</td>
              <td>
                <pre class="msg">{l.message}</pre>
                <details>
                  <summary>
                    {t("wl_payload")} {l.payloadTruncated ? t("wl_truncated") : ""}
                  </summary>
                  <pre class="payload">{l.payload}</pre>
                </details>
              </td>
            </tr>
          )}
        />
        {props.nextCursor ? (
          <p>
            <a href={`/app/webhook-logs?${next.toString()}`}>{t("wl_next")}</a>
          </p>
        ) : null}
      </div>
    </>
  );
}
