// The `webhook_customer` effect of an accepted event travels on the `webhook-effects` queue after the answer;
// its consumer runs a batch of them (contact merge + order upsert, worker/crm/webhook-customer.ts) and marks
// them done in one write. The effect row written in the event's own batch is the backstop: if the send or the
// consumer fails, the cron sweep re-drives it (worker/inbound/effects.ts), and running it twice is harmless.
import { z } from "zod";
import { WebhookCustomer } from "../crm/webhook-customer";
import { webhookCustomerEffectId } from "../db/inbound-effects";
import { driveEffects } from "../inbound/effects";

const CustomerEffectMessage = z.object({ business_id: z.string(), log_id: z.string(), customer: WebhookCustomer });
export type CustomerEffectMessage = z.infer<typeof CustomerEffectMessage>;

export function customerEffectMessage(businessId: string, logId: string, customer: WebhookCustomer): CustomerEffectMessage {
  return { business_id: businessId, log_id: logId, customer };
}

export async function handleWebhookEffectsBatch(batch: MessageBatch, env: Env): Promise<void> {
  const effects = [];
  for (const m of batch.messages) {
    const parsed = CustomerEffectMessage.safeParse(m.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "error", msg: "webhook effect message unreadable; the sweep re-drives its row", id: m.id }));
      continue;
    }
    const e = parsed.data;
    effects.push({
      id: webhookCustomerEffectId(e.log_id),
      kind: "webhook_customer" as const,
      payload: e.customer,
      businessId: e.business_id,
      deviceKey: null,
      messageId: e.log_id,
    });
  }
  // driveEffects never throws: an effect that fails is deferred for the sweep, so the batch is acknowledged.
  if (effects.length) await driveEffects(env, effects, null, Date.now());
}
