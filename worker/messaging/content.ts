// What an outbound message carries, read from its row: plain text, media, location (the gateway protocol's
// JobContent) or an approved Meta template (Cloud API only).
import { z } from "zod";
import { JobContent } from "../../protocol/gateway-protocol";
import type { Message } from "../db/messages";

/** One text parameter in Meta's shape; `parameter_name` for templates with named placeholders ({{first_name}}). */
const MetaTextParameter = z.object({ type: z.literal("text"), text: z.string().min(1).max(1024), parameter_name: z.string().max(64).optional() });

export const MetaTemplateContent = z.object({
  kind: z.literal("meta_template"),
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  /** Body parameters in order ({{1}}, {{2}}, …). */
  params: z.array(z.string().max(1024)).max(50).default([]),
  /** Header and body parameters in Meta's `components` shape (broadcasts); when given, `params` is not used. */
  components: z.array(z.object({ type: z.enum(["header", "body"]), parameters: z.array(MetaTextParameter).min(1).max(50) })).max(2).optional(),
});
export type MetaTemplateContent = z.infer<typeof MetaTemplateContent>;

export type OutboundContent = JobContent | MetaTemplateContent;

export function contentOf(m: Pick<Message, "text" | "content">): OutboundContent | null {
  if (m.content) {
    const meta = MetaTemplateContent.safeParse(m.content);
    if (meta.success) return meta.data;
    const job = JobContent.safeParse(m.content);
    if (job.success) return job.data;
    return null;
  }
  return m.text ? { kind: "text", text: m.text } : null;
}

/** Text shown for a message in lists and the sandbox chat. */
export function previewText(c: OutboundContent | null): string {
  if (!c) return "";
  switch (c.kind) {
    case "text":
      return c.text;
    case "meta_template":
      return `[template ${c.name}] ${c.params.join(", ")}`;
    case "location":
      return `[location] ${c.name ?? `${c.latitude},${c.longitude}`}`;
    default:
      return c.caption ?? `[${c.kind}]`;
  }
}
