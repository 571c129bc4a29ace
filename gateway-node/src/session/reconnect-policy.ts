// What to do when a Baileys connection closes, by disconnect reason. Pure, so every reason is tested.
// Terminal reasons (logged out, banned/forbidden, multi-device mismatch) never reconnect: reconnecting a
// logged-out or banned number only adds ban signals. connectionReplaced (another client took the session)
// backs off steeply so two gateways holding the same creds do not kick each other in a loop.
import { DisconnectReason } from "@whiskeysockets/baileys";

export type CloseDecision =
  | { action: "reconnect"; delayMs: number; reason: string }
  | { action: "stop"; status: "logged_out" | "failed"; reason: string; wipeCreds: boolean };

export type CloseHistory = {
  /** Consecutive closes since the last successful open. */
  attempts: number;
  /** connectionReplaced closes within the last 10 minutes. */
  replacedRecently: number;
};

const BASE_MS = 1_000;
const MAX_MS = 60_000;
const REPLACED_BASE_MS = 15_000;
const REPLACED_MAX_MS = 15 * 60_000;
/** After this many replacements in 10 minutes the session stops until an operator acts. */
export const REPLACED_LIMIT = 6;

/** Exponential backoff with full jitter in [delay/2, delay]. `random` is injectable for tests. */
export function backoff(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function decideOnClose(statusCode: number | undefined, history: CloseHistory, random: () => number = Math.random): CloseDecision {
  switch (statusCode) {
    case DisconnectReason.loggedOut:
      return { action: "stop", status: "logged_out", reason: "logged out from the phone (401)", wipeCreds: true };
    case DisconnectReason.forbidden:
      return { action: "stop", status: "failed", reason: "WhatsApp refused this number (403: banned or restricted)", wipeCreds: false };
    case DisconnectReason.multideviceMismatch:
      return { action: "stop", status: "logged_out", reason: "multi-device mismatch (411): pair the device again", wipeCreds: true };
    case DisconnectReason.restartRequired:
      // Sent right after a successful pairing: reconnect at once with the new credentials.
      return { action: "reconnect", delayMs: 0, reason: "restart required (515)" };
    case DisconnectReason.connectionReplaced:
      if (history.replacedRecently >= REPLACED_LIMIT) {
        return { action: "stop", status: "failed", reason: `connection replaced ${history.replacedRecently} times in 10 minutes (440): another client uses this session`, wipeCreds: false };
      }
      return { action: "reconnect", delayMs: backoff(history.replacedRecently, REPLACED_BASE_MS, REPLACED_MAX_MS, random), reason: "connection replaced (440)" };
    case DisconnectReason.badSession:
      return { action: "reconnect", delayMs: backoff(history.attempts + 2, BASE_MS, MAX_MS, random), reason: "bad session (500)" };
    default:
      return { action: "reconnect", delayMs: backoff(history.attempts, BASE_MS, MAX_MS, random), reason: statusCode ? `connection closed (${statusCode})` : "connection closed" };
  }
}
