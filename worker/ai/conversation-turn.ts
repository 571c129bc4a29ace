// A debounced AI turn on a conversation, run by its Durable Object's alarm: the quiet rules (bot state, channel
// on/off, hours, groups, backlog, loop guard, handoff keywords), then the model, then — unless something newer
// happened meanwhile (latest wins) — the answer through replyOnConversation with `ai:<turn id>` keys.
import { getBusiness, isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { getAiSettings } from "../db/ai-settings";
import { type ConversationRow, getConversationRow } from "../db/conversations";
import { listMessages, type Message } from "../db/messages";
import { replyOnConversation } from "../crm/conversation-reply";
import { deviceSession } from "../durable/stubs";
import { botMayAnswer, handOff } from "./bot-state";
import { asksForHuman, BACKLOG_MAX_AGE_MS, consecutiveBotReplies, type HistoryMessage, inAnsweringHours, MAX_CONSECUTIVE_BOT_REPLIES } from "./rules";
import { runTurn } from "./turn";

/** `since`: when the previous turn was taken (its messages are not this turn's burst). */
export type TurnJob = { businessId: string; conversationId: string; messageId: string; turnId: string; since: number };
/** Why a turn said nothing (logged; tests read it from the DO's last outcome). */
export type TurnResult = { status: "sent" | "handed_off" | "quiet" | "dropped"; reason: string };

const HISTORY_ROWS = 40;

function sentAt(m: Message): number {
  const at = m.content?.sent_at;
  return typeof at === "number" ? at : m.createdAt;
}

const toHistory = (m: Message): HistoryMessage => ({ direction: m.direction, source: m.source, text: m.text, at: m.createdAt });

async function typing(env: Env, row: ConversationRow, state: "composing" | "paused"): Promise<void> {
  if (row.channel.kind !== "whatsapp" || !row.conversation.deviceKey || !row.contact.waJid) return;
  await deviceSession(env, row.conversation.deviceKey)
    .presence(row.contact.waJid, state)
    .catch(() => false);
}

/** `stale()` says whether a newer customer message reached the Durable Object after this turn began. */
export async function driveTurn(env: Env, job: TurnJob, stale: () => boolean, now = Date.now()): Promise<TurnResult> {
  const db = database(env.DB);
  const [business, row, settings] = await Promise.all([getBusiness(db, job.businessId), getConversationRow(db, job.businessId, job.conversationId), getAiSettings(db, job.businessId)]);
  if (!business || !row || !isPackageActive(business)) return { status: "quiet", reason: "gone" };
  if (!botMayAnswer(row.conversation, now)) return { status: "quiet", reason: `bot_${row.conversation.botState}` };
  if (!settings.channelIds.includes(row.channel.id)) return { status: "quiet", reason: "ai_off_on_channel" };
  if (row.contact.isGroup && !settings.groupsEnabled) return { status: "quiet", reason: "group" };
  if (!inAnsweringHours(settings, now, business.timezone)) return { status: "quiet", reason: "business_hours" };
  const rows = (await listMessages(db, job.businessId, { conversationId: job.conversationId }, HISTORY_ROWS)).reverse();
  const latest = rows.findLast((m) => m.direction === "in");
  if (!latest || latest.id !== job.messageId) return { status: "dropped", reason: "newer_message" };
  if (sentAt(latest) < now - BACKLOG_MAX_AGE_MS) return { status: "quiet", reason: "backlog" };
  // The customer's messages since the bot (or a human) last spoke and since the previous turn: this turn's burst.
  const lastOut = rows.findLastIndex((m) => m.direction === "out");
  const burst = rows.slice(lastOut + 1).filter((m) => m.direction === "in" && m.createdAt >= job.since);
  if (burst.some((m) => asksForHuman(m.text ?? "", settings.handoffKeywords))) {
    await handOff(db, job.businessId, job.conversationId, "customer_asked", settings.handoffMinutes, now);
    return { status: "handed_off", reason: "keyword" };
  }
  const history = rows.map(toHistory);
  if (consecutiveBotReplies(history, now) >= MAX_CONSECUTIVE_BOT_REPLIES) {
    await handOff(db, job.businessId, job.conversationId, "loop_guard", settings.handoffMinutes, now);
    return { status: "handed_off", reason: "loop_guard" };
  }
  await typing(env, row, "composing");
  const outcome = await runTurn({ env, business, settings, contactId: row.contact.id, history });
  await typing(env, row, "paused");
  if (outcome.kind === "over_budget") return { status: "quiet", reason: "usage_cap" };
  // Latest wins: a newer customer message, a human reply or a handoff while the model was thinking drops this answer.
  const after = await getConversationRow(db, job.businessId, job.conversationId);
  if (stale()) return { status: "dropped", reason: "newer_message" };
  if (!after || !botMayAnswer(after.conversation, Date.now())) return { status: "dropped", reason: "bot_state_changed" };
  const newest = (await listMessages(db, job.businessId, { conversationId: job.conversationId }, 1))[0];
  if (newest && newest.id !== latest.id && !newest.idempotencyKey?.startsWith(`ai:${job.turnId}`)) return { status: "dropped", reason: "newer_message" };
  for (const [i, text] of outcome.parts.entries()) {
    await replyOnConversation(env, db, business, after, { text, idempotencyKey: i === 0 ? `ai:${job.turnId}` : `ai:${job.turnId}:${i}`, source: "ai" });
  }
  if (outcome.kind === "handoff") {
    await handOff(db, job.businessId, job.conversationId, outcome.reason === "tool" ? `ai_tool: ${outcome.detail}` : `ai_failure: ${outcome.detail}`, settings.handoffMinutes, Date.now());
    return { status: "handed_off", reason: outcome.reason };
  }
  return { status: "sent", reason: `${outcome.parts.length} part(s)` };
}
