// The hand-off from the inbound path to auto-reply: ONE function, called for every stored inbound message.
// Keyword replies and the AI agent (later issues) plug in here, in that order, unless a human has taken over;
// each returns the reply it would send or null. Until they exist nothing replies.
import type { Device } from "../db/devices";
import type { Business } from "../db/businesses";
import type { Message } from "../db/messages";

export type AutoReplyContext = {
  env: Env;
  business: Business;
  device: Device;
  /** The stored inbound message (direction "in"). */
  message: Message;
  /** Sender JID (`62…@s.whatsapp.net` or the group JID). */
  chatJid: string;
  senderName: string | null;
};

export type AutoReply = { text: string; source: "keyword" | "ai" };

export type AutoReplyModule = (ctx: AutoReplyContext) => Promise<AutoReply | null>;

/** Registered in priority order by the modules that answer (keyword replies first, then the AI agent). */
const modules: AutoReplyModule[] = [];

export async function decideAutoReply(ctx: AutoReplyContext): Promise<AutoReply | null> {
  for (const m of modules) {
    const reply = await m(ctx);
    if (reply) return reply;
  }
  return null;
}
