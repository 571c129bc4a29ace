// The campaigns pages: the list, the campaign builder (steps edited in the browser by dashboard-client/
// campaign-builder.ts, which posts the JSON the API takes) and a campaign's funnel drawn as server-side bars.
import type { Campaign } from "../../db/campaigns";
import type { EnrollmentItem, Funnel } from "../../db/campaign-enrollments";
import type { Device } from "../../db/devices";
import type { Label } from "../../db/labels";
import type { WebhookRule } from "../../db/webhook-rules";
import type { CampaignStep } from "../../campaigns/steps";
import { CountBars } from "../components/bar-chart";
import { DataTable } from "../components/data-table";
import type { MessageKey, T } from "../i18n";
import { scriptUrl } from "../static-scripts";

type Options = { devices: Device[]; labels: Label[]; rules: WebhookRule[] };

const STEP_KEY: Record<CampaignStep["type"], MessageKey> = { wait: "cmp_step_wait", condition: "cmp_step_condition", send: "cmp_step_send" };
const CHECK_KEY = { has_label: "cmp_check_has_label", lacks_label: "cmp_check_lacks_label", no_reply: "cmp_check_no_reply", field_equals: "cmp_check_field_equals" } as const;

function LabelSelect(props: { name: string; labels: Label[]; value?: string }) {
  return (
    <select name={props.name}>
      {props.labels.map((l) => (
        <option value={l.id} selected={l.id === props.value}>
          {l.name}
        </option>
      ))}
    </select>
  );
}

/** One step's fields; `data-step` names its type, the builder script reads the named fields inside it. */
function StepFields(props: { t: T; step: CampaignStep; labels: Label[] }) {
  const { t, step: s } = props;
  return (
    <fieldset class="card" data-step={s.type}>
      <legend>{t(STEP_KEY[s.type])}</legend>
      {s.type === "wait" ? (
        <div class="row">
          <label>
            <input name="days" type="number" min="0" max="365" value={String(s.days)} /> {t("cmp_days_unit")}
          </label>
          <label>
            <input name="hours" type="number" min="0" max="23" value={String(s.hours)} /> {t("cmp_hours_unit")}
          </label>
          <label>
            <input name="minutes" type="number" min="0" max="59" value={String(s.minutes)} /> {t("cmp_minutes_unit")}
          </label>
        </div>
      ) : null}
      {s.type === "condition" ? (
        <div class="grid">
          <select name="kind">
            {(Object.keys(CHECK_KEY) as (keyof typeof CHECK_KEY)[]).map((k) => (
              <option value={k} selected={s.check.kind === k}>
                {t(CHECK_KEY[k])}
              </option>
            ))}
          </select>
          <LabelSelect name="label_id" labels={props.labels} value={"label_id" in s.check ? s.check.label_id : undefined} />
          <input name="key" placeholder={t("cmp_field_key")} value={s.check.kind === "field_equals" ? s.check.key : ""} />
          <input name="value" placeholder={t("cmp_field_value")} value={s.check.kind === "field_equals" ? s.check.value : ""} />
          <label>
            {t("cmp_otherwise")}
            <select name="otherwise">
              <option value="exit" selected={s.otherwise === "exit"}>
                {t("cmp_otherwise_exit")}
              </option>
              <option value="skip_next" selected={s.otherwise === "skip_next"}>
                {t("cmp_otherwise_skip")}
              </option>
            </select>
          </label>
        </div>
      ) : null}
      {s.type === "send" && s.message.type !== undefined && s.message.type !== "text" ? (
        // A saved template, media or Meta template (set through the API): shown, kept as it is on save.
        <p class="muted" data-message={JSON.stringify(s.message)}>
          {t("cmp_message_kind")}: {s.message.type === "template" ? (s.message.resolved?.name ?? s.message.template_id) : s.message.type === "meta_template" ? `${s.message.name} (${s.message.language})` : s.message.type === "media" ? (s.message.resolved?.kind ?? "media") : ""}
        </p>
      ) : null}
      {s.type === "send" && (s.message.type === undefined || s.message.type === "text") ? (
        <>
          <label>{t("cmp_texts")}</label>
          <textarea name="texts" rows={4}>
            {s.message.texts.join("\n---\n")}
          </textarea>
          <label>{t("cmp_name_default")}</label>
          <input name="name_default" value={s.message.variable_defaults.name ?? ""} />
        </>
      ) : null}
      <button type="button" class="ghost" data-remove-step>
        {t("cmp_remove")}
      </button>
    </fieldset>
  );
}

const BLANK: Record<CampaignStep["type"], CampaignStep> = {
  wait: { type: "wait", days: 3, hours: 0, minutes: 0 },
  condition: { type: "condition", check: { kind: "no_reply" }, otherwise: "exit" },
  send: { type: "send", message: { texts: ["{Halo|Hai} {name}, terima kasih sudah berbelanja!"], variable_defaults: { name: "Kak" } } },
};

/** The campaign builder: create (POST) or edit (PATCH) with its steps. */
type BuilderWindow = { window_start: string; window_end: string; days?: number[]; pacing?: unknown };

export function CampaignBuilder(props: { t: T; campaign: Campaign | null; steps: CampaignStep[]; window: BuilderWindow; opts: Options }) {
  const { t, campaign: k, opts } = props;
  const locked = k?.status === "active";
  const trigger = k?.triggerType ?? "manual";
  return (
    <form
      class="card"
      data-campaign-builder
      data-url={k ? `/api/v1/campaigns/${k.id}` : "/api/v1/campaigns"}
      data-method={k ? "PATCH" : "POST"}
      data-locked={locked ? "1" : undefined}
    >
      <h3>{k ? t("cmp_edit") : t("cmp_new")}</h3>
      {locked ? <p class="muted">{t("cmp_active_locked")}</p> : null}
      <div class="grid">
        <label>
          {t("cmp_name")}
          <input name="name" required maxlength={120} value={k?.name ?? ""} />
        </label>
        <label>
          {t("cmp_device")}
          <select name="device_key" disabled={locked}>
            {opts.devices.map((d) => (
              <option value={d.deviceKey} selected={d.deviceKey === k?.deviceKey}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("cmp_trigger")}
          <select name="trigger_type" disabled={locked}>
            {(["webhook_rule", "label_added", "manual"] as const).map((ty) => (
              <option value={ty} selected={ty === trigger}>
                {t(`cmp_trigger_${ty}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("cmp_rule")}
          <select name="rule_id" disabled={locked}>
            {opts.rules.map((r) => (
              <option value={r.id} selected={trigger === "webhook_rule" && r.id === k?.triggerRef}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("cmp_label")}
          <LabelSelect name="trigger_label_id" labels={opts.labels} value={trigger === "label_added" ? (k?.triggerRef ?? undefined) : undefined} />
        </label>
        <label>
          {t("cmp_window")}
          <span class="row">
            <input name="window_start" type="time" value={props.window.window_start} /> – <input name="window_end" type="time" value={props.window.window_end} />
          </span>
        </label>
        <label>
          {t("bc_days")}
          {/* The window's pacing overrides (API-only) ride along unchanged, so a save from here keeps them. */}
          <span class="row" data-window-pacing={props.window.pacing === undefined ? undefined : JSON.stringify(props.window.pacing)}>
            {[1, 2, 3, 4, 5, 6, 7].map((d) => (
              <label style="margin:0">
                <input type="checkbox" name="window_days" value={String(d)} checked={(props.window.days ?? [1, 2, 3, 4, 5, 6, 7]).includes(d)} style="min-width:0" />{" "}
                {t(`bc_day_${d}` as MessageKey)}
              </label>
            ))}
          </span>
        </label>
      </div>
      <label>
        <input type="checkbox" name="exit_on_reply" checked={k ? k.exitOnReply : true} /> {t("cmp_exit_on_reply")}
      </label>
      <label>{t("cmp_labels")}</label>
      <div class="row">
        {opts.labels.map((l) => (
          <label>
            <input type="checkbox" name="label_ids" value={l.id} checked={k?.labelIds.includes(l.id) ?? false} /> {l.name}
          </label>
        ))}
      </div>
      <h4>{t("cmp_steps")}</h4>
      <div data-steps data-disabled={locked ? "1" : undefined}>
        {props.steps.map((s) => (
          <StepFields t={t} step={s} labels={opts.labels} />
        ))}
      </div>
      {(["wait", "condition", "send"] as const).map((ty) => (
        <template data-step-template={ty}>
          <StepFields t={t} step={BLANK[ty]} labels={opts.labels} />
        </template>
      ))}
      <div class="row">
        <button type="button" class="ghost" data-add-step="wait" disabled={locked}>
          {t("cmp_add_wait")}
        </button>
        <button type="button" class="ghost" data-add-step="condition" disabled={locked}>
          {t("cmp_add_condition")}
        </button>
        <button type="button" class="ghost" data-add-step="send" disabled={locked}>
          {t("cmp_add_send")}
        </button>
        <button type="submit">{k ? t("cmp_save") : t("cmp_create")}</button>
      </div>
      <p data-out class="out"></p>
      <script src={scriptUrl("campaign-builder")} defer></script>
    </form>
  );
}

export function CampaignsPage(props: { t: T; campaigns: Campaign[]; labels: Label[]; labelId: string | null; opts: Options }) {
  const { t } = props;
  const labelName = new Map(props.labels.map((l) => [l.id, l.name]));
  return (
    <>
      <p class="muted">{t("cmp_help")}</p>
      <form method="get" class="row card">
        <label>
          {t("cmp_labels")}
          <select name="label_id">
            <option value="">{t("cmp_all")}</option>
            {props.labels.map((l) => (
              <option value={l.id} selected={l.id === props.labelId}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        <button class="ghost">OK</button>
      </form>
      <div class="card">
        <DataTable
          id="campaigns"
          headers={[t("cmp_name"), t("cmp_trigger"), t("cmp_status"), t("cmp_labels")]}
          rows={props.campaigns}
          empty={t("cmp_none")}
          row={(k) => (
            <tr data-campaign={k.id}>
              <td>
                <a href={`/app/campaigns/${k.id}`}>{k.name}</a>
              </td>
              <td>{t(`cmp_trigger_${k.triggerType}`)}</td>
              <td>{k.status === "active" ? t("cmp_status_active") : t("cmp_status_inactive")}</td>
              <td>{k.labelIds.map((id) => labelName.get(id) ?? "").filter(Boolean).join(", ")}</td>
            </tr>
          )}
        />
      </div>
      <CampaignBuilder t={t} campaign={null} steps={[BLANK.send, BLANK.wait, BLANK.condition, BLANK.send]} window={{ window_start: "08:00", window_end: "21:00" }} opts={props.opts} />
    </>
  );
}

export function CampaignDetailPage(props: { t: T; campaign: Campaign; steps: CampaignStep[]; window: BuilderWindow; funnel: Funnel; enrollments: EnrollmentItem[]; fmt: (ms: number) => string; opts: Options }) {
  const { t, campaign: k, funnel: f } = props;
  const bars = [
    { label: t("cmp_enrolled"), value: f.enrolled },
    ...props.steps.map((s, i) => ({ label: `${i + 1}. ${t(STEP_KEY[s.type])}`, value: f.steps[i] ?? 0 })),
    { label: t("cmp_replied"), value: f.replied },
    { label: t("cmp_left"), value: f.left },
  ];
  return (
    <>
      <div class="card row">
        <b>{k.status === "active" ? t("cmp_status_active") : t("cmp_status_inactive")}</b>
        <form data-api={`/api/v1/campaigns/${k.id}/${k.status === "active" ? "deactivate" : "activate"}`}>
          <button>{k.status === "active" ? t("cmp_deactivate") : t("cmp_activate")}</button>
        </form>
        <form data-api={`/api/v1/campaigns/${k.id}`} data-method="DELETE" data-confirm={t("cmp_delete_confirm")} data-redirect="/app/campaigns">
          <button class="ghost">{t("cmp_delete")}</button>
        </form>
      </div>
      <div class="card" data-funnel>
        <h3>{t("cmp_funnel")}</h3>
        <CountBars items={bars} />
      </div>
      <CampaignBuilder t={t} campaign={k} steps={props.steps} window={props.window} opts={props.opts} />
      <form class="card" data-api={`/api/v1/campaigns/${k.id}/enrollments`} data-done="✓">
        <label>{t("cmp_enrol_manual")}</label>
        <input name="contact_ids" data-type="csv" required />
        <button>{t("cmp_enrol")}</button>
        <p data-out class="out"></p>
      </form>
      <div class="card">
        <h3>{t("cmp_enrollments")}</h3>
        <DataTable
          headers={[t("cmp_contact"), t("cmp_status"), t("cmp_step_n"), t("cmp_next_at"), t("cmp_exit_reason")]}
          rows={props.enrollments}
          empty="—"
          row={(e) => (
            <tr>
              <td>
                <a href={`/app/contacts/${e.contact_id}`}>{e.name ?? e.phone ?? e.contact_id}</a>
              </td>
              <td>{e.status}</td>
              <td>{e.step < 0 ? "—" : String(e.step + 1)}</td>
              <td>{e.status === "active" ? props.fmt(e.next_at) : "—"}</td>
              <td>{e.exit_reason ?? ""}</td>
            </tr>
          )}
        />
      </div>
    </>
  );
}
