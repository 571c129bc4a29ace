// The website chat's D1 write, shaped for load (bench:chat): a visitor message costs ONE D1 batch — the message
// row, the conversation's count and preview, and the auto-reply effect row — instead of a round trip each. What
// the path needs to know about the business (time zone, package, hours, auto-assignment, whether anything could
// auto-reply) is the chat object's hot state (`ChatHot`), read in one batch and kept in its storage for
// HOT_TTL_MS, so a message reads nothing else from D1 before the inbox hears of it.
import { and, count, eq, isNull, or } from "drizzle-orm";
import type { ChatItem } from "../../widget/protocol";
import { isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { type Conversation, noteInboundOnceStatement } from "../db/conversations";
import { insertEffectStatements, type NewInboundEffect } from "../db/inbound-effects";
import { insertMessageStatement, type Message } from "../db/messages";
import { aiSettings, autoReplies, businesses, livechatSettings } from "../db/schema";
import { webChatJid, webDeviceKey } from "./addresses";
import { parseConfig, type LivechatConfig } from "./settings";
import { webAutoReplyEffect } from "./web-auto-reply";

/** Who the chat object speaks for, set by the Worker when the visitor connects (from the verified token). */
export type WebChatMeta = { businessId: string; conversationId: string; channelId: string; visitorId: string };

/** How long the chat object trusts its copy of the business's settings (a change reaches open chats within this). */
export const HOT_TTL_MS = 60_000;

export type ChatHot = {
  at: number;
  timezone: string;
  active: boolean;
  /** An active keyword rule for this channel, or the AI agent on for it: a visitor message gets an effect row. */
  autoReply: boolean;
  cfg: Pick<LivechatConfig, "auto_assign" | "max_open_per_agent" | "hours" | "out_of_office">;
};

/** One D1 batch: the business, its live-chat settings, its keyword rules for the channel, its AI channels. */
export async function loadChatHot(env: Env, meta: WebChatMeta, now: number): Promise<ChatHot | null> {
  const db = database(env.DB);
  const [biz, settings, rules, ai] = await db.batch([
    db
      .select({ timezone: businesses.timezone, activeUntil: businesses.activeUntil, package: businesses.package })
      .from(businesses)
      .where(eq(businesses.id, meta.businessId)),
    db.select({ config: livechatSettings.config }).from(livechatSettings).where(eq(livechatSettings.businessId, meta.businessId)),
    db
      .select({ n: count() })
      .from(autoReplies)
      .where(
        and(
          eq(autoReplies.businessId, meta.businessId),
          eq(autoReplies.active, true),
          or(isNull(autoReplies.channelId), eq(autoReplies.channelId, meta.channelId)),
        ),
      ),
    db.select({ channelIds: aiSettings.channelIds }).from(aiSettings).where(eq(aiSettings.businessId, meta.businessId)),
  ]);
  const b = biz[0];
  if (!b) return null;
  const cfg = parseConfig(settings[0]?.config ?? {});
  return {
    at: now,
    timezone: b.timezone,
    active: isPackageActive(b, now),
    autoReply: (rules[0]?.n ?? 0) > 0 || (ai[0]?.channelIds ?? []).includes(meta.channelId),
    cfg: { auto_assign: cfg.auto_assign, max_open_per_agent: cfg.max_open_per_agent, hours: cfg.hours, out_of_office: cfg.out_of_office },
  };
}

/** A visitor message as the chat object holds it: `id` becomes the message id, `at` is strictly increasing. */
export type WebItem = Pick<ChatItem, "id" | "text" | "at" | "media"> & { cid: string };

export type Stored = { messages: Message[]; conversation: Conversation | null; effects: NewInboundEffect[] };

/**
 * Writes visitor messages in one D1 batch; idempotent: a message already stored (same client id) is skipped
 * by its key, the conversation counts each message once (noteInboundOnceStatement), and an effect row exists
 * only next to a message this batch created. Returns what this batch created.
 */
export async function storeWebMessages(env: Env, meta: WebChatMeta, hot: ChatHot, items: WebItem[]): Promise<Stored> {
  const db = database(env.DB);
  const now = Date.now();
  const jid = webChatJid(meta.visitorId);
  const effects = hot.autoReply && hot.active ? items.map((m) => webAutoReplyEffect({ ...meta, messageId: m.id, cid: m.cid }, now)) : [];
  const statements = items.flatMap((m) => [
    insertMessageStatement(db, {
      id: m.id,
      businessId: meta.businessId,
      deviceKey: webDeviceKey(meta.channelId),
      direction: "in",
      idempotencyKey: `in:web:${meta.conversationId}:${m.cid}`,
      to: jid,
      text: m.text,
      content: m.media
        ? {
            kind: m.media.mime === "application/pdf" ? "document" : "image",
            sender_jid: jid,
            sender_name: null,
            media: { url: m.media.url, mime_type: m.media.mime, file_name: m.media.name },
          }
        : { kind: "text", sender_jid: jid, sender_name: null },
      source: "inbound",
      status: "delivered",
      providerMessageId: m.cid,
      conversationId: meta.conversationId,
      createdAt: m.at,
    }),
    noteInboundOnceStatement(db, meta.conversationId, m.at, m.text),
  ]);
  const [first, ...rest] = [...statements, ...insertEffectStatements(db, effects, now)];
  if (!first) return { messages: [], conversation: null, effects: [] };
  const results = await db.batch([first, ...rest]);
  const messages: Message[] = [];
  let conversation: Conversation | null = null;
  // Results alternate (message insert, conversation update) per item; effect inserts follow.
  for (let i = 0; i < items.length; i++) {
    const inserted = results[2 * i] as Message[] | undefined;
    const counted = results[2 * i + 1] as Conversation[] | undefined;
    if (inserted?.[0]) messages.push(inserted[0]);
    if (counted?.[0]) conversation = counted[0];
  }
  const created = new Set(messages.map((m) => m.id));
  return { messages, conversation, effects: effects.filter((e) => created.has(e.messageId)) };
}
