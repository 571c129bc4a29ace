// The open conversation: messages appended live, the reply box (Enter sends with an idempotency key kept until it
// succeeds, `/` canned responses with the contact's variables filled), notes with `@` mentions, and the controls
// (status, snooze, priority, assignee, labels) written through PATCH /api/v1/conversations/{id}.
import { renderCanned } from "../worker/livechat/canned";
import { apiJson, errorText, sendJson } from "./api";
import { type InboxData, readInboxData, thread, threadId, threadVars } from "./inbox-data";
import { setRowStatus, setUnread } from "./inbox-list";
import { attachSuggest } from "./inbox-suggest";

export type ThreadMessage = { id: string; direction: string; text: string | null; status: string; created_at: number; conversation_id?: string | null };

const timeZone = readInboxData().tz;
let fmt: Intl.DateTimeFormat | null = null;

/** A time as the server writes it: the page's language, the business's time zone. */
export function formatWhen(ms: number): string {
  fmt ??= new Intl.DateTimeFormat(document.documentElement.lang === "en" ? "en-GB" : "id-ID", { timeZone, dateStyle: "medium", timeStyle: "short" });
  return fmt.format(ms);
}

/** Adds a message to the open thread once (the reply's answer and its socket event may both arrive). */
export function appendMessage(m: ThreadMessage): void {
  const log = document.getElementById("inbox-messages");
  if (!log || log.querySelector(`[data-msg="${CSS.escape(m.id)}"]`)) return;
  const b = document.createElement("div");
  b.className = `bubble ${m.direction}`;
  b.dataset.msg = m.id;
  b.textContent = m.text ?? "";
  const meta = document.createElement("small");
  meta.textContent = formatWhen(m.created_at);
  if (m.direction === "out") {
    const pill = document.createElement("span");
    pill.dataset.status = "";
    pill.textContent = m.status;
    meta.append(" · ", pill);
  }
  b.append(meta);
  log.append(b);
  log.scrollTop = log.scrollHeight;
}

export type ThreadNote = { id: string; conversation_id: string; text: string; created_at: number };

/** Adds a note to the open thread once (the author's answer and the note.created event both bring it). */
export function appendNote(n: ThreadNote): void {
  const list = document.getElementById("inbox-notes");
  if (!list || n.conversation_id !== threadId() || list.querySelector(`[data-note="${CSS.escape(n.id)}"]`)) return;
  const li = document.createElement("li");
  li.className = "note";
  li.dataset.note = n.id;
  const when = document.createElement("small");
  when.className = "muted";
  when.textContent = formatWhen(n.created_at);
  li.append(n.text + " ", when);
  list.append(li);
}

export function setMessageStatus(id: string, status: string): void {
  const pill = document.querySelector(`#inbox-messages [data-msg="${CSS.escape(id)}"] [data-status]`);
  if (pill) pill.textContent = status;
}

/** After the socket was down: the open thread's messages newer than the last one shown (none lost, none twice). */
export async function catchUpThread(): Promise<void> {
  const id = threadId();
  const last = [...document.querySelectorAll<HTMLElement>("#inbox-messages [data-msg]")].pop()?.dataset.msg;
  if (!id) return;
  const q = last ? `?after=${encodeURIComponent(last)}&limit=100` : "?limit=100";
  const page = (await apiJson(`/api/v1/conversations/${id}/messages${q}`).catch(() => null)) as { items: ThreadMessage[] } | null;
  // With after= the items come oldest first; without, newest first.
  const items = page?.items ?? [];
  for (const m of last ? items : [...items].reverse()) appendMessage(m);
}

let reading: ReturnType<typeof setTimeout> | undefined;
/** The agent sees the thread: its unread count goes to 0 (here at once, elsewhere through the event). */
export function markRead(): void {
  const id = threadId();
  if (!id || document.hidden) return;
  clearTimeout(reading);
  reading = setTimeout(() => {
    setUnread(id, 0);
    void sendJson(`/api/v1/conversations/${id}/read`, "POST", {}).catch(() => undefined);
  }, 300);
}

function controlsOut(text: string, ok: boolean): void {
  const out = document.querySelector("[data-controls-out]");
  if (!out) return;
  out.className = "out " + (ok ? "ok" : "err");
  out.textContent = text;
}

export type ConversationJson = { id: string; status: string; snooze_until: number | null; assignee_id: string | null; priority: string; labels: { id: string }[] };

/** One PATCH of the open conversation; the page then shows what the server answered. */
export async function patchConversation(data: InboxData, body: Record<string, unknown>): Promise<ConversationJson | null> {
  const id = threadId();
  if (!id) return null;
  try {
    const c = (await sendJson(`/api/v1/conversations/${id}`, "PATCH", body)) as ConversationJson;
    showState(data, c);
    controlsOut(data.t.ix_saved ?? "OK", true);
    return c;
  } catch (e) {
    controlsOut(errorText(e), false);
    return null;
  }
}

/** Shows a conversation's state: the open thread's controls, or only its row when another one is open. */
export function showState(data: InboxData, c: ConversationJson): void {
  if (c.id !== threadId()) {
    setRowStatus(c.id, data.t[`inbox_status_${c.status}`] ?? c.status);
    return;
  }
  const label = data.t[`inbox_status_${c.status}`] ?? c.status;
  const pill = document.querySelector("[data-thread-status]");
  if (pill) pill.textContent = label;
  setRowStatus(c.id, label);
  const note = document.querySelector("[data-snooze-note]");
  if (note) note.textContent = c.status !== "snoozed" ? "" : c.snooze_until ? `${data.t.ix_snoozed_until ?? ""} ${formatWhen(c.snooze_until)}` : (data.t.ix_snoozed_reply ?? "");
  const status = document.querySelector<HTMLSelectElement>('[data-control="status"]');
  if (status) {
    let snoozed = status.querySelector<HTMLOptionElement>('option[value="snoozed"]');
    if (c.status === "snoozed" && !snoozed) {
      snoozed = new Option(data.t.inbox_status_snoozed ?? "snoozed", "snoozed");
      snoozed.disabled = true;
      status.append(snoozed);
    }
    status.value = c.status;
  }
  const assignee = document.querySelector<HTMLSelectElement>('[data-control="assignee_id"]');
  if (assignee) assignee.value = c.assignee_id ?? "";
  const priority = document.querySelector<HTMLSelectElement>('[data-control="priority"]');
  if (priority) priority.value = c.priority;
  for (const box of document.querySelectorAll<HTMLInputElement>('[data-control="label"]')) box.checked = c.labels.some((l) => l.id === box.value);
}

export function assignToMe(data: InboxData): Promise<unknown> {
  return data.me ? patchConversation(data, { assignee_id: data.me.id }) : Promise.resolve(null);
}

/** Delegated listeners for the controls and the two boxes: set once, valid for every thread opened in place. */
export function setupThreadControls(data: InboxData): void {
  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (!(el instanceof HTMLElement) || !el.closest("#inbox-controls")) return;
    const control = el.dataset.control;
    if (el instanceof HTMLSelectElement && (control === "status" || control === "priority")) void patchConversation(data, { [control]: el.value });
    else if (el instanceof HTMLSelectElement && control === "assignee_id") void patchConversation(data, { assignee_id: el.value || null });
    else if (control === "label") {
      const ids = [...document.querySelectorAll<HTMLInputElement>('[data-control="label"]:checked')].map((b) => b.value);
      void patchConversation(data, { label_ids: ids });
    }
  });
  document.addEventListener("click", (ev) => {
    const btn = ev.target instanceof Element ? ev.target.closest<HTMLElement>("#inbox-controls button") : null;
    if (!btn) return;
    if (btn.dataset.assignMe !== undefined) void assignToMe(data);
    if (btn.dataset.snooze === "reply") void patchConversation(data, { status: "snoozed", snooze_until: null });
    if (btn.dataset.snooze === "at") {
      const at = document.querySelector<HTMLInputElement>("[data-snooze-at]")?.value ?? "";
      const until = at ? new Date(at).getTime() : NaN;
      if (Number.isFinite(until)) void patchConversation(data, { status: "snoozed", snooze_until: until });
    }
  });
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || (form.id !== "inbox-reply" && form.id !== "inbox-note")) return;
    ev.preventDefault();
    void submitBox(form);
  });
  document.addEventListener("keydown", (ev) => {
    const box = ev.target;
    if (!(box instanceof HTMLTextAreaElement) || ev.key !== "Enter" || ev.shiftKey || ev.isComposing) return;
    if (box.closest("#inbox-reply") && box.getAttribute("aria-expanded") !== "true") {
      ev.preventDefault();
      box.form?.requestSubmit();
    }
  });
}

// One idempotency key per composed reply: a retry after a timeout sends the same message, not a second one.
let replyKey: string | null = null;

async function submitBox(form: HTMLFormElement): Promise<void> {
  const id = threadId();
  const box = form.querySelector("textarea");
  const out = form.querySelector("[data-out]");
  if (!id || !box || !box.value.trim()) return;
  const text = box.value;
  const isReply = form.id === "inbox-reply";
  // The box empties at once (the message shows when sent); on a failure the text comes back.
  box.value = "";
  try {
    if (isReply) {
      replyKey ??= crypto.randomUUID();
      const res = await fetch(`/api/v1/conversations/${id}/messages`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", "idempotency-key": replyKey },
        body: JSON.stringify({ text }),
      });
      const m = (await res.json().catch(() => ({}))) as ThreadMessage & { message?: string };
      if (!res.ok) throw new Error(m.message ?? res.statusText);
      replyKey = null;
      appendMessage(m);
    } else {
      appendNote((await sendJson(`/api/v1/conversations/${id}/notes`, "POST", { text })) as ThreadNote);
    }
    if (out) out.textContent = "";
  } catch (e) {
    if (!box.value) box.value = text;
    if (out) {
      out.className = "out err";
      out.textContent = errorText(e);
    }
  }
}

/** Per thread: the suggestion menus of its two boxes, the thread scrolled to the end, and read. */
export function initThread(data: InboxData): void {
  const el = thread();
  if (!el) return;
  const reply = document.querySelector<HTMLTextAreaElement>("#inbox-reply textarea");
  const canned = document.getElementById("inbox-canned");
  if (reply && canned) {
    attachSuggest(reply, canned, {
      token: /(?:^|\s)\/([a-z0-9_-]*)$/,
      empty: data.t.ix_canned_none ?? "",
      items: (q) =>
        data.canned
          .filter((c) => c.shortcut.includes(q))
          .sort((a, b) => Number(!a.shortcut.startsWith(q)) - Number(!b.shortcut.startsWith(q)))
          .slice(0, 8)
          .map((c) => ({
            id: c.shortcut,
            label: `/${c.shortcut}`,
            detail: c.text.slice(0, 80),
            insert: () => renderCanned(c.text, { ...threadVars(), "agent.name": data.me?.name, "business.name": data.business }),
          })),
    });
  }
  const note = document.querySelector<HTMLTextAreaElement>("#inbox-note textarea");
  const mentions = document.getElementById("inbox-mentions");
  if (note && mentions) {
    attachSuggest(note, mentions, {
      token: /(?:^|\s)@([\p{L}\p{N}._-]*)$/u,
      items: (q) =>
        data.users
          .filter((u) => u.handle.includes(q) || u.name.toLowerCase().includes(q))
          .slice(0, 8)
          .map((u) => ({ id: u.id, label: `@${u.handle}`, detail: u.name, insert: () => `@${u.handle} ` })),
    });
  }
  const log = document.getElementById("inbox-messages");
  if (log) log.scrollTop = log.scrollHeight;
  if (Number(el.dataset.unread) > 0) markRead();
}
