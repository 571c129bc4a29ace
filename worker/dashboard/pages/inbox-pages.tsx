// The omnichannel inbox (/app/inbox): every channel's conversations with filters, the selected thread with the
// reply box, internal notes and status/assignment actions; and the live-chat settings page (/app/livechat) with
// the snippet. Server-rendered; the dashboard script's JSON forms (data-api) do the writes and its live channel
// re-renders [data-live] parts when an inbox event arrives.
import { BotStatePanel } from "./ai-pages";
import type { Channel } from "../../db/channels";
import type { ConversationNote } from "../../db/conversation-notes";
import type { ConversationRow } from "../../db/conversations";
import type { Message } from "../../db/messages";
import { CONVERSATION_STATUSES } from "../../db/schema";
import type { LivechatConfig } from "../../livechat/settings";
import type { T } from "../i18n";
import { FilterSelect } from "../components/filter-select";

export type InboxFilter = { status?: string; channel?: string; assignee?: string; q?: string };

function who(t: T, r: ConversationRow): string {
  return r.contact.name || r.contact.phone || r.contact.email || (r.channel.kind === "web" ? t("inbox_visitor") : (r.contact.waJid ?? "?"));
}

export function InboxPage(props: {
  t: T;
  rows: ConversationRow[];
  channels: Channel[];
  filter: InboxFilter;
  selected: { row: ConversationRow; messages: Message[]; notes: ConversationNote[] } | null;
  fmt: (ms: number) => string;
}) {
  const { t, rows, channels, filter, selected, fmt } = props;
  const qs = (id: string) => `?${new URLSearchParams({ ...(filter as Record<string, string>), c: id })}`;
  return (
    <div class="inbox">
      <form class="card row" method="get">
        <div>
          <label>{t("inbox_channel")}</label>
          <FilterSelect name="channel" all={t("all")} selected={filter.channel} options={channels.map((ch) => ({ value: ch.id, label: `${ch.kind === "web" ? t("inbox_web") : "WhatsApp"} · ${ch.name}` }))} />
        </div>
        <div>
          <label>{t("status")}</label>
          <FilterSelect name="status" all={t("all")} selected={filter.status} options={CONVERSATION_STATUSES.map((s) => ({ value: s, label: t(`inbox_status_${s}`) }))} />
        </div>
        <div>
          <label>{t("inbox_assignee")}</label>
          <FilterSelect
            name="assignee"
            all={t("inbox_anyone")}
            selected={filter.assignee}
            options={[
              { value: "me", label: t("inbox_mine") },
              { value: "none", label: t("inbox_unassigned") },
            ]}
          />
        </div>
        <div>
          <label>{t("inbox_search")}</label>
          <input name="q" value={filter.q ?? ""} />
        </div>
        <button>{t("filter")}</button>
      </form>
      <div class="inbox-cols">
        <ul class="card conv-list" id="inbox-list" data-refresh="15000" data-live="messages" aria-label={t("nav_inbox")}>
          {rows.length === 0 ? <li class="muted">{t("inbox_empty")}</li> : null}
          {rows.map((r) => (
            <li class={selected?.row.conversation.id === r.conversation.id ? "on" : ""} data-conversation={r.conversation.id}>
              <a href={qs(r.conversation.id)}>
                <strong>{who(t, r)}</strong> <span class="pill">{r.channel.kind === "web" ? t("inbox_web") : "WhatsApp"}</span>{" "}
                <span class="pill">{t(`inbox_status_${r.conversation.status}`)}</span>
                {r.conversation.unreadCount > 0 ? <span class="pill unread">{r.conversation.unreadCount}</span> : null}
                <br />
                <small class="muted">
                  {fmt(r.conversation.lastMessageAt)} · {(r.conversation.lastMessageText ?? "").slice(0, 80)}
                </small>
              </a>
            </li>
          ))}
        </ul>
        {selected ? <Thread t={t} {...selected} fmt={fmt} /> : <p class="card muted">{t("inbox_pick")}</p>}
      </div>
    </div>
  );
}

function Thread(props: { t: T; row: ConversationRow; messages: Message[]; notes: ConversationNote[]; fmt: (ms: number) => string }) {
  const { t, row, messages, notes, fmt } = props;
  const id = row.conversation.id;
  const api = `/api/v1/conversations/${id}`;
  return (
    <section class="card thread" aria-label={who(t, row)}>
      <header class="row">
        <h2>{who(t, row)}</h2>
        {CONVERSATION_STATUSES.filter((s) => s !== "snoozed" && s !== row.conversation.status).map((s) => (
          <form data-api={api} data-method="PATCH">
            <input type="hidden" name="status" value={s} />
            <button class="ghost">{t(`inbox_to_${s}`)}</button>
          </form>
        ))}
      </header>
      {/* Whether the AI may answer here, why not, until when — and the take-over/give-back button (issue 12). */}
      <BotStatePanel t={t} rows={[row]} fmt={fmt} />
      <div class="chat" id="inbox-thread" data-refresh="15000" data-live="messages" role="log" aria-live="polite">
        {messages.map((m) => (
          <div class={`bubble ${m.direction}`} data-msg={m.id}>
            {m.text}
            <small>{fmt(m.createdAt)}</small>
          </div>
        ))}
      </div>
      <form data-api={`${api}/messages`} data-stay class="row">
        <textarea name="text" required aria-label={t("inbox_reply")} placeholder={t("inbox_reply")}></textarea>
        <button>{t("inbox_send")}</button>
        <div data-out></div>
      </form>
      <h3>{t("inbox_notes")}</h3>
      <ul>
        {notes.map((n) => (
          <li class="note">
            {n.text} <small class="muted">{fmt(n.createdAt)}</small>
          </li>
        ))}
      </ul>
      <form data-api={`${api}/notes`} class="row">
        <textarea name="text" required aria-label={t("inbox_add_note")} placeholder={t("inbox_note_hint")}></textarea>
        <button class="ghost">{t("inbox_add_note")}</button>
        <div data-out></div>
      </form>
    </section>
  );
}

export function LivechatSettingsPage(props: { t: T; widgetKey: string; snippet: string; cfg: LivechatConfig }) {
  const { t, snippet, cfg } = props;
  return (
    <>
      <div class="card">
        <h2>{t("livechat_snippet")}</h2>
        <p class="muted">{t("livechat_snippet_hint")}</p>
        <code class="big" id="livechat-snippet">
          {snippet}
        </code>{" "}
        <button class="ghost" data-copy="livechat-snippet" data-copied={t("copied")}>
          {t("copy")}
        </button>
        {cfg.allowed_origins.length === 0 ? <p class="banner">{t("livechat_any_origin")}</p> : null}
      </div>
      <form class="card" data-api="/api/v1/livechat-settings" data-method="PUT" data-done={t("saved")}>
        <div class="grid">
          <div>
            <label>{t("livechat_greeting")}</label>
            <input name="greeting" value={cfg.greeting} />
          </div>
          <div>
            <label>{t("livechat_expected_reply")}</label>
            <input name="expected_reply" value={cfg.expected_reply} />
          </div>
          <div>
            <label>{t("livechat_color")}</label>
            <input name="color" type="color" value={cfg.color} />
          </div>
          <div>
            <label>{t("livechat_position")}</label>
            <select name="position">
              <option value="right" selected={cfg.position === "right"}>{t("livechat_right")}</option>
              <option value="left" selected={cfg.position === "left"}>{t("livechat_left")}</option>
            </select>
          </div>
          <div>
            <label>{t("livechat_origins")}</label>
            <textarea name="allowed_origins" placeholder="https://toko-anda.co.id">{cfg.allowed_origins.join("\n")}</textarea>
          </div>
          <div>
            <label>{t("livechat_out_of_office")}</label>
            <textarea name="out_of_office">{cfg.out_of_office}</textarea>
          </div>
        </div>
        <button>{t("save")}</button>
        <div data-out></div>
      </form>
    </>
  );
}
