// The sandbox provider: messages stay inside Ping and count as delivered at once.
import type { SendOutcome } from "./types";

export function sandboxSend(messageId: string): SendOutcome {
  return { ok: true, providerMessageId: `sandbox-${messageId}` };
}
