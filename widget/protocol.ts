// The chat socket's frames, shared by the widget (widget/chat.ts) and the chat object (worker/durable/live-chat.ts).
// Short keys: every frame crosses a visitor's mobile link. `seq` is the object's per-conversation order; the
// client keeps the highest it has seen and asks for everything after it on every (re)connect.

/** One message as the visitor sees it. `cid` is the visitor's own client id (their messages only). */
export type ChatItem = { seq: number; id: string; cid: string | null; dir: "in" | "out"; text: string; at: number; media?: { url: string; mime: string; name: string } };

export type ClientFrame =
  | { t: "hello"; after: number }
  | { t: "msg"; cid: string; text: string }
  | { t: "typing" }
  | { t: "ping" };

export type ServerFrame =
  | { t: "msgs"; items: ChatItem[] }
  | { t: "typing" }
  | { t: "err"; code: string; cid?: string }
  | { t: "pong" };

/** Largest visitor message, in characters (checked on both ends). */
export const MAX_TEXT = 2000;
