// Meta message templates of a WhatsApp Business Account, read from the Graph API
// (GET /{version}/{waba_id}/message_templates, https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates).
// Pages are followed by their `after` cursor against the configured Graph base, never by the absolute `paging.next`
// URL Meta answers: the provider only ever calls the base the operator configured.
import { z } from "zod";
import { type CloudApiConfig, graphBase } from "./cloud-api";

export const MetaTemplateRow = z.object({
  id: z.string().optional(),
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  status: z.string().min(1).max(40),
  category: z.string().max(40).optional(),
  components: z.array(z.record(z.string(), z.unknown())).max(20).default([]),
});
export type MetaTemplateRow = z.infer<typeof MetaTemplateRow>;

const TemplatePage = z.object({
  data: z.array(MetaTemplateRow),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});

const FIELDS = "name,language,status,category,components";
const PAGE_SIZE = 100;
/** Meta allows a few thousand templates per account; this bounds a broken cursor loop. */
const MAX_PAGES = 100;

/** `rejected`: Meta refused the request (token, account id), so retrying will not help; else it was unreachable. */
export type TemplatesResult = { ok: true; templates: MetaTemplateRow[] } | { ok: false; rejected: boolean; reason: string };

/** Every template of the account, all statuses (the caller keeps only APPROVED ones selectable). */
export async function fetchMetaTemplates(env: Env, cfg: CloudApiConfig, wabaId: string): Promise<TemplatesResult> {
  const out: MetaTemplateRow[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const q = new URLSearchParams({ fields: FIELDS, limit: String(PAGE_SIZE) });
    if (after) q.set("after", after);
    let res: Response;
    try {
      res = await fetch(`${graphBase(env, cfg)}/${env.GRAPH_API_VERSION}/${encodeURIComponent(wabaId)}/message_templates?${q}`, {
        headers: { authorization: `Bearer ${cfg.access_token}` },
        signal: AbortSignal.timeout(15_000),
      });
    } catch (e) {
      return { ok: false, rejected: false, reason: `Graph API unreachable: ${String(e).slice(0, 200)}` };
    }
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = z.object({ error: z.object({ message: z.string(), code: z.number().optional() }) }).safeParse(body);
      return { ok: false, rejected: res.status < 500 && res.status !== 429, reason: err.success ? `Graph API error ${err.data.error.code ?? res.status}: ${err.data.error.message}` : `Graph API HTTP ${res.status}` };
    }
    const parsed = TemplatePage.safeParse(body);
    if (!parsed.success) return { ok: false, rejected: false, reason: "The Graph API answered templates in an unexpected shape" };
    out.push(...parsed.data.data);
    // Meta leaves `next` out on the last page; the cursor is what we follow.
    const cursor = parsed.data.paging?.cursors?.after;
    if (!parsed.data.paging?.next || !cursor || cursor === after) return { ok: true, templates: out };
    after = cursor;
  }
  return { ok: false, rejected: false, reason: `More than ${MAX_PAGES * PAGE_SIZE} templates; stopped` };
}
