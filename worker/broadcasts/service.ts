// Broadcast actions shared by the API and the dashboard: validation against the business's data, the state
// machine's transitions, and the preview. The engine itself is the BroadcastRunner Durable Object.
import { type Broadcast, countRunningBroadcasts, getBroadcast, updateBroadcast } from "../db/broadcasts";
import type { Db } from "../db/client";
import { getDevice } from "../db/devices";
import { getLabel } from "../db/labels";
import type { BroadcastStatus } from "../db/schema";
import { broadcastRunner } from "../durable/stubs";
import { assertWithinLimit } from "../billing/limits";
import type { Business } from "../db/businesses";
import { ApiError, notFound } from "../http/errors";
import { type Audience, countAudience, labelIdsOf, materialiseStatement, sampleMembers } from "./audience";
import { doneImportIds } from "../db/contact-import-batch";
import { BroadcastMessage, messageType, type Plan } from "./message";
import { checkedPlan } from "./resolve-message";
import { getBroadcastSettings } from "./settings";


const bad = (code: string, message: string) => new ApiError(400, code, message);

async function deviceOf(db: Db, businessId: string, deviceKey: string) {
  const device = await getDevice(db, businessId, deviceKey);
  if (!device) throw bad("UNKNOWN_DEVICE", "No such device in this business");
  return device;
}

/** Checks what a broadcast refers to; answers the message's renderer for previews. */
export async function validateBroadcast(db: Db, businessId: string, input: { deviceKey: string; message: BroadcastMessage; audience: Audience }, broadcastId = "preview") {
  const device = await deviceOf(db, businessId, input.deviceKey);
  for (const id of labelIdsOf(input.audience)) if (!(await getLabel(db, businessId, id))) throw bad("UNKNOWN_LABEL", `No such label: ${id}`);
  const done = await doneImportIds(db, businessId, input.audience.import_ids);
  const missing = input.audience.import_ids.find((id) => !done.includes(id));
  if (missing) throw bad("UNKNOWN_IMPORT", `No finished CSV import ${missing} in this business (wait until GET /contacts/imports/{id} says done)`);
  return (await checkedPlan(db, businessId, broadcastId, device, input.message)).plan;
}

/**
 * Resolves the message and checks every variable (`name`, a custom field, or one with a default). Without a
 * device the message is checked as for a WhatsApp-number device (a Meta template needs its cloud_api device).
 */
export async function checkBroadcastMessage(db: Db, businessId: string, message: BroadcastMessage, deviceKey: string | null = null, broadcastId = "preview"): Promise<Plan> {
  if (!deviceKey && messageType(message) === "meta_template") throw bad("DEVICE_KEY_REQUIRED", "A Meta template lives on its cloud_api device: give device_key");
  const device = deviceKey ? await deviceOf(db, businessId, deviceKey) : { provider: "sandbox" as const, deviceKey: "" };
  return (await checkedPlan(db, businessId, broadcastId, device, message)).plan;
}

export type PreviewItem = { contact_id: string | null; name: string | null; text: string };

/** N sample renders: the audience's first contacts (or placeholders), each with the text it would get. */
export async function previewTexts(d1: D1Database, businessId: string, plan: Plan, audience: Audience | null, n: number): Promise<PreviewItem[]> {
  // The audience's first sendable contacts in send order (all/any/exclude, chosen contacts and CSV rows alike).
  const people = audience ? await sampleMembers(d1, businessId, audience, n) : [];
  const out: PreviewItem[] = [];
  let previous: string | null = null;
  for (let i = 0; i < n; i++) {
    const p = people[i];
    const fields = p?.custom_fields ? (JSON.parse(p.custom_fields) as Record<string, string | number>) : {};
    const key = p?.id ?? `sample-${i + 1}`;
    const { text } = plan.render({ contactId: key, name: p?.name ?? null, phone: p?.phone ?? null, customFields: fields, stored: null }, previous);
    previous = text;
    out.push({ contact_id: p?.id ?? null, name: p?.name ?? null, text });
  }
  return out;
}

const STARTABLE: readonly BroadcastStatus[] = ["draft"];

/**
 * Broadcasts running at once: the package's `broadcasts_running` (the catalogue) and the business's own lower
 * setting (`max_running`), both answered as 403 PACKAGE_LIMIT naming `broadcasts_running`.
 */
async function assertCanRun(db: Db, business: Business): Promise<void> {
  await assertWithinLimit(db, business, "broadcasts_running", 1);
  const max = (await getBroadcastSettings(db, business)).max_running;
  const used = await countRunningBroadcasts(db, business.id);
  if (used >= max) throw new ApiError(403, "PACKAGE_LIMIT", `Limit reached: broadcasts_running allows ${max} in the broadcast settings (used ${used}, requested 1)`, { limit: "broadcasts_running", allowed: max, used, requested: 1 });
}

/** Draws the audience into recipient rows and hands the broadcast to its runner. */
export async function startBroadcast(env: Env, db: Db, business: Business, b: Broadcast, audience: Audience): Promise<Broadcast> {
  if (!STARTABLE.includes(b.status)) throw new ApiError(409, "BROADCAST_NOT_DRAFT", `A ${b.status} broadcast cannot be started`);
  await assertCanRun(db, business);
  const count = await countAudience(env.DB, business.id, audience);
  if (count.sendable === 0) throw bad("EMPTY_AUDIENCE", "Nobody in this audience can receive the broadcast");
  await assertWithinLimit(db, business, "broadcast_recipients_per_month", count.sendable);
  // Checked again at start (a template may have lost its approval, a file been deleted); what the message refers
  // to is copied onto the row, so the running broadcast never reads it again.
  const { resolved } = await checkedPlan(db, business.id, b.id, await deviceOf(db, business.id, b.deviceKey), BroadcastMessage.parse(b.message));
  const frozen = messageType(resolved) === "text" ? {} : { message: resolved };
  // Claim the draft first, so two concurrent starts cannot both draw the audience.
  const claimed = await updateBroadcast(db, business.id, b.id, { status: "scheduled", startedAt: Date.now(), ...frozen }, STARTABLE);
  if (!claimed) throw new ApiError(409, "BROADCAST_NOT_DRAFT", "The broadcast was started already");
  await env.DB.batch([materialiseStatement(env.DB, b.id, business.id, audience), env.DB.prepare("UPDATE broadcasts SET total = (SELECT count(*) FROM broadcast_recipients WHERE broadcast_id = ?1) WHERE id = ?1").bind(b.id)]);
  await broadcastRunner(env, b.id).start(business.id, b.id);
  return (await getBroadcast(db, business.id, b.id)) ?? claimed;
}

/** Transitions the user asks for; the runner does the withdrawing. */
export async function controlBroadcast(env: Env, db: Db, business: Business, id: string, action: "pause" | "resume" | "cancel"): Promise<Broadcast> {
  const businessId = business.id;
  const b = await getBroadcast(db, businessId, id);
  if (!b) throw notFound("Broadcast");
  // A paused broadcast does not count as running: resuming it must fit the limit again.
  if (action === "resume" && (b.status === "paused" || b.status === "auto_paused")) await assertCanRun(db, business);
  const runner = broadcastRunner(env, id);
  const from: Record<typeof action, readonly BroadcastStatus[]> = {
    pause: ["scheduled", "running", "waiting_window"],
    resume: ["paused", "auto_paused"],
    cancel: ["draft", "scheduled", "running", "waiting_window", "paused", "auto_paused"],
  };
  const to: Record<typeof action, BroadcastStatus> = { pause: "paused", resume: "running", cancel: "cancelled" };
  const updated = await updateBroadcast(db, businessId, id, { status: to[action], statusReason: null, ...(action === "cancel" ? { finishedAt: Date.now() } : {}) }, from[action]);
  if (!updated) throw new ApiError(409, "BROADCAST_STATE", `A ${b.status} broadcast cannot ${action}`);
  if (action === "pause") await runner.pause();
  else if (action === "resume") await runner.resume();
  else if (b.status !== "draft") await runner.cancel();
  return updated;
}
