// Whether the bot (keyword replies and the AI agent) may speak in a conversation: the conversation's `bot_state`
// from the CRM. `handed_off` and `silenced` last until `bot_silenced_until` (null: until an agent releases it).
// Only time or an agent lifts them — never the customer's next message.
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Conversation, updateConversation } from "../db/conversations";

export type BotStateFields = Pick<Conversation, "botState" | "botSilencedUntil">;

export function botMayAnswer(c: BotStateFields, now: number): boolean {
  if (c.botState === "active") return true;
  return c.botSilencedUntil !== null && c.botSilencedUntil <= now;
}

/** Hands the conversation to a human until an agent releases it or `minutes` pass (0: until released). */
export async function handOff(db: Db, businessId: string, conversationId: string, reason: string, minutes: number, now: number): Promise<void> {
  await updateConversation(db, businessId, conversationId, { botState: "handed_off", botSilencedUntil: minutes > 0 ? now + minutes * 60_000 : null, botStateReason: reason.slice(0, 500), updatedAt: now });
}

/** A human replied (dashboard or the phone itself): the bot keeps quiet for `minutes`. A handoff is not shortened. */
export async function silenceAfterHuman(db: Db, businessId: string, conversationId: string, minutes: number, now: number): Promise<void> {
  const until = now + minutes * 60_000;
  await db.run(
    sql`UPDATE conversations SET bot_state = 'silenced', bot_silenced_until = ${until}, bot_state_reason = 'human_reply', updated_at = ${now}
        WHERE business_id = ${businessId} AND id = ${conversationId}
          AND (bot_state != 'handed_off' OR (bot_silenced_until IS NOT NULL AND bot_silenced_until <= ${now}))`,
  );
}

export async function releaseBot(db: Db, businessId: string, conversationId: string, now: number): Promise<void> {
  await updateConversation(db, businessId, conversationId, { botState: "active", botSilencedUntil: null, botStateReason: null, updatedAt: now });
}
