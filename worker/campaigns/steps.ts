// A campaign's shape as the API takes it and the row stores it: the trigger, the steps, the sending window.
// Validated once at create/update (the engine parses again and meets only good rows).
import { z } from "zod";
import { BroadcastMessage } from "../broadcasts/message";
import { BroadcastSchedule } from "../broadcasts/schedule";

export const CampaignTriggerInput = z.discriminatedUnion("type", [
  /** Every event a webhook rule matches (e.g. a Lynk `payment.received` rule, a Scalev paid-order rule). */
  z.strictObject({ type: z.literal("webhook_rule"), rule_id: z.uuid() }),
  /** The label is put on a contact (by an agent, the API, a bulk action). */
  z.strictObject({ type: z.literal("label_added"), label_id: z.uuid() }),
  /** Only `POST /campaigns/{id}/enrollments`. */
  z.strictObject({ type: z.literal("manual") }),
]);
export type CampaignTriggerInput = z.infer<typeof CampaignTriggerInput>;

export const WaitStep = z.strictObject({
  type: z.literal("wait"),
  days: z.number().int().min(0).max(365).default(0),
  hours: z.number().int().min(0).max(23).default(0),
  minutes: z.number().int().min(0).max(59).default(0),
});

const FieldKey = z.string().regex(/^[A-Za-z0-9_]{1,64}$/);
export const ConditionCheck = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("has_label"), label_id: z.uuid() }),
  z.strictObject({ kind: z.literal("lacks_label"), label_id: z.uuid() }),
  /** No inbound message from the contact since they were enrolled. */
  z.strictObject({ kind: z.literal("no_reply") }),
  /** A custom field equals a value (compared as text, trimmed, case-insensitive). */
  z.strictObject({ kind: z.literal("field_equals"), key: FieldKey, value: z.string().trim().max(200) }),
]);
export type ConditionCheck = z.infer<typeof ConditionCheck>;

export const ConditionStep = z.strictObject({
  type: z.literal("condition"),
  check: ConditionCheck,
  /** When the check fails: leave the campaign, or skip the one step after the condition. */
  otherwise: z.enum(["exit", "skip_next"]).default("exit"),
});

// A campaign step sends what a broadcast can (worker/broadcasts/message.ts): text with alternatives, spintax and
// variables, a saved template, a media object with captions, or — on a cloud_api device — an approved Meta
// template. What it refers to is resolved into the stored step at create/update (validateCampaign), so a step
// renders without reading anything.
export const SendStep = z.strictObject({ type: z.literal("send"), message: BroadcastMessage });

export const CampaignStep = z.discriminatedUnion("type", [WaitStep, ConditionStep, SendStep]);
export type CampaignStep = z.infer<typeof CampaignStep>;

export const CampaignSteps = z
  .array(CampaignStep)
  .min(1)
  .max(20)
  .superRefine((steps, ctx) => {
    if (!steps.some((s) => s.type === "send")) ctx.addIssue({ code: "custom", message: "a campaign needs at least one send step" });
    steps.forEach((s, i) => {
      if (s.type === "wait" && s.days * 1440 + s.hours * 60 + s.minutes === 0) ctx.addIssue({ code: "custom", path: [i], message: "a wait must last at least a minute" });
    });
  });

/** The sending window of the campaign's sends, in the business's time zone (the broadcast schedule's fields). */
export const CampaignWindow = BroadcastSchedule.pick({ window_start: true, window_end: true, days: true, pacing: true });
export type CampaignWindow = z.infer<typeof CampaignWindow>;
export const DEFAULT_WINDOW: CampaignWindow = CampaignWindow.parse({});

export const waitMs = (s: z.infer<typeof WaitStep>) => ((s.days * 24 + s.hours) * 60 + s.minutes) * 60_000;

export function triggerColumns(t: CampaignTriggerInput): { triggerType: CampaignTriggerInput["type"]; triggerRef: string | null } {
  if (t.type === "webhook_rule") return { triggerType: t.type, triggerRef: t.rule_id };
  if (t.type === "label_added") return { triggerType: t.type, triggerRef: t.label_id };
  return { triggerType: "manual", triggerRef: null };
}

export function triggerOf(row: { triggerType: CampaignTriggerInput["type"]; triggerRef: string | null }): CampaignTriggerInput {
  if (row.triggerType === "webhook_rule") return { type: "webhook_rule", rule_id: row.triggerRef ?? "" };
  if (row.triggerType === "label_added") return { type: "label_added", label_id: row.triggerRef ?? "" };
  return { type: "manual" };
}
