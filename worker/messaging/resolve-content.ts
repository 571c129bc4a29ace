// Turns a caller's message description (text, a Ping template with variables, media, a Meta template)
// into the content of one outbound message. Shared by the REST API and the seed's send-message.
import type { Db } from "../db/client";
import { getTemplate, getTemplateByName } from "../db/templates";
import { ApiError } from "../http/errors";
import type { OutboundContent } from "./content";
import { MAX_MESSAGE_CHARS } from "../webhooks/templates/render";
import { renderTemplate } from "./template-render";

export type TemplateRef = { template: string; variables?: Record<string, string | number | boolean | null> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Ping template by id (as the seed sends it) or by name, rendered with the variables. */
export async function renderPingTemplate(db: Db, businessId: string, ref: TemplateRef): Promise<OutboundContent> {
  const tpl = UUID.test(ref.template) ? await getTemplate(db, businessId, ref.template) : await getTemplateByName(db, businessId, ref.template);
  if (!tpl) throw new ApiError(404, "TEMPLATE_NOT_FOUND", `Template ${ref.template} not found`);
  const r = renderTemplate(tpl.body, ref.variables ?? {});
  if (!r.ok) throw new ApiError(400, "TEMPLATE_VARIABLE_MISSING", `Missing template variables: ${r.missing.map((m) => `{${m}}`).join(", ")}`, { missing: r.missing });
  if (r.text.length > MAX_MESSAGE_CHARS) {
    throw new ApiError(400, "MESSAGE_TOO_LONG", `The rendered message has ${r.text.length} characters; WhatsApp text is limited to ${MAX_MESSAGE_CHARS}`, { length: r.text.length, max: MAX_MESSAGE_CHARS });
  }
  return { kind: "text", text: r.text };
}
