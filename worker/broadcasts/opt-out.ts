// Opt-out and opt-in by keyword: an inbound message that is exactly a stop keyword (STOP, BERHENTI, UNSUB,
// JANGAN KIRIM by default) marks the contact opted out and answers one confirmation; START/MULAI opts back in.
// Registered as the auto-reply module of kind "opt_out", which runs before keyword replies and the AI agent;
// the confirmation goes out through the auto-reply path (idempotent per inbound message, transactional lane).
// Only a change of state is confirmed: a second STOP from someone already opted out gets no second message, but
// the keyword is still consumed (CONSUMED), so no keyword rule or AI agent answers a customer who said stop.
import { and, eq, or } from "drizzle-orm";
import { database } from "../db/client";
import { contacts } from "../db/schema";
import { exitContactEnrollments } from "../db/campaign-enrollments";
import { type AutoReply, type AutoReplyContext, CONSUMED, registerAutoReply } from "../inbound/auto-reply";
import { getBroadcastSettings, keywordOf } from "./settings";

export async function decideOptOut(ctx: AutoReplyContext): Promise<AutoReply | typeof CONSUMED | null> {
  const text = ctx.message.text;
  if (!text || text.length > 60) return null;
  const [digits, server] = ctx.chatJid.split("@");
  if (!digits || server === "g.us") return null;
  const db = database(ctx.env.DB);
  const s = await getBroadcastSettings(db, ctx.business);
  const word = keywordOf(text);
  const stop = s.stop_keywords.some((k) => keywordOf(k) === word);
  const start = !stop && s.start_keywords.some((k) => keywordOf(k) === word);
  if (!stop && !start) return null;
  const who = and(eq(contacts.businessId, ctx.business.id), or(eq(contacts.waJid, ctx.chatJid), server === "s.whatsapp.net" ? eq(contacts.phone, digits) : undefined));
  const contact = await db.select({ id: contacts.id, optedOut: contacts.optedOut }).from(contacts).where(who).get();
  if (!contact) return null;
  // Already in the state asked for: nothing to change or confirm. A repeated stop is still consumed (nobody may
  // answer someone who asked us to stop); a START/MULAI from a subscribed contact is an ordinary word ("mulai")
  // that keyword rules or the AI may answer.
  if (contact.optedOut === stop) return stop ? CONSUMED : null;
  if (!ctx.dryRun) {
    const now = Date.now();
    await db
      .update(contacts)
      .set(stop ? { optedOut: true, optedOutAt: now, optedOutReason: `keyword:${word}`, updatedAt: now } : { optedOut: false, optedOutAt: null, optedOutReason: null, updatedAt: now })
      .where(and(eq(contacts.businessId, ctx.business.id), eq(contacts.id, contact.id)))
      .run();
    // An opt-out always ends the contact's campaign sequences (issue 11, docs/campaigns.md).
    if (stop) await exitContactEnrollments(db, ctx.business.id, [contact.id], "opted_out", now);
  }
  return { text: stop ? s.stop_reply : s.start_reply, source: "opt_out" };
}

registerAutoReply("opt_out", decideOptOut);
