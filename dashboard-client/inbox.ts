// The inbox page's script (/app/inbox): the list and the open thread follow the InboxHub socket in real time,
// conversations open in place, the reply box and controls work without a reload, and the agent is told about
// new conversations, assignments and @mentions (toast; sound and browser notification with their setting).
import { sendJson } from "./api";
import { readInboxData, threadId } from "./inbox-data";
import { setupKeys } from "./inbox-keys";
import { neighbour, openConversation, refreshList, rowOf, setUnread, showTotal, touchRow } from "./inbox-list";
import { notify, setupNotifySetting } from "./inbox-notify";
import { connectInbox } from "./inbox-socket";
import { appendMessage, appendNote, assignToMe, catchUpThread, type ConversationJson, formatWhen, initThread, markRead, patchConversation, setMessageStatus, setupThreadControls, showState, type ThreadMessage, type ThreadNote } from "./inbox-thread";

type InboxEvent =
  | { type: "message.created"; message: ThreadMessage & { conversation_id: string | null; sender_name: string | null; chat_jid: string } }
  | { type: "message.status"; message: { id: string; status: string } }
  | { type: "conversation.updated"; conversation: { id: string; unread_count: number } }
  | { type: "note.created"; note: ThreadNote }
  | { type: "conversation.changed"; conversation: ConversationJson }
  | { type: "notification"; notification: { id: string; kind: "mention" | "assigned"; conversation_id: string; text: string; actor_name: string | null } }
  | { type: string };

const data = readInboxData();

function hrefOf(conversationId: string): string {
  const q = new URLSearchParams(location.search);
  q.set("c", conversationId);
  return `?${q.toString()}`;
}

async function open(href: string, push = true): Promise<void> {
  if (await openConversation(href, push)) {
    initThread(data);
    document.querySelector<HTMLTextAreaElement>("#inbox-reply textarea")?.focus();
  }
}

function go(step: number): void {
  const link = neighbour(step)?.querySelector("a");
  if (link) void open(link.href);
}

const seen = new Set<string>();
let refreshing: ReturnType<typeof setTimeout> | undefined;

function onEvent(e: InboxEvent): void {
  if (e.type === "message.created" && "message" in e) {
    const m = e.message;
    const cid = m.conversation_id;
    if (!cid) return;
    if (cid === threadId()) {
      appendMessage(m);
      if (m.direction === "in") markRead();
    }
    if (rowOf(cid)) touchRow(cid, m.text, formatWhen(m.created_at));
    else if (m.direction === "in" && !seen.has(cid)) {
      // A conversation this list does not show yet: tell the agent, then draw the list again.
      seen.add(cid);
      notify(data.t.ix_new_conversation ?? "", `${m.sender_name ?? m.chat_jid.split("@")[0] ?? ""}: ${m.text ?? ""}`, () => void open(hrefOf(cid)));
      clearTimeout(refreshing);
      refreshing = setTimeout(() => void refreshList(), 300);
    }
  } else if (e.type === "message.status" && "message" in e) {
    setMessageStatus(e.message.id, e.message.status);
  } else if (e.type === "conversation.updated" && "conversation" in e) {
    const c = e.conversation;
    setUnread(c.id, c.id === threadId() && !document.hidden ? 0 : c.unread_count);
  } else if (e.type === "conversation.changed" && "conversation" in e) {
    showState(data, e.conversation as ConversationJson);
  } else if (e.type === "note.created" && "note" in e) {
    appendNote(e.note);
  } else if (e.type === "notification" && "notification" in e) {
    const n = e.notification;
    const title = n.kind === "assigned" ? (data.t.ix_assigned_you ?? "") : `${n.actor_name ?? ""} ${data.t.ix_mentioned_you ?? ""}`;
    notify(title, n.text, () => {
      void sendJson("/api/v1/notifications/read", "POST", { ids: [n.id] }).catch(() => undefined);
      void open(hrefOf(n.conversation_id));
    });
  }
}

setupNotifySetting(data.notify, data.t.ix_notify_blocked ?? "");
setupThreadControls(data);
setupKeys({
  next: () => go(1),
  previous: () => go(-1),
  resolve: () => void patchConversation(data, { status: "resolved" }),
  note: () => document.querySelector<HTMLTextAreaElement>("#inbox-note textarea")?.focus(),
  assign: () => void assignToMe(data),
  reply: () => document.querySelector<HTMLTextAreaElement>("#inbox-reply textarea")?.focus(),
});

document.addEventListener("click", (ev) => {
  if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  const link = ev.target instanceof Element ? ev.target.closest<HTMLAnchorElement>("#inbox-list a, #inbox-thread a.back") : null;
  if (!link) return;
  ev.preventDefault();
  void open(link.href);
});
window.addEventListener("popstate", () => void open(location.href, false));
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && Number(rowOf(threadId() ?? "")?.dataset.unread) > 0) markRead();
});

let opened = false;
connectInbox({
  // After a drop (sleep, network, deploy) the list is read again: nothing that happened meanwhile is missed.
  onOpen: () => {
    if (opened) {
      void refreshList();
      void catchUpThread();
    }
    opened = true;
  },
  onEvent: (e) => onEvent(e as InboxEvent),
});
initThread(data);
showTotal();
