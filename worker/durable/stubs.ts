// Stubs of the Durable Objects, next to their classes: one per device (its key) and one per business.
export function deviceSession(env: Env, deviceKey: string) {
  return env.DEVICE_SESSION.get(env.DEVICE_SESSION.idFromName(deviceKey));
}

export function inboxHub(env: Env, businessId: string) {
  return env.INBOX_HUB.get(env.INBOX_HUB.idFromName(businessId));
}

export function aiConversation(env: Env, conversationId: string) {
  return env.AI_CONVERSATION.get(env.AI_CONVERSATION.idFromName(conversationId));
}

/** One per website-chat conversation (its id). */
export function liveChat(env: Env, conversationId: string) {
  return env.LIVE_CHAT.get(env.LIVE_CHAT.idFromName(conversationId));
}

/** One per broadcast (its id): the engine that feeds the device's outbox. */
export function broadcastRunner(env: Env, broadcastId: string) {
  return env.BROADCAST_RUNNER.get(env.BROADCAST_RUNNER.idFromName(broadcastId));
}

/** One per business (its id): the clock of its upselling campaigns. */
export function campaignEngine(env: Env, businessId: string) {
  return env.CAMPAIGN_ENGINE.get(env.CAMPAIGN_ENGINE.idFromName(businessId));
}
