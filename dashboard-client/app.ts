// The script every dashboard page loads: JSON forms against /api/v1, copy and print buttons, and the live pieces
// (device status by polling; the sandbox chat and the messages list from the inbox's real-time channel).
import { connectInbox, liveOn } from "./inbox-socket";
import { submitJsonForm } from "./json-form";

document.addEventListener("submit", (ev) => {
  const form = ev.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.api) return;
  ev.preventDefault();
  void submitJsonForm(form, liveOn);
});

document.addEventListener("click", (ev) => {
  if (ev.target instanceof Element && ev.target.closest("[data-print]")) window.print();
});

document.addEventListener("click", (ev) => {
  const btn = ev.target instanceof Element ? ev.target.closest<HTMLElement>("[data-copy]") : null;
  if (!btn) return;
  const text = document.getElementById(btn.dataset.copy ?? "")?.textContent ?? "";
  void navigator.clipboard.writeText(text.trim()).catch(() => undefined);
  const old = btn.textContent;
  btn.textContent = btn.dataset.copied || "OK";
  setTimeout(() => (btn.textContent = old), 1500);
});

// Live pieces refresh themselves while the page is open: [data-refresh] regions are re-read from the server
// (polled; those marked [data-live] only while the real-time channel is down).
async function refresh(onlyLive: boolean): Promise<void> {
  const res = await fetch(location.href, { credentials: "same-origin" }).catch(() => null);
  if (!res || !res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), "text/html");
  for (const el of document.querySelectorAll<HTMLElement>("[data-refresh]")) {
    if (onlyLive ? el.dataset.live === undefined : el.dataset.live !== undefined && liveOn()) continue;
    const fresh = doc.getElementById(el.id);
    if (fresh) el.innerHTML = fresh.innerHTML;
  }
}

const polled = document.querySelector<HTMLElement>("[data-refresh]");
if (polled) {
  setInterval(() => {
    if (!document.hidden) void refresh(false);
  }, Number(polled.dataset.refresh) || 3000);
}

let pending: ReturnType<typeof setTimeout> | undefined;
function refreshLiveSoon(): void {
  clearTimeout(pending);
  pending = setTimeout(() => void refresh(true), 300);
}

type LiveMessage = {
  id: string;
  device_key: string;
  chat_jid: string;
  direction: string;
  status: string;
  text?: string | null;
  error?: string | null;
  created_at: number;
};
type InboxEvent = { type: string; message?: LiveMessage };

function onEvent(e: InboxEvent): void {
  const m = e.message;
  if (!m) return;
  if (e.type === "message.status") {
    for (const pill of document.querySelectorAll<HTMLElement>(`[data-msg="${CSS.escape(m.id)}"] [data-status]`)) {
      pill.textContent = m.status;
      pill.className = "pill " + m.status;
      if (m.error) pill.title = m.error;
    }
    return;
  }
  if (e.type !== "message.created") return;
  for (const chat of document.querySelectorAll<HTMLElement>('[data-live="chat"]')) {
    if (chat.dataset.device !== m.device_key || chat.querySelector(`[data-msg="${CSS.escape(m.id)}"]`)) continue;
    chat.querySelector("[data-empty]")?.remove();
    chat.append(bubble(m, chat.dataset.tz));
    chat.scrollTop = chat.scrollHeight;
  }
  // The list has filters, paging and device names: a new row is rendered by the server.
  if (document.querySelector('[data-live="messages"]')) refreshLiveSoon();
}

function bubble(m: LiveMessage, timeZone: string | undefined): HTMLElement {
  const b = document.createElement("div");
  b.className = "bubble " + m.direction;
  b.dataset.msg = m.id;
  b.textContent = m.text || "";
  const meta = document.createElement("small");
  const locale = document.documentElement.lang === "en" ? "en-GB" : "id-ID";
  const when = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "medium", timeStyle: "short" }).format(m.created_at);
  meta.textContent = `${m.chat_jid.split("@")[0] ?? ""} · ${when} · `;
  const pill = document.createElement("span");
  pill.dataset.status = "";
  pill.textContent = m.status;
  meta.append(pill);
  b.append(meta);
  return b;
}

if (document.querySelector("[data-live]")) {
  connectInbox({
    onOpen: () => void refresh(true),
    onEvent: (data) => onEvent(data as InboxEvent),
  });
}
