// The CRM side of an accepted event (contact merge + order upsert, worker/crm/webhook-customer.ts) runs after the
// answer. Its facts are written into the event's log row in the webhook's own batch (webhook_logs.customer,
// due at `customer_due_at`), and the same facts travel on the `webhook-effects` queue; the consumer runs a batch
// of them and marks them done in one write. The log row is the backstop: if the send or the consumer fails, the
// cron sweep re-drives it, and running it twice is harmless (the merge and the upsert are idempotent).
import { z } from "zod";
import { recordWebhookCustomer, WebhookCustomer } from "../crm/webhook-customer";
import { database } from "../db/client";
import { enrolFromWebhook } from "../campaigns/service";
import { deferCustomer, dueCustomers, markCustomersDone } from "../db/webhook-customers";

const CustomerEffectMessage = z.object({ business_id: z.string(), log_id: z.string(), customer: WebhookCustomer });
export type CustomerEffectMessage = z.infer<typeof CustomerEffectMessage>;

/** The live path (the queue) has this long to run a customer before the sweep may take it. */
export const CUSTOMER_GRACE_MS = 60_000;
const SWEEP_PER_BUSINESS = 50;
const SWEEP_LIMIT = 200;

export function customerEffectMessage(businessId: string, logId: string, customer: WebhookCustomer): CustomerEffectMessage {
  return { business_id: businessId, log_id: logId, customer };
}

type CustomerRun = { logId: string; businessId: string; customer: unknown; createdAt?: number };

/**
 * Records each customer and marks the done ones in one write; one that throws is deferred for the sweep (backing
 * off with the event's age) and does not stop the others. Never throws, so a queue batch is acknowledged.
 */
export async function runWebhookCustomers(env: Env, runs: CustomerRun[], now: number): Promise<void> {
  const db = database(env.DB);
  const done: string[] = [];
  for (const r of runs) {
    const facts = WebhookCustomer.safeParse(r.customer);
    if (!facts.success) {
      console.error(JSON.stringify({ level: "error", msg: "webhook customer facts unreadable; dropped", log_id: r.logId }));
      done.push(r.logId);
      continue;
    }
    try {
      const recorded = await recordWebhookCustomer(db, r.businessId, facts.data, now);
      // Campaigns triggered by the matched rules (issue 11); the log id is the event, so a re-run enrols no one twice.
      await enrolFromWebhook(env, db, r.businessId, r.logId, facts.data.rule_ids, recorded.contactIds);
      done.push(r.logId);
    } catch (err) {
      console.warn(JSON.stringify({ level: "warn", msg: "webhook customer failed; the sweep retries it", log_id: r.logId, error: String(err) }));
      const age = now - (r.createdAt ?? now);
      await deferCustomer(db, r.logId, now + Math.min(3600_000, Math.max(CUSTOMER_GRACE_MS, age))).catch(() => undefined);
    }
  }
  await markCustomersDone(db, done).catch((err: unknown) =>
    console.warn(JSON.stringify({ level: "warn", msg: "webhook customers not marked done; the sweep re-runs them", error: String(err) })),
  );
}

export async function handleWebhookEffectsBatch(batch: MessageBatch, env: Env): Promise<void> {
  const runs: CustomerRun[] = [];
  for (const m of batch.messages) {
    const parsed = CustomerEffectMessage.safeParse(m.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "error", msg: "webhook effect message unreadable; the sweep re-drives its log row", id: m.id }));
      continue;
    }
    runs.push({ logId: parsed.data.log_id, businessId: parsed.data.business_id, customer: parsed.data.customer });
  }
  if (runs.length) await runWebhookCustomers(env, runs, Date.now());
}

/** Cron: customers a crash (or a failure) left undone, fairly across businesses. */
export async function sweepWebhookCustomers(env: Env, now: number): Promise<number> {
  const due = await dueCustomers(database(env.DB), now, SWEEP_PER_BUSINESS, SWEEP_LIMIT);
  if (due.length === 0) return 0;
  await runWebhookCustomers(env, due, now);
  console.warn(JSON.stringify({ level: "warn", msg: "webhook customers re-driven", count: due.length }));
  return due.length;
}
