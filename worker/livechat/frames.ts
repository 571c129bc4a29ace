// The widget's frames, validated (every outside input goes through zod; a bad frame is answered, never thrown).
import { z } from "zod";
import { type ClientFrame, MAX_TEXT } from "../../widget/protocol";

const Frame = z.discriminatedUnion("t", [
  z.object({ t: z.literal("hello"), after: z.number().int().min(0) }),
  z.object({ t: z.literal("msg"), cid: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/), text: z.string().trim().min(1).max(MAX_TEXT) }),
  z.object({ t: z.literal("typing") }),
  z.object({ t: z.literal("ping") }),
]);

export function parseClientFrame(data: string): ClientFrame | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const r = Frame.safeParse(json);
  return r.success ? r.data : null;
}
