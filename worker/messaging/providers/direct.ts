// Providers the DeviceSession sends through itself (no gateway): `sandbox` and `cloud_api`. One function, so the
// object never knows a provider's details, and one rule for exceptions: a throw anywhere here (a D1 read for the
// 24-hour window, decrypting the credentials, a bug) becomes a retryable outcome, never a stranded job. The
// Graph API call itself never throws (cloudApiSend maps its own failures, ambiguous ones to non-retryable), so
// a throw means nothing reached Meta and a retry cannot duplicate.
import { database } from "../../db/client";
import type { Device } from "../../db/devices";
import type { OutboundContent } from "../content";
import { checkServiceWindow } from "../service-window";
import { cloudApiSend, readCloudApiConfig } from "./cloud-api";
import { sandboxSend } from "./sandbox";
import type { SendOutcome } from "./types";

export type DirectJob = { messageId: string; toJid: string; content: OutboundContent };

async function dispatch(env: Env, device: Device, job: DirectJob, now: number): Promise<SendOutcome> {
  if (device.provider === "sandbox") return sandboxSend(job.messageId);
  if (device.provider !== "cloud_api") return { ok: false, retryable: false, reason: `provider ${device.provider} cannot send directly` };
  const apiCfg = await readCloudApiConfig(env, device.providerConfigEnc);
  if (!apiCfg) return { ok: false, retryable: false, reason: "Cloud API is not configured for this device" };
  const windowProblem = await checkServiceWindow(database(env.DB), device.businessId, device.deviceKey, job.toJid, job.content, now);
  if (windowProblem) return { ok: false, retryable: false, reason: windowProblem };
  return cloudApiSend(env, apiCfg, job.toJid.split("@")[0] ?? job.toJid, job.content, device.businessId);
}

export async function sendDirect(env: Env, device: Device, job: DirectJob, now: number): Promise<SendOutcome> {
  try {
    return await dispatch(env, device, job, now);
  } catch (e) {
    console.warn(JSON.stringify({ level: "warn", msg: "direct send threw; retried", message_id: job.messageId, error: String(e) }));
    return { ok: false, retryable: true, reason: `send failed before reaching the provider: ${String(e).slice(0, 200)}` };
  }
}
