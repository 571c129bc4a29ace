// What one due enrollment does now: the pure planner of the campaign engine (no I/O, the clock is an argument).
// An enrollment rests at `step` (-1 = just enrolled, a wait step = waiting until next_at, a send step = waiting for
// the sending window); when due it moves through the steps until it must wait again, leaves, or finishes. At most
// one message per enrollment per turn: a second send in a row waits for the next turn (and the pacer).
import { msUntilSendable } from "../broadcasts/schedule";
import { storedPlan } from "../broadcasts/render";
import type { Rendered } from "../broadcasts/message";
import type { ExitReason } from "../db/schema";
import { type CampaignStep, type CampaignWindow, type ConditionCheck, waitMs } from "./steps";

export type ContactFacts = {
  name: string | null;
  /** Normalised digits to send to, or null (no number, a group). */
  phone: string | null;
  optedOut: boolean;
  onWhatsapp: "unknown" | "yes" | "no";
  customFields: Record<string, string | number>;
  labelIds: ReadonlySet<string>;
};

export type EnrollmentFacts = { id: string; step: number; repliedAt: number | null; contactId: string; contact: ContactFacts | null };
export type CampaignFacts = { id: string; steps: CampaignStep[]; window: CampaignWindow; exitOnReply: boolean; timeZone: string };

export type NextState = { kind: "active"; step: number; nextAt: number } | { kind: "completed"; step: number } | { kind: "exited"; step: number; reason: ExitReason };
export type Planned = { send: { step: number; text: string; content: Rendered["content"] } | null; state: NextState };

export function checkPasses(check: ConditionCheck, e: EnrollmentFacts, c: ContactFacts): boolean {
  switch (check.kind) {
    case "has_label":
      return c.labelIds.has(check.label_id);
    case "lacks_label":
      return !c.labelIds.has(check.label_id);
    case "no_reply":
      return e.repliedAt === null;
    case "field_equals": {
      const v = Object.hasOwn(c.customFields, check.key) ? c.customFields[check.key] : undefined;
      return v !== undefined && String(v).trim().toLowerCase() === check.value.toLowerCase();
    }
  }
}

/** One send step's message for one contact: deterministic per (campaign, step, contact), like a broadcast's. */
export function renderSend(step: Extract<CampaignStep, { type: "send" }>, campaignId: string, stepIndex: number, e: EnrollmentFacts, c: ContactFacts, previous: string | null): Rendered {
  return storedPlan(step.message, `${campaignId}:${stepIndex}`).render({ contactId: e.contactId, name: c.name, phone: c.phone, customFields: c.customFields, stored: null }, previous);
}

export function planEnrollment(k: CampaignFacts, e: EnrollmentFacts, now: number, previousText: string | null = null): Planned {
  const at = e.step;
  const exit = (reason: ExitReason, step = Math.max(0, at)): Planned => ({ send: null, state: { kind: "exited", step, reason } });
  const c = e.contact;
  if (!c) return exit("contact_gone");
  // Opting out always ends the sequence; a reply does when the campaign says so.
  if (c.optedOut) return exit("opted_out");
  if (k.exitOnReply && e.repliedAt !== null) return exit("replied");

  const resting = k.steps[at];
  // Just enrolled: the first step. Due at a wait: the wait is over. Due at a send: it waited for the window.
  let i = at < 0 ? 0 : resting?.type === "wait" ? at + 1 : at;
  let send: Planned["send"] = null;
  for (let guard = 0; guard <= k.steps.length; guard++) {
    const s = k.steps[i];
    if (!s) return { send, state: { kind: "completed", step: k.steps.length } };
    if (s.type === "wait") return { send, state: { kind: "active", step: i, nextAt: now + waitMs(s) } };
    if (s.type === "condition") {
      if (checkPasses(s.check, e, c)) i += 1;
      else if (s.otherwise === "exit") return { send, state: { kind: "exited", step: i, reason: "condition" } };
      else i += 2;
      continue;
    }
    // A send: one per turn; outside the window it waits for the opening; never to a number that cannot get it.
    if (send) return { send, state: { kind: "active", step: i, nextAt: now } };
    const closed = msUntilSendable(now, { ...k.window, start_at: null }, k.timeZone);
    if (closed > 0) return { send: null, state: { kind: "active", step: i, nextAt: now + closed } };
    if (c.phone === null) return exit("invalid_phone", i);
    if (c.onWhatsapp === "no") return exit("not_on_whatsapp", i);
    send = { step: i, ...renderSend(s, k.id, i, e, c, previousText) };
    i += 1;
  }
  return { send, state: { kind: "completed", step: k.steps.length } };
}
