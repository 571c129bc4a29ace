// The job on the `outbound` queue: a pointer to a messages row. The row is the truth; the job is a nudge,
// so a duplicate delivery of the job finds the row already past `queued` and does nothing.
import { z } from "zod";

export const OutboundJob = z.object({
  v: z.literal(1),
  message_id: z.uuid(),
  business_id: z.uuid(),
  device_key: z.uuid(),
});
export type OutboundJob = z.infer<typeof OutboundJob>;
