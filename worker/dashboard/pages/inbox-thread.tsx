// The inbox's selected conversation: header with its controls (status, snooze, priority, assignee, labels), the
// bot state, the messages, the reply box (canned responses with `/`), internal notes (@mentions); and the contact
// panel beside it (profile, labels, orders). The controls write through /api/v1/conversations/{id}; the inbox
// script (dashboard-client/inbox*.ts) handles them, so nothing here posts a form by itself.
import type { Message } from "../../db/messages";
import { PRIORITIES } from "../../db/schema";
import type { T } from "../i18n";
import type { InboxContext, ThreadData } from "../inbox-thread-data";
import { OrderEntry, Pill } from "../components/crm-bits";
import { BotStatePanel } from "./ai-pages";
import type { ConversationRow } from "../../db/conversations";

export function who(t: T, r: ConversationRow): string {
  return r.contact.name || r.contact.phone || r.contact.email || (r.channel.kind === "web" ? t("inbox_visitor") : (r.contact.waJid ?? "?"));
}

const OPEN_STATES = ["open", "pending", "resolved"] as const;

function Bubble({ m, fmt }: { m: Message; fmt: (ms: number) => string }) {
  return (
    <div class={`bubble ${m.direction}`} data-msg={m.id}>
      {m.text}
      <small>
        {fmt(m.createdAt)}
        {m.direction === "out" ? (
          <>
            {" · "}
            <span data-status>{m.status}</span>
          </>
        ) : null}
      </small>
    </div>
  );
}

export function Thread(props: { t: T; data: ThreadData; ctx: InboxContext; fmt: (ms: number) => string; listHref: string }) {
  const { t, data, ctx, fmt } = props;
  const { row, messages, notes, labels } = data;
  const cv = row.conversation;
  const vars = { "contact.name": row.contact.name, "contact.phone": row.contact.phone, "contact.email": row.contact.email };
  const snoozeNote = cv.status === "snoozed" ? (cv.snoozeUntil ? `${t("ix_snoozed_until")} ${fmt(cv.snoozeUntil)}` : t("ix_snoozed_reply")) : "";
  return (
    <section class="card thread" id="inbox-thread" data-conversation={cv.id} data-unread={String(cv.unreadCount)} data-vars={JSON.stringify(vars)} aria-label={who(t, row)}>
      <a class="back" href={props.listHref}>
        {t("ix_back")}
      </a>
      <header class="row">
        <h2>{who(t, row)}</h2>
        <span class="pill" data-thread-status>
          {t(`inbox_status_${cv.status}`)}
        </span>
        <small class="muted" data-snooze-note>
          {snoozeNote}
        </small>
      </header>
      <div class="controls" id="inbox-controls">
        <label>
          {t("status")}{" "}
          <select data-control="status">
            {OPEN_STATES.map((s) => (
              <option value={s} selected={cv.status === s}>
                {t(`inbox_status_${s}`)}
              </option>
            ))}
            {cv.status === "snoozed" ? (
              <option value="snoozed" selected disabled>
                {t("inbox_status_snoozed")}
              </option>
            ) : null}
          </select>
        </label>
        <span class="snooze">
          <label>
            {t("ix_snooze_at")} <input type="datetime-local" data-snooze-at />
          </label>
          <button type="button" class="ghost" data-snooze="at">
            {t("ix_snooze")}
          </button>
          <button type="button" class="ghost" data-snooze="reply">
            {t("ix_snooze_reply")}
          </button>
        </span>
        <label>
          {t("ix_priority")}{" "}
          <select data-control="priority">
            {PRIORITIES.map((p) => (
              <option value={p} selected={cv.priority === p}>
                {t(`ix_priority_${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("inbox_assignee")}{" "}
          <select data-control="assignee_id">
            <option value="">{t("inbox_unassigned")}</option>
            {ctx.users.map((u) => (
              <option value={u.id} selected={cv.assigneeId === u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        {ctx.me ? (
          <button type="button" class="ghost" data-assign-me={ctx.me.id}>
            {t("ix_assign_me")}
          </button>
        ) : null}
        {ctx.labels.length > 0 ? (
          <fieldset class="labels">
            <legend>{t("ix_label")}</legend>
            {ctx.labels.map((l) => (
              <label>
                <input type="checkbox" data-control="label" value={l.id} checked={labels.some((x) => x.id === l.id)} /> {l.name}
              </label>
            ))}
          </fieldset>
        ) : null}
        <span class="out" data-controls-out role="status"></span>
      </div>
      {/* Whether the AI may answer here, why not, until when — and the take-over/give-back button (issue 12). */}
      <BotStatePanel t={t} rows={[row]} fmt={fmt} />
      <div class="chat" id="inbox-messages" role="log" aria-live="polite">
        {messages.map((m) => (
          <Bubble m={m} fmt={fmt} />
        ))}
      </div>
      <form class="reply" id="inbox-reply">
        <ul class="suggest" id="inbox-canned" role="listbox" aria-label="/" hidden></ul>
        <textarea name="text" required aria-label={t("inbox_reply")} placeholder={t("inbox_reply")} role="combobox" aria-autocomplete="list" aria-controls="inbox-canned" aria-expanded="false"></textarea>
        <button>{t("inbox_send")}</button>
        <small class="muted hint">{t("ix_reply_hint")}</small>
        <div class="out" data-out></div>
      </form>
      <h3>{t("inbox_notes")}</h3>
      <ul id="inbox-notes">
        {notes.map((n) => (
          <li class="note" data-note={n.id}>
            {n.text} <small class="muted">{fmt(n.createdAt)}</small>
          </li>
        ))}
      </ul>
      <form class="reply" id="inbox-note">
        <ul class="suggest" id="inbox-mentions" role="listbox" aria-label={t("ix_mention_hint")} hidden></ul>
        <textarea name="text" required aria-label={t("inbox_add_note")} placeholder={t("inbox_note_hint")} role="combobox" aria-autocomplete="list" aria-controls="inbox-mentions" aria-expanded="false"></textarea>
        <button class="ghost">{t("inbox_add_note")}</button>
        <div class="out" data-out></div>
      </form>
    </section>
  );
}

export function ContactPanel(props: { t: T; data: ThreadData; fmt: (ms: number) => string }) {
  const { t, data, fmt } = props;
  const c = data.row.contact;
  return (
    <aside class="card contact-panel" id="inbox-contact" aria-label={t("ix_contact")}>
      <h3>{t("ix_contact")}</h3>
      <p>
        <strong>{c.name ?? "—"}</strong>
        {c.phone ? (
          <>
            <br />
            {c.phone}
          </>
        ) : null}
        {c.email ? (
          <>
            <br />
            {c.email}
          </>
        ) : null}
      </p>
      {data.contactLabels.length > 0 ? (
        <p>
          {data.contactLabels.map((l) => (
            <Pill l={l} />
          ))}
        </p>
      ) : null}
      <p>
        <a href={`/app/contacts/${c.id}`}>{t("ix_open_contact")}</a>
      </p>
      <h3>{t("ix_orders")}</h3>
      <div id="inbox-orders">
        {data.orders.length === 0 ? <p class="muted">{t("ix_no_orders")}</p> : null}
        {data.orders.map((o) => (
          <OrderEntry t={t} order={o} at={o.eventAt} fmt={fmt} />
        ))}
      </div>
    </aside>
  );
}
