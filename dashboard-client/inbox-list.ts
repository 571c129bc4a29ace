// The conversation list: rows updated in place from inbox events (unread badge, last message, moved to the
// top), the unread total in the tab's title, and opening a conversation without leaving the page (the server
// draws the thread; only #inbox-main and the list are swapped, so the socket and the drafts stay).
const baseTitle = document.title;

export function rows(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>("#inbox-list li[data-conversation]")];
}

export function rowOf(id: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`#inbox-list li[data-conversation="${CSS.escape(id)}"]`);
}

/** Sets a row's unread count (badge, bold) and the total in the title. */
export function setUnread(id: string, n: number): void {
  const row = rowOf(id);
  if (row) {
    row.dataset.unread = String(n);
    const pill = row.querySelector<HTMLElement>("[data-unread-pill]");
    if (pill) {
      pill.textContent = String(n);
      pill.hidden = n === 0;
    }
  }
  showTotal();
}

export function showTotal(): void {
  const total = rows().reduce((sum, r) => sum + (Number(r.dataset.unread) || 0), 0);
  document.title = total > 0 ? `(${total}) ${baseTitle}` : baseTitle;
}

/** A new message in a listed conversation: its preview and time, and it moves to the top. */
export function touchRow(id: string, text: string | null, when: string): void {
  const row = rowOf(id);
  if (!row) return;
  const preview = row.querySelector("[data-preview]");
  if (preview && text !== null) preview.textContent = text.slice(0, 80);
  const at = row.querySelector("[data-when]");
  if (at) at.textContent = when;
  const list = row.parentElement;
  if (list && list.firstElementChild !== row) list.prepend(row);
}

export function setRowStatus(id: string, label: string): void {
  const pill = rowOf(id)?.querySelector("[data-status-pill]");
  if (pill) pill.textContent = label;
}

async function fetchPage(href: string): Promise<Document | null> {
  const res = await fetch(href, { credentials: "same-origin" }).catch(() => null);
  if (!res || !res.ok) return null;
  return new DOMParser().parseFromString(await res.text(), "text/html");
}

function swap(doc: Document, id: string): void {
  const fresh = doc.getElementById(id);
  const here = document.getElementById(id);
  if (fresh && here) here.replaceChildren(...[...fresh.childNodes].map((n) => document.importNode(n, true)));
}

/** Re-reads the list from the server (a conversation it does not show yet, or after the socket was down). */
export async function refreshList(): Promise<void> {
  const doc = await fetchPage(location.href);
  if (!doc) return;
  swap(doc, "inbox-list");
  showTotal();
}

/** Opens a conversation in place; falls back to a normal page load. Returns once the thread is drawn. */
export async function openConversation(href: string, push = true): Promise<boolean> {
  const doc = await fetchPage(href);
  if (!doc?.getElementById("inbox-main")) {
    location.href = href;
    return false;
  }
  swap(doc, "inbox-main");
  swap(doc, "inbox-list");
  document.getElementById("inbox")?.classList.toggle("has-thread", doc.getElementById("inbox-thread") !== null);
  if (push) history.pushState(null, "", href);
  showTotal();
  return true;
}

/** The row `step` places from the open one (j: +1, k: -1); the first row when none is open. */
export function neighbour(step: number): HTMLElement | null {
  const all = rows();
  const at = all.findIndex((r) => r.classList.contains("on"));
  if (at < 0) return all[0] ?? null;
  return all[at + step] ?? null;
}
