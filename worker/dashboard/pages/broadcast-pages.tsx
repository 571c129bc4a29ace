// The broadcast pages: the list with state and progress, compose (message with a live preview of variations,
// audience picker with the recipient count, schedule in the business's time zone) and one broadcast (live
// progress bar and counters, pause/resume/cancel, the auto-pause reason, the recipients table with a status
// filter). Server-rendered; the compose page's script (dashboard-client/broadcast-compose.ts) builds the JSON,
// the detail page refreshes its [data-refresh] regions through the shared app script.
import type { Broadcast, Progress, RecipientRow } from "../../db/broadcasts";
import type { Device } from "../../db/devices";
import type { Label } from "../../db/labels";
import { RECIPIENT_STATUSES, SKIP_REASONS } from "../../db/schema";
import type { MessageKey, T } from "../i18n";
import { DataTable } from "../components/data-table";
import { scriptUrl } from "../static-scripts";

const LIVE = new Set(["scheduled", "running", "waiting_window"]);
const COUNTERS = ["total", "pending", "queued", "sent", "delivered", "read", "failed", "skipped"] as const;

const stateLabel = (t: T, s: string) => t(`bc_state_${s}` as MessageKey);
/** A reason the runner wrote; an unknown one (a newer runner) is shown as it is. */
export function reasonLabel(t: T, r: string): string {
  const k = `bc_reason_${r}` as MessageKey;
  // An unknown key reads as undefined from the table.
  const v: string | undefined = t(k);
  return v === undefined ? r : v;
}
const skipLabel = (t: T, r: string) => {
  const v: string | undefined = t(`bc_skip_${r}` as MessageKey);
  return v === undefined ? r : v;
};

/** Finished share (sent, delivered, read, failed, skipped) of the total, 0–100. */
export function donePercent(p: Progress): number {
  if (p.total === 0) return 0;
  return Math.floor(((p.sent + p.delivered + p.read + p.failed + p.skipped) / p.total) * 100);
}

/** A stacked bar of the recipients by status (server-drawn SVG). */
function ProgressBar({ p }: { p: Progress }) {
  const parts: [string, number][] = [
    ["#0a6a45", p.read + p.delivered],
    ["#7cc4a4", p.sent],
    ["#c43d3d", p.failed],
    ["#b7bfbb", p.skipped],
    ["#e0a100", p.queued],
  ];
  let x = 0;
  const total = Math.max(1, p.total);
  return (
    <svg width="100%" height="16" viewBox="0 0 100 16" preserveAspectRatio="none" role="progressbar" aria-valuenow={String(donePercent(p))} aria-valuemin="0" aria-valuemax="100">
      <rect x="0" y="0" width="100" height="16" rx="3" fill="#eef1ef" />
      {parts.map(([color, n]) => {
        const w = (n / total) * 100;
        const r = <rect x={String(x)} y="0" width={String(w)} height="16" fill={color} />;
        x += w;
        return r;
      })}
    </svg>
  );
}

export function BroadcastsListPage({ t, rows, fmt }: { t: T; rows: { b: Broadcast; p: Progress | null }[]; fmt: (ms: number) => string }) {
  return (
    // Refreshed while something is sending (the shared app script re-reads [data-refresh] regions).
    <div class="card" id="bc-list" {...(rows.some(({ b }) => LIVE.has(b.status)) ? { "data-refresh": "5000" } : {})}>
      <p>
        <a href="/app/broadcasts/new">
          <button type="button">{t("bc_new")}</button>
        </a>
      </p>
      <DataTable
        headers={[t("bc_name"), t("bc_status"), t("bc_progress"), t("bc_created")]}
        rows={rows}
        empty={t("bc_none")}
        row={({ b, p }) => (
          <tr data-broadcast={b.id}>
            <td>
              <a href={`/app/broadcasts/${b.id}`}>{b.name}</a>
            </td>
            <td>
              <span class={`pill bc-${b.status}`} data-status={b.status}>
                {stateLabel(t, b.status)}
              </span>
              {b.statusReason ? <div class="muted">{reasonLabel(t, b.statusReason)}</div> : null}
            </td>
            <td style="min-width:200px">
              {p ? (
                <>
                  <ProgressBar p={p} />
                  <span class="muted">
                    {donePercent(p)}% · {p.sent + p.delivered + p.read}/{p.total}
                  </span>
                </>
              ) : (
                "—"
              )}
            </td>
            <td>{fmt(b.createdAt)}</td>
          </tr>
        )}
      />
    </div>
  );
}

type ImportChoice = { id: string; fileName: string | null; created: number; merged: number; createdAt: number };

function LabelChecks({ name, labels }: { name: string; labels: Label[] }) {
  return (
    <div class="checks">
      {labels.map((l) => (
        <label class="check">
          <input type="checkbox" name={name} value={l.id} data-audience /> {l.name}
        </label>
      ))}
    </div>
  );
}

export function BroadcastComposePage(props: {
  t: T;
  devices: Device[];
  labels: Label[];
  fields: { key: string; label: string }[];
  imports: ImportChoice[];
  timeZone: string;
  fmt: (ms: number) => string;
}) {
  const { t, labels } = props;
  const reasons = Object.fromEntries(SKIP_REASONS.map((r) => [r, skipLabel(t, r)]));
  if (props.devices.length === 0) return <p class="card">{t("bc_no_devices")}</p>;
  return (
    <form id="bc-compose" data-tz={props.timeZone}>
      <div class="card">
        <div class="row">
          <div>
            <label for="bc-name">{t("bc_name")}</label>
            <input id="bc-name" name="name" required maxlength={120} />
          </div>
          <div>
            <label for="bc-device">{t("bc_device")}</label>
            <select id="bc-device" name="device_key">
              {props.devices.map((d) => (
                <option value={d.deviceKey}>
                  {d.name} ({d.provider}){d.phone ? ` · ${d.phone}` : ""}
                </option>
              ))}
            </select>
          </div>
        </div>
      </div>
      <div class="cols">
        <div class="card">
          <h3>{t("bc_message")}</h3>
          <p class="muted">{t("bc_message_help")}</p>
          <label for="bc-text-0">{t("bc_text")}</label>
          <textarea id="bc-text-0" data-text rows={4} style="width:100%" required>
            {"{Halo|Hai|Selamat pagi} {name}, "}
          </textarea>
          {[1, 2].map((i) => (
            <>
              <label for={`bc-text-${i}`}>{t("bc_alt_text")}</label>
              <textarea id={`bc-text-${i}`} data-text rows={2} style="width:100%"></textarea>
            </>
          ))}
          <label for="bc-defaults">{t("bc_defaults")}</label>
          <textarea id="bc-defaults" rows={2} style="width:100%">
            name=Kak
          </textarea>
          <p class="muted">
            {t("bc_fields_available")}: <code>{"{name}"}</code>{" "}
            {props.fields.map((f) => (
              <>
                <code title={f.label}>{`{${f.key}}`}</code>{" "}
              </>
            ))}
          </p>
        </div>
        <div class="card" id="bc-preview-card">
          <h3>{t("bc_preview")}</h3>
          <p class="muted">{t("bc_preview_hint")}</p>
          <p>
            {t("bc_variants")}: <b id="bc-variants">—</b>
          </p>
          <p id="bc-warning" class="banner" hidden></p>
          <ol id="bc-preview"></ol>
        </div>
      </div>
      <div class="card">
        <h3>{t("bc_audience")}</h3>
        <div class="cols">
          <div>
            <label>{t("bc_labels_all")}</label>
            <LabelChecks name="labels_all" labels={labels} />
            <label>{t("bc_labels_any")}</label>
            <LabelChecks name="labels_any" labels={labels} />
            <label>{t("bc_exclude")}</label>
            <LabelChecks name="exclude_labels" labels={labels} />
            <label for="bc-imports">
              {t("bc_import")} (<a href="/app/contacts/import">{t("crm_import")}</a>)
            </label>
            <select id="bc-imports" data-audience>
              <option value="">{t("bc_import_none")}</option>
              {props.imports.map((i) => (
                <option value={i.id}>
                  {i.fileName ?? i.id.slice(0, 8)} · {props.fmt(i.createdAt)} · {i.created + i.merged}
                </option>
              ))}
            </select>
            {/* Through the CRM import (custom columns become fields); the finished import is then chosen above. */}
            <label for="bc-csv">{t("bc_csv_upload")}</label>
            <input id="bc-csv" type="file" accept=".csv,text/csv" data-running={t("bc_csv_running")} data-done={t("bc_csv_done")} />
            <div id="bc-csv-out" class="out"></div>
          </div>
          <div>
            <label for="bc-contact-q">{t("bc_contact_search")}</label>
            <div class="row">
              <input id="bc-contact-q" type="search" autocomplete="off" />
            </div>
            <ul id="bc-contact-results" class="picks" data-add={t("bc_add")}></ul>
            <label>{t("bc_contacts")}</label>
            <ul id="bc-chosen" class="picks" data-remove={t("bc_remove")}></ul>
          </div>
        </div>
        <div id="bc-count" class="count" data-reasons={JSON.stringify(reasons)}>
          <b>{t("bc_count")}:</b> <span data-k="total">—</span> {t("bc_count_total")} · <b data-k="sendable">—</b> {t("bc_count_sendable")} ·{" "}
          <span data-k="skipped">—</span> {t("bc_count_skipped")} <span class="muted" data-k="reasons"></span>
        </div>
      </div>
      <div class="card">
        <h3>{t("bc_schedule")}</h3>
        <div class="row">
          <label class="check">
            <input type="radio" name="when" value="now" checked /> {t("bc_start_now")}
          </label>
          <label class="check">
            <input type="radio" name="when" value="at" /> {t("bc_start_at")}
          </label>
          <input id="bc-start-at" type="datetime-local" />
          <span class="muted">{props.timeZone}</span>
        </div>
        <label>{t("bc_window")}</label>
        <div class="row">
          <input id="bc-window-start" type="time" value="08:00" style="min-width:0" />
          <span>–</span>
          <input id="bc-window-end" type="time" value="21:00" style="min-width:0" />
        </div>
        <p class="muted">{t("bc_window_help")}</p>
        <label>{t("bc_days")}</label>
        <div class="checks">
          {[1, 2, 3, 4, 5, 6, 7].map((d) => (
            <label class="check">
              <input type="checkbox" name="days" value={String(d)} checked /> {t(`bc_day_${d}` as MessageKey)}
            </label>
          ))}
        </div>
      </div>
      <div class="card row">
        <button type="button" id="bc-save" class="ghost">
          {t("bc_save_draft")}
        </button>
        <button type="button" id="bc-save-start">
          {t("bc_save_start")}
        </button>
        <div id="bc-out" class="out"></div>
      </div>
      <script src={scriptUrl("broadcast-compose")} defer></script>
    </form>
  );
}

function Controls({ t, b }: { t: T; b: Broadcast }) {
  const api = `/api/v1/broadcasts/${b.id}`;
  const action = (name: "start" | "pause" | "resume" | "cancel", cls = "", confirm?: string) => (
    <form data-api={`${api}/${name}`} data-confirm={confirm} id={`bc-${name}`}>
      <button class={cls}>{t(`bc_${name}` as MessageKey)}</button>
      <div data-out class="out"></div>
    </form>
  );
  return (
    <div class="row">
      {b.status === "draft" ? action("start") : null}
      {LIVE.has(b.status) ? action("pause", "ghost") : null}
      {b.status === "paused" || b.status === "auto_paused" ? action("resume") : null}
      {b.status !== "cancelled" && b.status !== "completed" ? action("cancel", "danger", t("bc_cancel_confirm")) : null}
      {b.status === "draft" || b.status === "completed" || b.status === "cancelled" ? (
        <form data-api={api} data-method="DELETE" data-redirect="/app/broadcasts" data-confirm={t("bc_delete")}>
          <button class="ghost">{t("bc_delete")}</button>
          <div data-out class="out"></div>
        </form>
      ) : null}
    </div>
  );
}

export function BroadcastDetailPage(props: {
  t: T;
  b: Broadcast;
  p: Progress;
  recipients: RecipientRow[];
  status: string | undefined;
  nextAfter: number | null;
  preview: string[];
  fmt: (ms: number) => string;
}) {
  const { t, b, p } = props;
  const live = LIVE.has(b.status);
  const refresh = live ? { "data-refresh": "2000" } : {};
  return (
    <>
      <div class="card" id="bc-state" {...refresh}>
        <p>
          {t("bc_status")}:{" "}
          <span class={`pill bc-${b.status}`} id="bc-status" data-status={b.status}>
            {stateLabel(t, b.status)}
          </span>
          {b.startedAt ? <span class="muted"> · {props.fmt(b.startedAt)}</span> : null}
        </p>
        {b.statusReason ? (
          <p class="banner" id="bc-reason" data-reason={b.statusReason}>
            {t("bc_reason")}: <b>{reasonLabel(t, b.statusReason)}</b>
            {b.status === "auto_paused" ? <span class="muted"> — {t("bc_resume_help")}</span> : null}
          </p>
        ) : null}
        <ProgressBar p={p} />
        <p class="muted" id="bc-percent">
          {donePercent(p)}%
        </p>
        <div class="counters" id="bc-counters">
          {COUNTERS.map((k) => (
            <div class="counter">
              <b data-k={k}>{p[k]}</b>
              <span class="muted">{t(`bc_c_${k}` as MessageKey)}</span>
            </div>
          ))}
        </div>
        {p.skipped ? (
          <p class="muted">
            {Object.entries(p.skipped_reasons)
              .map(([r, n]) => `${skipLabel(t, r)}: ${n}`)
              .join(" · ")}
          </p>
        ) : null}
        <Controls t={t} b={b} />
      </div>
      {props.preview.length ? (
        <div class="card">
          <h3>{t("bc_preview")}</h3>
          <ol>
            {props.preview.map((x) => (
              <li>
                <pre class="msg">{x}</pre>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      <div class="card">
        <h3>{t("bc_recipients")}</h3>
        <form method="get" class="row">
          <select name="status" id="bc-status-filter">
            <option value="">{t("bc_all_statuses")}</option>
            {RECIPIENT_STATUSES.map((s) => (
              <option value={s} selected={props.status === s}>
                {s}
              </option>
            ))}
          </select>
          <button class="ghost">OK</button>
        </form>
        <div id="bc-recipients" {...refresh}>
        <DataTable
          headers={["#", t("name"), t("phone"), t("bc_status"), t("bc_text_sent"), t("bc_error")]}
          rows={props.recipients}
          empty={t("bc_no_recipients")}
          row={(r) => (
            <tr data-seq={String(r.seq)}>
              <td>{r.seq}</td>
              <td>
                <a href={`/app/contacts/${r.contact_id}`}>{r.name ?? "—"}</a>
              </td>
              <td>{r.phone ?? "—"}</td>
              <td>
                <span class={`pill ${r.status}`} data-status={r.status}>
                  {r.status}
                </span>
              </td>
              <td>
                <pre class="msg">{r.text ?? ""}</pre>
              </td>
              <td class="muted">{r.skip_reason ? skipLabel(t, r.skip_reason) : (r.error ?? "")}</td>
            </tr>
          )}
        />
        {props.nextAfter !== null ? (
          <p>
            <a href={`?${new URLSearchParams({ ...(props.status ? { status: props.status } : {}), after: String(props.nextAfter) })}`}>{t("bc_next_page")}</a>
          </p>
        ) : null}
        </div>
      </div>
    </>
  );
}
