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

/** Throws on a row start could not have written (an unresolved or unparsable message): a bug, not input. */
export function pagePlan(b: Pick<Broadcast, "id" | "message">): Plan {
  const m = frozen(BroadcastMessage.parse(b.message));
  if (!m) throw new Error(`broadcast ${b.id}: its message was not resolved at start`);
  const p = planOf(m, b.id, null);
  if (!p.ok) throw new Error(`broadcast ${b.id}: ${p.message}`);
  return p.plan;
}
