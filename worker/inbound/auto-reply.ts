// The hand-off from the inbound path to auto-reply: ONE function, called for every inbound message and for the
// seed's callback. Keyword replies and the AI agent (issue 12) plug in here with registerAutoReply(), in that
// order, unless a human has taken over; each returns the reply it would send or null. Until they exist nothing
// replies.
//
// Contract for modules (docs/security.md, "Seed callback"):
// - `dryRun` is true for the seed's callback without credentials: answer what you would say, write nothing
//   (no usage, no memory, no conversation state). `message.id` is then not a stored message.
// - `allowAi` is false for unauthenticated dry runs: an "ai" module must return null then, so nobody can spend a
//   business's AI budget without its api_key. When an "ai" module answers, it counts the answer in the business's
//   AI usage, dry run or not.
import type { Device } from "../db/devices";
import type { Business } from "../db/businesses";
import type { Message } from "../db/messages";
import { channelOfDevice } from "../db/auto-replies";
import { database } from "../db/client";

/** What a module may read of the inbound message (a stored row, or the callback's unsaved message). */
export type AutoReplyMessage = Pick<Message, "id" | "text" | "conversationId" | "createdAt">;

export type AutoReplyContext = {
  env: Env;
  business: Business;
  /** The WhatsApp device the message came in on; null for the website chat. */
  device: Device | null;
  /** The conversation's channel when the caller knows it (the website chat); else it is the device's channel. */
  channelId?: string;
  message: AutoReplyMessage;
  /** Sender JID (`62…@s.whatsapp.net` or the group JID). */
  chatJid: string;
  senderName: string | null;
  /** Nothing may be written (the seed's callback without credentials). Default false. */
  dryRun?: boolean;
  /** The AI agent may answer (and be counted). Default true; false for unauthenticated dry runs. */
  allowAi?: boolean;
};

export type AutoReply = { text: string; source: "opt_out" | "keyword" | "ai" };

/**
 * A module answers a reply, null (not mine: the next module decides), or CONSUMED: the message was handled and
 * nobody answers it (a second STOP from a contact already opted out must not reach a keyword rule or the AI).
 */
export const CONSUMED = "consumed";
export type AutoReplyModule = (ctx: AutoReplyContext) => Promise<AutoReply | typeof CONSUMED | null>;
export type AutoReplyKind = AutoReply["source"];

/** Registered in priority order by the modules that answer (opt-out keywords, keyword replies, the AI agent). */
const modules: { kind: AutoReplyKind; decide: AutoReplyModule }[] = [];
const RANK: Record<AutoReplyKind, number> = { opt_out: 0, keyword: 1, ai: 2 };

export function registerAutoReply(kind: AutoReplyKind, decide: AutoReplyModule): void {
  modules.push({ kind, decide });
  modules.sort((a, b) => RANK[a.kind] - RANK[b.kind]);
}

/** The channel the message came in on: the website chat names it, a WhatsApp device has one. */
export async function channelOfContext(ctx: AutoReplyContext): Promise<string | null> {
  if (ctx.channelId) return ctx.channelId;
  return ctx.device ? channelOfDevice(database(ctx.env.DB), ctx.business.id, ctx.device.deviceKey) : null;
}

export async function decideAutoReply(ctx: AutoReplyContext): Promise<AutoReply | null> {
  const allowAi = ctx.allowAi ?? true;
  // Looked up once here, not by each module that scopes by channel (keyword rules, the AI agent).
  const channelId = await channelOfContext(ctx);
  const scoped = channelId ? { ...ctx, channelId } : ctx;
  for (const m of modules) {
    if (m.kind === "ai" && !allowAi) continue;
    const reply = await m.decide(scoped);
    if (reply === CONSUMED) return null;
    if (reply) return reply;
  }
  return null;
}
