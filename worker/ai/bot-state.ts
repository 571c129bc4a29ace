// Whether the bot (keyword replies and the AI agent) may speak in a conversation: the conversation's `bot_state`
// from the CRM. `handed_off` and `silenced` last until `bot_silenced_until` (null: until an agent releases it).
// Only time or an agent lifts them — never the customer's next message.
import type { Conversation } from "../db/conversations";

export type BotStateFields = Pick<Conversation, "botState" | "botSilencedUntil">;

export function botMayAnswer(c: BotStateFields, now: number): boolean {
  if (c.botState === "active") return true;
  return c.botSilencedUntil !== null && c.botSilencedUntil <= now;
}
