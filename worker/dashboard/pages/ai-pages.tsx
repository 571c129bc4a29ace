// The AI page (settings, "try it", usage chart, knowledge editor) and the keyword auto-replies page. Plain forms
// handled by the dashboard's shared form script (dashboard-client/app.ts); the usage chart is server-drawn bars.
import type { AiSettings } from "../../db/ai-settings";
import type { AutoReplyRule } from "../../db/auto-replies";
import type { ConversationRow } from "../../db/conversations";
import type { Device } from "../../db/devices";
import type { KnowledgeEntry } from "../../db/knowledge";
import { AUTO_REPLY_MATCHES, KNOWLEDGE_KINDS } from "../../db/schema";
import type { Template } from "../../db/templates";
import type { Child } from "hono/jsx";
import type { T } from "../i18n";

/** Save button and the form's result line. */
function SaveRow({ t }: { t: T }) {
  return (
    <>
      <p>
        <button>{t("save")}</button>
      </p>
      <div data-out class="out"></div>
    </>
  );
}

/** One saved item: its edit form (PATCH) and a delete form. */
function EditableItem({ t, api, label, children }: { t: T; api: string; label: string; children: Child }) {
  return (
    <div class="card">
      <form data-api={api} data-method="PATCH">
        {children}
        <SaveRow t={t} />
      </form>
      <form data-api={api} data-method="DELETE" data-confirm={`${t("delete")} ${label}?`}>
        <button>{t("delete")}</button>
      </form>
    </div>
  );
}

export type AiPageProps = {
  t: T;
  settings: AiSettings;
  enabledDevices: string[];
  webChat: boolean;
  devices: Device[];
  usage: { day: string; tokens: number }[];
  limit: number | null;
  knowledge: KnowledgeEntry[];
};

function UsageChart({ t, usage, limit }: { t: T; usage: AiPageProps["usage"]; limit: number | null }) {
  const max = Math.max(1, limit ?? 0, ...usage.map((u) => u.tokens));
  return (
    <div class="card">
      <h3>{t("ai_usage")}</h3>
      <p class="muted">
        {t("ai_usage_limit")}: {limit === null ? "∞" : limit.toLocaleString("id-ID")}
      </p>
      <div style="display:flex;align-items:flex-end;gap:2px;height:120px" role="img" aria-label={t("ai_usage")}>
        {usage.map((u) => (
          <div title={`${u.day}: ${u.tokens.toLocaleString("id-ID")}`} style={`flex:1;background:#25d366;height:${Math.round((u.tokens / max) * 100)}%;min-height:1px`}></div>
        ))}
      </div>
      <p class="muted">
        {usage[0]?.day} – {usage.at(-1)?.day}
      </p>
    </div>
  );
}

/** Minutes after midnight → "HH:MM" for a time input. */
function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60) % 24).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

export function AiPage(p: AiPageProps) {
  const { t, settings: s } = p;
  return (
    <>
      <div class="card">
        <h3>{t("ai_settings")}</h3>
        <form data-api="/api/v1/ai-settings" data-method="PUT">
          <label>{t("ai_channels")}</label>
          {p.devices.map((d) => (
            <label>
              <input type="checkbox" name="device_keys" value={d.deviceKey} data-list checked={p.enabledDevices.includes(d.deviceKey)} /> {d.name}
            </label>
          ))}
          <label>
            <input type="checkbox" name="web_chat" checked={p.webChat} /> {t("ai_web_chat")}
          </label>
          <label>{t("ai_persona")}</label>
          <textarea name="persona" rows={3} style="width:100%" maxlength={2000}>{s.persona}</textarea>
          <label>{t("ai_instructions")}</label>
          <textarea name="instructions" rows={4} style="width:100%" maxlength={4000}>{s.instructions}</textarea>
          <div class="row">
            <div>
              <label>{t("ai_model")}</label>
              <input name="model" value={s.model} required />
            </div>
            <div>
              <label>{t("ai_temperature")}</label>
              <input name="temperature" data-type="number" type="number" step="0.1" min="0" max="2" value={String(s.temperature)} />
            </div>
            <div>
              <label>{t("ai_max_reply_chars")}</label>
              <input name="max_reply_chars" data-type="number" type="number" min="100" max="4000" value={String(s.maxReplyChars)} />
            </div>
          </div>
          <label>{t("ai_base_url")}</label>
          <input name="base_url" type="url" value={s.baseUrl} required style="width:100%" />
          <label>
            {t("ai_api_key")} {s.apiKeyEnc ? `(${t("ai_key_set")})` : ""}
          </label>
          <input name="api_key" type="password" autocomplete="off" data-optional />
          <div class="row">
            <div>
              <label>{t("ai_hours_mode")}</label>
              <select name="hours_mode">
                <option value="always" selected={s.hoursMode === "always"}>
                  {t("ai_hours_always")}
                </option>
                <option value="outside_hours" selected={s.hoursMode === "outside_hours"}>
                  {t("ai_hours_outside")}
                </option>
              </select>
            </div>
            <div>
              <label>{t("ai_debounce_ms")}</label>
              <input name="debounce_ms" data-type="number" type="number" min="0" max="60000" value={String(s.debounceMs)} />
            </div>
            <div>
              <label>{t("ai_handoff_minutes")}</label>
              <input name="handoff_minutes" data-type="number" type="number" min="0" value={String(s.handoffMinutes)} />
            </div>
            <div>
              <label>{t("ai_human_silence_minutes")}</label>
              <input name="human_silence_minutes" data-type="number" type="number" min="0" value={String(s.humanSilenceMinutes)} />
            </div>
          </div>
          <div class="row">
            <div>
              <label>{t("ai_hours_start")}</label>
              <input name="hours_start" type="time" data-type="minutes" value={hhmm(s.hoursStart)} />
            </div>
            <div>
              <label>{t("ai_hours_end")}</label>
              <input name="hours_end" type="time" data-type="minutes" value={hhmm(s.hoursEnd)} />
            </div>
          </div>
          <label>{t("ai_handoff_keywords")}</label>
          <input name="handoff_keywords" data-type="csv" value={s.handoffKeywords.join(", ")} style="width:100%" maxlength={1500} />
          <label>
            <input type="checkbox" name="groups_enabled" checked={s.groupsEnabled} /> {t("ai_groups")}
          </label>
          <label>{t("ai_fallback")}</label>
          <input name="fallback_text" value={s.fallbackText} required style="width:100%" />
          <SaveRow t={t} />
        </form>
      </div>
      <div class="card">
        <h3>{t("ai_try")}</h3>
        <p class="muted">{t("ai_try_help")}</p>
        {p.devices
          .filter((d) => d.provider === "sandbox")
          .map((d) => (
            <p>
              <a href={`/app/devices/${d.deviceKey}`}>
                {t("ai_try_sandbox")}: {d.name}
              </a>
              {p.enabledDevices.includes(d.deviceKey) ? "" : ` (${t("ai_try_sandbox_off")})`}
            </p>
          ))}
        <form data-api="/api/v1/ai-settings/try" data-reveal="reply" data-reveal-label="🤖">
          <input name="text" required maxlength={2000} style="width:100%" placeholder="Pesanan saya sudah sampai mana?" />
          <p>
            <button>{t("ai_try_send")}</button>
          </p>
          <div data-out class="out"></div>
        </form>
      </div>
      <UsageChart t={t} usage={p.usage} limit={p.limit} />
      <KnowledgeEditor t={t} entries={p.knowledge} />
    </>
  );
}

function KnowledgeFields({ t, e }: { t: T; e?: KnowledgeEntry }) {
  return (
    <>
      <div class="row">
        <div>
          <label>{t("kb_kind")}</label>
          <select name="kind">
            {KNOWLEDGE_KINDS.map((k) => (
              <option value={k} selected={e?.kind === k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label>{t("kb_title")}</label>
          <input name="title" value={e?.title ?? ""} required maxlength={200} />
        </div>
        <div>
          <label>{t("kb_price")}</label>
          <input name="price" data-type="number" type="number" min="0" value={e?.price != null ? String(e.price) : ""} data-null />
        </div>
        <div>
          <label>{t("kb_link")}</label>
          <input name="link" type="url" value={e?.link ?? ""} data-null />
        </div>
      </div>
      <textarea name="body" rows={3} style="width:100%" maxlength={8000}>{e?.body ?? ""}</textarea>
    </>
  );
}

function KnowledgeEditor({ t, entries }: { t: T; entries: KnowledgeEntry[] }) {
  return (
    <div class="card">
      <h3>{t("kb_title_section")}</h3>
      <p class="muted">{t("kb_help")}</p>
      <form data-api="/api/v1/knowledge">
        <KnowledgeFields t={t} />
        <SaveRow t={t} />
      </form>
      {entries.map((e) => (
        <EditableItem t={t} api={`/api/v1/knowledge/${e.id}`} label={e.title}>
          <KnowledgeFields t={t} e={e} />
        </EditableItem>
      ))}
    </div>
  );
}

function RuleFields({ t, r, templates }: { t: T; r?: AutoReplyRule; templates: Template[] }) {
  return (
    <>
      <div class="row">
        <div>
          <label>{t("ar_match")}</label>
          <select name="match_type">
            {AUTO_REPLY_MATCHES.map((m) => (
              <option value={m} selected={r?.matchType === m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label>{t("ar_pattern")}</label>
          <input name="pattern" value={r?.pattern ?? ""} required maxlength={200} />
        </div>
        <div>
          <label>{t("ar_priority")}</label>
          <input name="priority" data-type="number" type="number" value={String(r?.priority ?? 0)} />
        </div>
        <div>
          <label>{t("ar_cooldown")}</label>
          <input name="cooldown_seconds" data-type="number" type="number" min="1" value={r?.cooldownSeconds != null ? String(r.cooldownSeconds) : ""} data-null />
        </div>
        <div>
          <label>{t("ar_template")}</label>
          <select name="template_id" data-null>
            <option value="">—</option>
            {templates.map((tpl) => (
              <option value={tpl.id} selected={r?.templateId === tpl.id}>
                {tpl.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <label>{t("ar_reply")}</label>
      <textarea name="reply_text" rows={2} style="width:100%" maxlength={4096} data-null>
        {r?.replyText ?? ""}
      </textarea>
      <label>
        <input type="checkbox" name="active" checked={r?.active ?? true} /> {t("ar_active")}
      </label>
    </>
  );
}

export function AutoRepliesPage({ t, rules, templates }: { t: T; rules: AutoReplyRule[]; templates: Template[] }) {
  return (
    <>
      <div class="card">
        <h3>{t("ar_add")}</h3>
        <p class="muted">{t("ar_help")}</p>
        <form data-api="/api/v1/auto-replies">
          <RuleFields t={t} templates={templates} />
          <SaveRow t={t} />
        </form>
      </div>
      {rules.length === 0 ? <p class="card muted">{t("ar_none")}</p> : null}
      {rules.map((r) => (
        <EditableItem t={t} api={`/api/v1/auto-replies/${r.id}`} label={r.pattern}>
          <RuleFields t={t} r={r} templates={templates} />
        </EditableItem>
      ))}
    </>
  );
}

/** The contact's conversations and whether the bot may speak in each (silenced / handed off, why, until when). */
export function BotStatePanel({ t, rows, fmt }: { t: T; rows: ConversationRow[]; fmt: (ms: number) => string }) {
  if (rows.length === 0) return null;
  return (
    <div class="card">
      <h3>{t("bot_state_label")}</h3>
      {rows.map(({ conversation: cv, channel }) => (
        <div class="row">
          <div>
            {channel.name}: <b>{t(cv.botState === "active" ? "bot_active" : cv.botState === "silenced" ? "bot_silenced" : "bot_handed_off")}</b>
            {cv.botStateReason ? ` — ${cv.botStateReason}` : ""}
            {cv.botState !== "active" ? ` (${cv.botSilencedUntil ? `${t("bot_until")} ${fmt(cv.botSilencedUntil)}` : t("bot_until_released")})` : ""}
          </div>
          <form data-api={`/api/v1/conversations/${cv.id}/${cv.botState === "active" ? "handoff" : "release"}`}>
            <button>{t(cv.botState === "active" ? "bot_handoff" : "bot_release")}</button>
          </form>
        </div>
      ))}
    </div>
  );
}
