// The "ai" auto-reply module. A real arrival is noted on the conversation's AiConversation Durable Object, which
// answers later (debounced) through replyOnConversation — so this returns null for it. The seed's callback with
// the business's api_key (a dry run) gets the answer synchronously: one turn on this message alone, counted in
// usage, nothing else written.
import { getAiSettings } from "../db/ai-settings";
import { database } from "../db/client";
import { aiConversation } from "../durable/stubs";
import { type AutoReply, type AutoReplyContext, channelOfContext, registerAutoReply } from "../inbound/auto-reply";
import { runTurn } from "./turn";

export async function decideAiReply(ctx: AutoReplyContext): Promise<AutoReply | null> {
  const text = ctx.message.text;
  if (!text) return null;
  const db = database(ctx.env.DB);
  const settings = await getAiSettings(db, ctx.business.id);
  if (settings.channelIds.length === 0) return null;
  const channelId = await channelOfContext(ctx);
  if (!channelId || !settings.channelIds.includes(channelId)) return null;
  if (!ctx.dryRun && ctx.message.conversationId) {
    await aiConversation(ctx.env, ctx.message.conversationId).note({
      businessId: ctx.business.id,
      conversationId: ctx.message.conversationId,
      messageId: ctx.message.id,
      debounceMs: settings.debounceMs,
      maxWaitMs: settings.maxWaitMs,
    });
    return null;
  }
  if (!ctx.dryRun) return null;
  const outcome = await runTurn({ env: ctx.env, business: ctx.business, settings, contactId: null, history: [{ direction: "in", source: "inbound", text, at: Date.now() }] });
  if (outcome.kind === "over_budget" || outcome.parts.length === 0) return null;
  return { text: outcome.parts.join("\n\n"), source: "ai" };
}

registerAutoReply("ai", decideAiReply);
