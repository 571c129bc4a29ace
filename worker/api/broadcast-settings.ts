// A business's broadcast settings: opt-out/opt-in keywords, their confirmations, broadcasts running at once.
import { createRoute } from "@hono/zod-openapi";
import { requireRole } from "../auth/middleware";
import { BroadcastSettings, BroadcastSettingsPatch, getBroadcastSettings, saveBroadcastSettings } from "../broadcasts/settings";
import { database } from "../db/client";
import { apiRouter, authErrors, jsonBody, jsonContent, security } from "./openapi";

const Schema = BroadcastSettings.openapi("BroadcastSettings");

export const broadcastSettingsApi = apiRouter();
broadcastSettingsApi.on(["PATCH"], "*", requireRole("admin"));

broadcastSettingsApi
  .openapi(createRoute({ method: "get", path: "/", tags: ["broadcasts"], security, responses: { 200: jsonContent(Schema), ...authErrors } }), async (c) =>
    c.json(await getBroadcastSettings(database(c.env.DB), c.var.auth.business), 200),
  )
  .openapi(
    createRoute({ method: "patch", path: "/", tags: ["broadcasts"], security, request: jsonBody(BroadcastSettingsPatch.openapi("UpdateBroadcastSettings")), responses: { 200: jsonContent(Schema), ...authErrors } }),
    async (c) => c.json(await saveBroadcastSettings(database(c.env.DB), c.var.auth.business, c.req.valid("json")), 200),
  );
