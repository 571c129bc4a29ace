// A broadcast's message as stored on the row, and how one recipient's message is rendered from it. Four kinds:
// - text: alternative texts (each may hold spintax and variables) and the defaults of variables a contact lacks;
// - template: one of the business's saved templates (its body is spintax-and-variables text like the above);
// - media: a stored media object (by id, through the media path) with caption variations;
// - meta_template: an approved Meta template of a cloud_api device, its placeholders mapped from contact fields.
// The input is validated at create/update; at start the referenced objects are copied into `resolved`, so what is
// sent cannot change under a running broadcast (an edited saved template, a re-synced Meta template).
// Pure: no I/O.
import { z } from "zod";
import { MediaId } from "../../protocol/gateway-protocol";
import { MEDIA_KINDS } from "../db/schema";
import { checkMapping, keptValues, ParamMap, placeholdersOf, renderTemplate } from "./meta-template";
import { parseVariations, pickText, type Piece, variablesOf, variantCount, type Vars } from "./variations";

const VarName = z.string().regex(/^[A-Za-z0-9_]{1,64}$/);
const Defaults = z.record(VarName, z.string().max(200)).default({});

/** Text with alternatives and spintax: also what a campaign's send step carries. */
export const TextMessage = z.strictObject({
  type: z.literal("text").optional(),
  texts: z.array(z.string().trim().min(1).max(4096)).min(1).max(10),
  variable_defaults: Defaults,
});
export type TextMessage = z.infer<typeof TextMessage>;
const SavedTemplateMessage = z.strictObject({ type: z.literal("template"), template_id: z.uuid(), variable_defaults: Defaults });
const MediaMessage = z.strictObject({
  type: z.literal("media"),
  media_id: MediaId,
  /** One caption (spintax allowed) or several alternatives; none = the file alone. */
  caption: z.string().trim().min(1).max(1024).optional(),
  captions: z.array(z.string().trim().min(1).max(1024)).max(10).optional(),
  variable_defaults: Defaults,
});
const MetaTemplateMessage = z.strictObject({
  type: z.literal("meta_template"),
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  /** Body placeholder (`1`, or a named one) → `{field, default}` or `{text}`. */
  variables: ParamMap.default({}),
  header_variables: ParamMap.default({}),
});

/** Media given by URL at create/update: fetched once through the media path, then stored as a `media_id` message. */
export const MediaByUrlMessage = MediaMessage.omit({ media_id: true }).extend({
  url: z.string().max(2000),
  media_kind: z.enum(MEDIA_KINDS),
  mime_type: z.string().min(3).max(200),
  file_name: z.string().min(1).max(255).optional(),
});
export type MediaByUrlMessage = z.infer<typeof MediaByUrlMessage>;

/** A message whose media is already stored (what a preview takes: it never fetches a file). */
export const BroadcastMessageById = z.union([TextMessage, SavedTemplateMessage, MediaMessage, MetaTemplateMessage]);
/** What create and update accept. */
export const BroadcastMessageInput = z.union([TextMessage, SavedTemplateMessage, MediaMessage, MediaByUrlMessage, MetaTemplateMessage]);
export type BroadcastMessageInput = z.infer<typeof BroadcastMessageInput>;

const ResolvedTemplate = z.object({ name: z.string(), body: z.string() });
const ResolvedMedia = z.object({ kind: z.enum(MEDIA_KINDS), mime_type: z.string(), size: z.number().int().nonnegative(), file_name: z.string().optional() });
const ResolvedMeta = z.object({ category: z.string().nullable(), components: z.array(z.unknown()) });

/** What the row holds: the input plus, once resolved (validation, start), the copies of what it refers to. */
export const BroadcastMessage = z.union([
  TextMessage,
  SavedTemplateMessage.extend({ resolved: ResolvedTemplate.optional() }),
  MediaMessage.extend({ resolved: ResolvedMedia.optional() }),
  MetaTemplateMessage.extend({ resolved: ResolvedMeta.optional() }),
]);
export type BroadcastMessage = z.infer<typeof BroadcastMessage>;
export type ResolvedMessage =
  | z.infer<typeof TextMessage>
  | (z.infer<typeof SavedTemplateMessage> & { resolved: z.infer<typeof ResolvedTemplate> })
  | (z.infer<typeof MediaMessage> & { resolved: z.infer<typeof ResolvedMedia> })
  | (z.infer<typeof MetaTemplateMessage> & { resolved: z.infer<typeof ResolvedMeta> });

export const messageType = (m: BroadcastMessage) => m.type ?? "text";

export type ContactVars = { name: string | null; customFields: Record<string, string | number> };

/** A contact's value of a variable, else the broadcast's default, else nothing. */
export function varsOf(c: ContactVars, defaults: Record<string, string>): Vars {
  return (name) => {
    const own = name === "name" ? c.name : Object.hasOwn(c.customFields, name) ? c.customFields[name] : undefined;
    if (own !== undefined && own !== null && String(own).trim() !== "") return String(own);
    return Object.hasOwn(defaults, name) ? (defaults[name] ?? "") : "";
  };
}

/** One recipient as the renderer sees it; `stored` is the text already rendered for it (a resume keeps it). */
export type RecipientIn = { contactId: string; name: string | null; phone: string | null; customFields: Record<string, string | number>; stored: string | null };
/** The text shown for the recipient (and on the message row), and the message's content beyond plain text. */
export type Rendered = { text: string; content: Record<string, unknown> | null };

export type Plan = { variants: number; variables: string[]; render: (r: RecipientIn, previous: string | null) => Rendered };
export type PlanResult = { ok: true; plan: Plan } | { ok: false; code: string; message: string };

export type Checked = { ok: true; alternatives: Piece[][]; variables: string[]; variants: number } | { ok: false; message: string; code: string };

/**
 * Parses every alternative (texts, a saved template's body, captions); with `fieldKeys`, variables must be
 * `name`, a custom field key, or have a default.
 */
export function checkMessage(m: { texts: string[]; variable_defaults: Record<string, string> }, fieldKeys: ReadonlySet<string> | null, what = "text"): Checked {
  const alternatives: Piece[][] = [];
  for (const [i, t] of m.texts.entries()) {
    const p = parseVariations(t);
    if (!p.ok) return { ok: false, code: "BAD_SPINTAX", message: `${what}${m.texts.length > 1 ? ` ${i + 1}` : ""}: ${p.message}` };
    alternatives.push(p.pieces);
  }
  const variables = [...new Set(alternatives.flatMap(variablesOf))];
  const unknown = fieldKeys ? variables.filter((v) => v !== "name" && !fieldKeys.has(v) && !Object.hasOwn(m.variable_defaults, v)) : [];
  if (unknown.length) return { ok: false, code: "UNKNOWN_VARIABLE", message: `unknown variable(s): ${unknown.map((v) => `{${v}}`).join(", ")}` };
  return { ok: true, alternatives, variables, variants: variantCount(alternatives) };
}

/**
 * The renderer of a resolved message. `fieldKeys` (the business's custom fields) checks variables at validation;
 * the feed passes null (checked before the row could be stored).
 */
export function planOf(m: ResolvedMessage, broadcastId: string, fieldKeys: ReadonlySet<string> | null): PlanResult {
  if (m.type === "meta_template") {
    const p = placeholdersOf(m.resolved.components);
    if (!p.ok) return { ok: false, code: "TEMPLATE_NOT_SUPPORTED", message: `Template ${m.name} (${m.language}) cannot be broadcast: ${p.message}` };
    const problem = fieldKeys ? checkMapping(p.value, m.variables, m.header_variables, fieldKeys) : null;
    if (problem) return { ok: false, code: "TEMPLATE_VARIABLES", message: `Template ${m.name} (${m.language}): ${problem}` };
    const fields = [...Object.values(m.variables), ...Object.values(m.header_variables)].flatMap((v) => ("field" in v ? [v.field] : []));
    return {
      ok: true,
      plan: {
        variants: 1,
        variables: [...new Set(fields)],
        // Meta fixes the words; the parameters come from the contact, or for a resumed recipient from its stored text.
        render: (r) => {
          const contact = { name: r.name, phone: r.phone, customFields: r.customFields };
          const kept = r.stored === null ? null : keptValues(p.value, r.stored);
          const again = kept ? renderTemplate(p.value, m.variables, m.header_variables, contact, kept) : null;
          const t = again && again.text === r.stored ? again : renderTemplate(p.value, m.variables, m.header_variables, contact);
          return { text: t.text, content: { kind: "meta_template", name: m.name, language: m.language, params: [], components: t.components } };
        },
      },
    };
  }
  const texts = m.type === "template" ? [m.resolved.body] : m.type === "media" ? [...(m.caption ? [m.caption] : []), ...(m.captions ?? [])] : m.texts;
  const checked = checkMessage({ texts, variable_defaults: m.variable_defaults }, fieldKeys, m.type === "template" ? `template ${m.resolved.name}` : m.type === "media" ? "caption" : "text");
  if (!checked.ok) return checked;
  const { alternatives, variables } = checked;
  const textOf = (r: RecipientIn, previous: string | null) =>
    r.stored ?? pickText(alternatives, broadcastId, r.contactId, varsOf({ name: r.name, customFields: r.customFields }, m.variable_defaults), previous);
  if (m.type !== "media") return { ok: true, plan: { variants: checked.variants, variables, render: (r, previous) => ({ text: textOf(r, previous), content: null }) } };
  const media = { kind: m.resolved.kind, media_id: m.media_id, mime_type: m.resolved.mime_type, size: m.resolved.size, ...(m.resolved.file_name ? { file_name: m.resolved.file_name } : {}) };
  return {
    ok: true,
    plan: {
      variants: alternatives.length ? checked.variants : 1,
      variables,
      render: (r, previous) => {
        if (!alternatives.length) return { text: `[${media.kind}]`, content: media };
        const caption = textOf(r, previous);
        return { text: caption, content: { ...media, caption } };
      },
    },
  };
}
