// The "keyword" auto-reply module: the first active rule (priority order) that matches the message answers, with
// its text or its saved template rendered with {name}. A rule in its per-contact cooldown counts as not matching.
// Silent while a human has the conversation (bot_state). The dry run (seed callback) reads and writes nothing.
import { botMayAnswer } from "../ai/bot-state";
import { type AutoReplyRule, claimCooldown, inCooldown, rulesForChannel } from "../db/auto-replies";
import { database } from "../db/client";
import { getConversationRow } from "../db/conversations";
import { getTemplate } from "../db/templates";
import { type AutoReply, type AutoReplyContext, channelOfContext, registerAutoReply } from "../inbound/auto-reply";
import { renderSavedTemplate } from "../messaging/template-render";
import { matches } from "./match";

/** What {name} becomes when the sender has no name ("Kak" is the polite Indonesian address). */
const NO_NAME = "Kak";

async function replyText(ctx: AutoReplyContext, rule: AutoReplyRule): Promise<string | null> {
  if (rule.replyText) return rule.replyText;
  if (!rule.templateId) return null;
  const template = await getTemplate(database(ctx.env.DB), ctx.business.id, rule.templateId);
  if (!template) return null;
  const rendered = renderSavedTemplate(template.body, { name: ctx.senderName?.trim() || NO_NAME });
  // A template with other variables cannot be filled here: the rule does not answer (the API warns on save).
  return rendered.ok ? rendered.text : null;
}

export async function decideKeywordReply(ctx: AutoReplyContext): Promise<AutoReply | null> {
  const text = ctx.message.text;
  if (!text) return null;
  const db = database(ctx.env.DB);
  const now = Date.now();
  if (ctx.message.conversationId) {
    const row = await getConversationRow(db, ctx.business.id, ctx.message.conversationId);
    if (row && !botMayAnswer(row.conversation, now)) return null;
  }
  for (const rule of await rulesForChannel(db, ctx.business.id, await channelOfContext(ctx))) {
    if (!matches(rule, text)) continue;
    if (rule.cooldownSeconds) {
      const ms = rule.cooldownSeconds * 1000;
      const free = ctx.dryRun ? !(await inCooldown(db, rule.id, ctx.chatJid, ms, now)) : await claimCooldown(db, rule.id, ctx.chatJid, ctx.message.id, ms, now);
      if (!free) continue;
    }
    const reply = await replyText(ctx, rule);
    if (reply) return { text: reply, source: "keyword" };
  }
  return null;
}

registerAutoReply("keyword", decideKeywordReply);
