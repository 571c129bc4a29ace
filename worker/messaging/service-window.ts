// Cloud API's customer-service window: free-form messages only within 24 hours of the customer's last
// message; outside it only approved templates may start the conversation.
import type { Db } from "../db/client";
import { lastInboundAt } from "../db/conversations";

export const SERVICE_WINDOW_MS = 24 * 3600_000;

export const OUTSIDE_WINDOW_MESSAGE =
  "Outside WhatsApp's 24-hour customer-service window: the customer has not written in the last 24 hours, so only an approved template can be sent";

/** The reason a cloud_api send is not allowed now, or null. */
export async function checkServiceWindow(db: Db, businessId: string, deviceKey: string, toJid: string, content: { kind: string }, now: number): Promise<string | null> {
  if (content.kind === "meta_template") return null;
  const last = await lastInboundAt(db, businessId, deviceKey, toJid);
  return last !== null && now - last < SERVICE_WINDOW_MS ? null : OUTSIDE_WINDOW_MESSAGE;
}
