// The renderer the feed uses for a started broadcast: built from the message as frozen on the row at start (the
// saved template's body, the media object's type, the Meta template's components), so a page never reads them.
import type { Broadcast } from "../db/broadcasts";
import { BroadcastMessage, type Plan, planOf, type ResolvedMessage } from "./message";

function frozen(m: BroadcastMessage): ResolvedMessage | null {
  switch (m.type) {
    case "template":
      return m.resolved ? { ...m, resolved: m.resolved } : null;
    case "media":
      return m.resolved ? { ...m, resolved: m.resolved } : null;
    case "meta_template":
      return m.resolved ? { ...m, resolved: m.resolved } : null;
    default:
      return m;
  }
}

/**
 * The renderer of a stored, resolved message; `id` salts the text choice (a broadcast's id, a campaign step's).
 * Throws on a message its writer could not have stored (unresolved or unparsable): a bug, not input.
 */
export function storedPlan(message: unknown, id: string): Plan {
  const m = frozen(BroadcastMessage.parse(message));
  if (!m) throw new Error(`${id}: its message was not resolved when it was stored`);
  const p = planOf(m, id, null);
  if (!p.ok) throw new Error(`${id}: ${p.message}`);
  return p.plan;
}

export function pagePlan(b: Pick<Broadcast, "id" | "message">): Plan {
  return storedPlan(b.message, b.id);
}
