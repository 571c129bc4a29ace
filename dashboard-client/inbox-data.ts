// What the inbox page gives its script (#inbox-data, drawn by worker/dashboard/pages/inbox-pages.tsx), and the
// selected thread's own attributes (they change when another conversation is opened in place).
export type InboxData = {
  me: { id: string; name: string } | null;
  business: string;
  /** The business's time zone (Asia/Jakarta unless set otherwise). */
  tz: string;
  users: { id: string; name: string; handle: string }[];
  canned: { shortcut: string; text: string }[];
  notify: "on" | "off";
  t: Record<string, string>;
};

export function readInboxData(): InboxData {
  const raw = document.getElementById("inbox-data")?.textContent ?? "{}";
  const d = JSON.parse(raw) as Partial<InboxData>;
  return { me: d.me ?? null, business: d.business ?? "", tz: d.tz ?? "Asia/Jakarta", users: d.users ?? [], canned: d.canned ?? [], notify: d.notify ?? "off", t: d.t ?? {} };
}

/** The open conversation (null on the list alone). */
export function thread(): HTMLElement | null {
  return document.getElementById("inbox-thread");
}

export function threadId(): string | null {
  return thread()?.dataset.conversation ?? null;
}

/** The contact's canned-response variables of the open conversation. */
export function threadVars(): Record<string, string | null> {
  try {
    return JSON.parse(thread()?.dataset.vars ?? "{}") as Record<string, string | null>;
  } catch {
    return {};
  }
}
