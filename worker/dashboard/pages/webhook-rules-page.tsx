import type { Device } from "../../db/devices";
import { RULE_SOURCES, type RuleSource } from "../../db/schema";
import { COMPARISON_OPERATORS } from "../../webhooks/rules/conditions";
import type { WebhookRule } from "../../db/webhook-rules";
import { SOURCES, sourceById } from "../../webhooks/sources";
import type { T } from "../i18n";
import { DataTable } from "../components/data-table";
import { JsonScript } from "../components/json-script";
import { scriptUrl } from "../static-scripts";

const CUSTOM_SAMPLE = { event: "lead.created", id: "lead_1", customer: { name: "Sari", phone: "0812-3456-7890" } };

/** A starting rule per source, so a new rule previews against its sample at once. */
const EXAMPLES: Record<RuleSource, { conditions: unknown; template: string }> = {
  scalev: {
    conditions: { operator: "AND", rules: [{ field: "event", operator: "equals", value: "order.created" }] },
    template:
      "Halo {{data.destination_address.name}},\nTerima kasih sudah order {{data.order_id}}.\nTotal: {{data.net_revenue | rupiah}}\nStatus: {{data.status}}",
  },
  lynk: {
    conditions: { operator: "AND", rules: [{ field: "event", operator: "equals", value: "payment.received" }] },
    template:
      'Halo {{data.message_data.customer.name}},\npembayaran {{data.message_data.items.0.title}} sebesar {{data.message_data.totals.grandTotal | rupiah}} sudah kami terima ({{data.message_data.createdAt | date:"DD MMM YYYY HH:mm"}}).',
  },
  custom: {
    conditions: { operator: "AND", rules: [{ field: "event", operator: "equals", value: "lead.created" }] },
    template: "Halo {{customer.name}}, terima kasih sudah menghubungi kami.",
  },
  any: {
    conditions: { operator: "AND", rules: [{ field: "event", operator: "exists" }] },
    template: 'Halo {{customer.name | default:"Kak"}}, ada kabar baru: {{event}}',
  },
};

function sourceLabel(t: T, s: RuleSource): string {
  return s === "any" ? t("wr_source_any") : sourceById(s).label;
}


export function WebhookRulesPage({
  t,
  rules,
  devices,
  editing,
}: {
  t: T;
  rules: WebhookRule[];
  devices: Device[];
  editing: WebhookRule | null;
}) {
  const deviceName = new Map(devices.map((d) => [d.deviceKey, d.name]));
  const source: RuleSource = editing?.source ?? "scalev";
  const samples = Object.fromEntries([...SOURCES.map((s) => [s.id, s.sample ?? CUSTOM_SAMPLE]), ["any", CUSTOM_SAMPLE]]);
  const phones = Object.fromEntries(SOURCES.map((s) => [s.id, s.customer.phone]));
  const editorData = {
    ruleId: editing?.id ?? null,
    samples,
    operators: COMPARISON_OPERATORS,
    examples: Object.fromEntries(
      Object.entries(EXAMPLES).map(([k, v]) => [k, { conditions: JSON.stringify(v.conditions, null, 2), template: v.template }]),
    ),
    phones,
    t: {
      bad_json: t("wr_bad_json"),
      conditions: t("wr_conditions"),
      sample: t("wr_sample"),
      matched: t("wr_matched"),
      not_matched: t("wr_not_matched"),
      preview: t("wr_preview"),
      phone: t("wr_phone"),
      warnings: t("wr_warnings"),
      trace: t("wr_trace"),
      cols: [t("wr_field"), t("wr_actual"), t("wr_operator"), t("wr_expected"), t("wr_result")],
      field: t("wr_field"),
      value: t("wr_value"),
      remove: t("delete"),
      nested: t("wr_builder_nested"),
    },
  };
  return (
    <>
      <div class="card">
        <h3>{t("wr_rules")}</h3>
        <DataTable
          headers={[t("wr_priority"), t("wr_name"), t("wr_source"), t("wr_device"), t("status"), t("actions")]}
          rows={rules}
          empty={t("wr_none")}
          row={(r) => (
            <tr>
              <td>{r.priority}</td>
              <td>
                <a href={`/app/webhook-rules?id=${r.id}`}>{r.name}</a>
              </td>
              <td>{sourceLabel(t, r.source)}</td>
              <td>{deviceName.get(r.deviceKey) ?? r.deviceKey}</td>
              <td>
                <span class="pill">{r.active ? t("wr_active") : t("wr_inactive")}</span>
              </td>
              <td class="row">
                <a href={`/app/webhook-rules?id=${r.id}`}>{t("wr_edit")}</a>
                <form data-api={`/api/v1/webhook-rules/${r.id}`} data-method="DELETE" data-confirm={t("confirm_delete")}>
                  <button class="danger">{t("delete")}</button>
                </form>
              </td>
            </tr>
          )}
        />
      </div>
      <div class="card">
        <h3>{editing ? `${t("wr_edit")}: ${editing.name}` : t("wr_add")}</h3>
        {devices.length === 0 ? <p class="banner">{t("wr_need_device")}</p> : null}
        <form id="rule-form" class="editor">
          <div class="row">
            <div>
              <label>{t("wr_name")}</label>
              <input name="name" required maxlength={120} value={editing?.name ?? ""} />
            </div>
            <div>
              <label>{t("wr_source")}</label>
              <select name="source">
                {RULE_SOURCES.map((s) => (
                  <option value={s} selected={s === source}>
                    {sourceLabel(t, s)}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label>{t("wr_priority")}</label>
              <input name="priority" type="number" min={0} max={10000} value={String(editing?.priority ?? 100)} style="min-width:90px" />
            </div>
            <div>
              <label>
                <input name="active" type="checkbox" checked={editing?.active ?? true} style="min-width:0" /> {t("wr_active")}
              </label>
            </div>
          </div>
          <p class="muted">{t("wr_priority_help")}</p>
          <div class="row">
            <div>
              <label>{t("wr_device")}</label>
              <select name="device_key">
                {devices.map((d) => (
                  <option value={d.deviceKey} selected={d.deviceKey === editing?.deviceKey}>
                    {d.name} ({d.provider})
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label>{t("wr_phone_field")}</label>
              <input
                name="phone_field"
                required
                value={editing?.phoneField ?? sourceById(source === "any" ? "custom" : source).customer.phone}
              />
            </div>
          </div>
          <div class="cols">
            <div>
              <label>{t("wr_builder")}</label>
              <div id="cond-builder" class="builder">
                <select id="cond-op">
                  <option value="AND">{t("wr_builder_and")}</option>
                  <option value="OR">{t("wr_builder_or")}</option>
                </select>
                <div id="cond-rows"></div>
                <button type="button" class="ghost" id="cond-add">
                  {t("wr_builder_add")}
                </button>
                <datalist id="cond-fields"></datalist>
              </div>
              <label>{t("wr_conditions")}</label>
              <textarea name="conditions" rows={8} spellcheck={false}>
                {JSON.stringify(editing?.conditions ?? EXAMPLES[source].conditions, null, 2)}
              </textarea>
              <p class="muted">{t("wr_conditions_help")}</p>
              <label>{t("wr_template")}</label>
              <textarea name="template" rows={8}>
                {editing?.template ?? EXAMPLES[source].template}
              </textarea>
              <p class="muted">{t("wr_template_help")}</p>
            </div>
            <div>
              <label>{t("wr_sample")}</label>
              <textarea name="sample" rows={18} spellcheck={false}>
                {JSON.stringify(samples[source], null, 2)}
              </textarea>
            </div>
          </div>
          <p class="row">
            <button>{t("save")}</button>
            <button type="button" class="ghost" id="rule-test">
              {t("wr_test")}
            </button>
            {editing ? <a href="/app/webhook-rules">{t("wr_cancel")}</a> : null}
          </p>
          <div id="rule-error" class="out err"></div>
        </form>
        <div id="rule-preview"></div>
      </div>
      <JsonScript id="rule-editor-data" data={editorData} />
      <script src={scriptUrl("rule-editor")} defer></script>
    </>
  );
}
