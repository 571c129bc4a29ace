// The omnichannel inbox (/app/inbox): every channel's conversations with filters, the selected thread
// (./inbox-thread.tsx) beside the contact panel; and the live-chat settings page (/app/livechat) with the snippet.
// Server-rendered; the inbox script (dashboard-client/inbox.ts) makes it live: real-time list and thread, the
// reply box's canned responses, controls, notifications and keyboard shortcuts.
import type { Channel } from "../../db/channels";
import type { ConversationRow } from "../../db/conversations";
import { CONVERSATION_STATUSES } from "../../db/schema";
import type { LivechatConfig } from "../../livechat/settings";
import type { MessageKey, T } from "../i18n";
import type { InboxContext, ThreadData } from "../inbox-thread-data";
import { FilterSelect } from "../components/filter-select";
import { JsonScript } from "../components/json-script";
import { scriptUrl } from "../static-scripts";
import { ContactPanel, Thread, who } from "./inbox-thread";
import { INBOX_STYLES } from "./inbox-styles";

export type InboxFilter = { status?: string; channel?: string; assignee?: string; label?: string; q?: string };

/** The strings the inbox script shows (dashboard-client/inbox*.ts), in the page's language. */
const CLIENT_STRINGS = [
  "ix_canned_none",
  "ix_new_conversation",
  "ix_assigned_you",
  "ix_mentioned_you",
  "ix_saved",
  "ix_notify_blocked",
  "ix_snoozed_until",
  "ix_snoozed_reply",
  "inbox_status_open",
  "inbox_status_pending",
  "inbox_status_snoozed",
  "inbox_status_resolved",
] as const;

export function InboxPage(props: { t: T; rows: ConversationRow[]; channels: Channel[]; filter: InboxFilter; selected: ThreadData | null; ctx: InboxContext; fmt: (ms: number) => string }) {
  const { t, rows, channels, filter, selected, ctx, fmt } = props;
  const qs = (id: string) => `?${new URLSearchParams({ ...(filter as Record<string, string>), c: id })}`;
  const listHref = `?${new URLSearchParams(filter as Record<string, string>)}`;
  const clientData = { me: ctx.me, business: ctx.business, tz: ctx.tz, users: ctx.users, canned: ctx.canned, notify: ctx.notify, t: Object.fromEntries(CLIENT_STRINGS.map((k) => [k, t(k)])) };
  return (
    <div class={selected ? "inbox has-thread" : "inbox"} id="inbox">
      <style dangerouslySetInnerHTML={{ __html: INBOX_STYLES }} />
      <JsonScript id="inbox-data" data={clientData} />
      <form class="card row inbox-filter" method="get">
        <div>
          <label for="f-channel">{t("inbox_channel")}</label>
          <FilterSelect id="f-channel" name="channel" all={t("all")} selected={filter.channel} options={channels.map((ch) => ({ value: ch.id, label: `${ch.kind === "web" ? t("inbox_web") : "WhatsApp"} · ${ch.name}` }))} />
        </div>
        <div>
          <label for="f-status">{t("status")}</label>
          <FilterSelect id="f-status" name="status" all={t("all")} selected={filter.status} options={CONVERSATION_STATUSES.map((s) => ({ value: s, label: t(`inbox_status_${s}`) }))} />
        </div>
        <div>
          <label for="f-assignee">{t("inbox_assignee")}</label>
          <FilterSelect
            id="f-assignee"
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
          <label for="f-label">{t("ix_label")}</label>
          <FilterSelect id="f-label" name="label" all={t("all")} selected={filter.label} options={ctx.labels.map((l) => ({ value: l.id, label: l.name }))} />
        </div>
        <div>
          <label for="f-q">{t("inbox_search")}</label>
          <input name="q" id="f-q" value={filter.q ?? ""} />
        </div>
        <button>{t("filter")}</button>
        <label class="notify-toggle">
          <input type="checkbox" id="inbox-notify" checked={ctx.notify === "on"} disabled={!ctx.me} /> {t("ix_notify")}
        </label>
        <button type="button" class="ghost" data-shortcuts aria-label={t("ix_shortcuts")} title={t("ix_shortcuts")}>
          ?
        </button>
      </form>
      <div class="inbox-cols">
        <ul class="card conv-list" id="inbox-list" aria-label={t("nav_inbox")}>
          {rows.length === 0 ? <li class="muted">{t("inbox_empty")}</li> : null}
          {rows.map((r) => (
            <li class={selected?.row.conversation.id === r.conversation.id ? "on" : ""} data-conversation={r.conversation.id} data-unread={String(r.conversation.unreadCount)}>
              <a href={qs(r.conversation.id)}>
                <strong>{who(t, r)}</strong> <span class="pill">{r.channel.kind === "web" ? t("inbox_web") : "WhatsApp"}</span>{" "}
                <span class="pill" data-status-pill>
                  {t(`inbox_status_${r.conversation.status}`)}
                </span>
                <span class="pill unread" data-unread-pill hidden={r.conversation.unreadCount === 0}>
                  {r.conversation.unreadCount}
                </span>
                <br />
                <small class="muted">
                  <span data-when>{fmt(r.conversation.lastMessageAt)}</span> · <span data-preview>{(r.conversation.lastMessageText ?? "").slice(0, 80)}</span>
                </small>
              </a>
            </li>
          ))}
        </ul>
        <div id="inbox-main">
          {selected ? (
            <>
              <Thread t={t} data={selected} ctx={ctx} fmt={fmt} listHref={listHref} />
              <ContactPanel t={t} data={selected} fmt={fmt} />
            </>
          ) : (
            <p class="card muted">{t("inbox_pick")}</p>
          )}
        </div>
      </div>
      <ShortcutsDialog t={t} />
      <div id="inbox-toasts" aria-live="polite"></div>
      <script src={scriptUrl("inbox")} defer></script>
    </div>
  );
}

function ShortcutsDialog({ t }: { t: T }) {
  const keys: [string, MessageKey][] = [
    ["j", "ix_key_next"],
    ["k", "ix_key_prev"],
    ["e", "ix_key_resolve"],
    ["n", "ix_key_note"],
    ["a", "ix_key_assign"],
    ["r", "inbox_reply"],
    ["?", "ix_key_help"],
  ];
  return (
    <dialog id="inbox-help" aria-label={t("ix_shortcuts")}>
      <h3>{t("ix_shortcuts")}</h3>
      <table>
        {keys.map(([k, label]) => (
          <tr>
            <td>
              <kbd>{k}</kbd>
            </td>
            <td>{t(label)}</td>
          </tr>
        ))}
      </table>
      <form method="dialog">
        <button>{t("ix_close")}</button>
      </form>
    </dialog>
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
