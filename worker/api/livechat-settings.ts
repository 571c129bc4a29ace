// GET/PUT /api/v1/livechat-settings: the website chat's look, greeting, origin allow-list and business hours, the
// public widget key and the ready-to-paste snippet. POST /rotate-key issues a new key (the old snippet stops).
// Reading is for every member; changing is for admins.
import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { database } from "../db/client";
import { ensureLivechatSettings, newWidgetKey, type LivechatSettingsRow, saveLivechatSettings } from "../db/livechat-settings";
import { LivechatConfigPatch, parseConfig } from "../livechat/settings";
import { ApiError } from "../http/errors";
import { normalizePhone } from "../lib/phone";
import { apiRouter, authErrors, jsonBody, jsonContent, security } from "./openapi";

const SettingsSchema = z
  .object({
    widget_key: z.string(),
    snippet: z.string(),
    config: z.record(z.string(), z.unknown()),
    origin_warning: z.boolean().openapi({ description: "true while any origin may embed the chat (no allow-list)" }),
    updated_at: z.number(),
  })
  .openapi("LivechatSettings");

function view(env: Env, row: LivechatSettingsRow) {
  const cfg = parseConfig(row.config);
  const base = env.PUBLIC_BASE_URL.replace(/\/$/, "");
  return {
    widget_key: row.widgetKey,
    snippet: `<script src="${base}/widget.js" data-key="${row.widgetKey}" async></script>`,
    config: cfg,
    origin_warning: cfg.allowed_origins.length === 0,
    updated_at: row.updatedAt,
  };
}

export const livechatSettingsApi = apiRouter();
livechatSettingsApi.on(["PUT", "POST"], "*", requireRole("admin"));

livechatSettingsApi
  .openapi(
    createRoute({ method: "get", path: "/", tags: ["live chat"], security, responses: { 200: jsonContent(SettingsSchema), ...authErrors } }),
    async (c) => c.json(view(c.env, await ensureLivechatSettings(database(c.env.DB), c.var.auth.business.id)), 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/",
      tags: ["live chat"],
      security,
      request: jsonBody(LivechatConfigPatch.openapi("LivechatSettingsPatch")),
      responses: { 200: jsonContent(SettingsSchema), ...authErrors },
    }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const row = await ensureLivechatSettings(db, businessId);
      const patch = c.req.valid("json");
      let whatsapp = patch.whatsapp_number;
      if (whatsapp) {
        const p = normalizePhone(whatsapp, c.var.auth.business.country);
        if (!p.ok) throw new ApiError(400, "VALIDATION_ERROR", `whatsapp_number: ${p.reason}`);
        whatsapp = p.digits;
      }
      const config = { ...parseConfig(row.config), ...patch, ...(whatsapp !== undefined ? { whatsapp_number: whatsapp || null } : {}) };
      const saved = await saveLivechatSettings(db, businessId, { config });
      return c.json(view(c.env, saved ?? row), 200);
    },
  )
  .openapi(
    createRoute({ method: "post", path: "/rotate-key", tags: ["live chat"], security, responses: { 200: jsonContent(SettingsSchema), ...authErrors } }),
    async (c) => {
      const db = database(c.env.DB);
      const businessId = c.var.auth.business.id;
      const row = await ensureLivechatSettings(db, businessId);
      const saved = await saveLivechatSettings(db, businessId, { widgetKey: newWidgetKey() });
      return c.json(view(c.env, saved ?? row), 200);
    },
  );
