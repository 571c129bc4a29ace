// The HTTP surface: one small app per resource, mounted here. Errors leave through handleError only.
import { Hono } from "hono";
import { OpenAPIHono } from "@hono/zod-openapi";
import { requireAuth } from "./auth/middleware";
import { apiKeysApi } from "./api/api-keys";
import { authApi } from "./api/auth";
import { affiliateApi } from "./api/affiliate";
import { billingApi } from "./api/billing";
import { packagesApi } from "./api/packages";
import { paymentCallbacks } from "./api/payment-callbacks";
import { deviceChannelsApi } from "./api/device-channels";
import { devicesApi } from "./api/devices";
import { inboxApi } from "./api/inbox";
import { contactFieldsApi } from "./api/contact-fields";
import { contactTransferApi } from "./api/contact-transfer";
import { contactsApi } from "./api/contacts";
import { conversationsApi } from "./api/conversations";
import { labelsApi } from "./api/labels";
import { messagesApi } from "./api/messages";
import { seedWhatsappApi } from "./api/seed-whatsapp";
import { templatesApi } from "./api/templates";
import { autoRepliesApi } from "./api/auto-replies";
import { aiSettingsApi, aiUsageApi } from "./api/ai-settings";
import { knowledgeApi } from "./api/knowledge";
import { metaWebhookApi } from "./inbound/meta-webhook";
import { apiDocsPage } from "./api/docs-page";
import { internalApi } from "./api/internal";
import { meApi } from "./api/me";
import { settingsApi } from "./api/settings";
import { usersApi } from "./api/users";
import { webhookLogsApi } from "./api/webhook-logs";
import { webhookRulesApi } from "./api/webhook-rules";
import { livechatSettingsApi } from "./api/livechat-settings";
import { cannedResponsesApi } from "./api/canned-responses";
import { conversationNotesApi } from "./api/conversation-notes";
import { conversationTypingApi } from "./api/conversation-typing";
import { conversationReadApi } from "./api/conversation-read";
import { inboxNotificationsApi } from "./api/inbox-notifications";
import { livechatPublic, widgetScripts } from "./livechat/public-routes";
import { broadcastsApi } from "./api/broadcasts";
import { broadcastSettingsApi } from "./api/broadcast-settings";
import { metaTemplatesApi } from "./api/meta-templates";
import { campaignsApi } from "./api/campaigns";
import { deviceHealthApi } from "./api/device-health";
import { dashboard } from "./dashboard/routes";
import { webhookEndpoint } from "./webhooks/endpoint";
import { gatewayApi } from "./gateway/routes";
import { mediaApi, mediaOriginOnly } from "./inbound/media-routes";
import { ApiError, errorBody, handleError } from "./http/errors";
import { requireConfig } from "./http/config-check";
import { cookieCsrf } from "./http/csrf";
import { pageHeaders, scriptNonce } from "./http/page-headers";
import type { AppEnv } from "./http/types";
import { jsonBody, validationHook } from "./http/validation";

const v1 = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
v1.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "API key" });
v1.openAPIRegistry.registerComponent("securitySchemes", "cookie", { type: "apiKey", in: "cookie", name: "ping_session" });
v1.route("/auth", authApi);
v1.use("*", async (c, next) => {
  if (c.req.path.startsWith("/api/v1/auth/") || c.req.path === "/api/v1/openapi.json") return next();
  if (c.req.method === "GET" && (c.req.path === "/api/v1/packages" || c.req.path === "/api/v1/packages/")) return next();
  return requireAuth(c, next);
});
v1.route("/me", meApi);
v1.route("/api-keys", apiKeysApi);
v1.route("/users", usersApi);
v1.route("/devices", devicesApi);
v1.route("/devices", deviceChannelsApi);
v1.route("/messages", messagesApi);
v1.route("/inbox", inboxApi);
// Import/export first: their static paths (/import, /export, /imports/{id}) must win over /{id}.
v1.route("/contacts", contactTransferApi);
v1.route("/contacts", contactsApi);
v1.route("/contact-fields", contactFieldsApi);
v1.route("/labels", labelsApi);
v1.route("/conversations", conversationsApi);
v1.route("/templates", templatesApi);
v1.route("/auto-replies", autoRepliesApi);
v1.route("/ai-settings", aiSettingsApi);
v1.route("/ai-usage", aiUsageApi);
v1.route("/knowledge", knowledgeApi);
v1.route("/settings", settingsApi);
v1.route("/billing", billingApi);
v1.route("/packages", packagesApi);
v1.route("/affiliate", affiliateApi);
v1.route("/webhook-rules", webhookRulesApi);
v1.route("/webhook-logs", webhookLogsApi);
v1.route("/livechat-settings", livechatSettingsApi);
v1.route("/canned-responses", cannedResponsesApi);
v1.route("/conversations", conversationNotesApi);
v1.route("/conversations", conversationTypingApi);
v1.route("/conversations", conversationReadApi);
v1.route("/notifications", inboxNotificationsApi);
v1.route("/broadcasts", broadcastsApi);
v1.route("/broadcast-settings", broadcastSettingsApi);
v1.route("/campaigns", campaignsApi);
v1.route("/devices", deviceHealthApi);
v1.route("/devices", metaTemplatesApi);
v1.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "Ping API",
    version: "1.0.0",
    description:
      "REST API of Ping, the WhatsApp CRM. Authenticate with `Authorization: Bearer <api_key>` (create keys under Settings → API keys) or the dashboard session cookie. Errors are `{status:'error', message, error_code}`; lists are `{items, next_cursor}`.",
  },
});

export const app = new Hono<AppEnv>();

app.use("*", requireConfig);
app.use("/api/*", cookieCsrf);
app.use("/app/*", cookieCsrf);
app.use("/app/*", pageHeaders);
app.use("/api/docs", pageHeaders);
app.use(mediaOriginOnly);
// The contact import streams a CSV of up to 20 MB: it is the one route exempt from the JSON-only body rule
// (it checks its own Content-Type and size, worker/api/contact-transfer.ts).
const STREAMED_UPLOADS = new Set(["/api/v1/contacts/import"]);
app.use("/api/*", async (c, next) => {
  if (c.req.method === "POST" && STREAMED_UPLOADS.has(c.req.path)) return next();
  return jsonBody(Number(c.env.MAX_BODY_BYTES))(c, next);
});
app.route("/api/v1", v1);
app.get("/api/docs", (c) => c.html(apiDocsPage(scriptNonce(c))));
app.route("/internal", internalApi);
app.route("/webhook", webhookEndpoint);
app.route("/gateway/v1", gatewayApi);
app.route("/media", mediaApi);
app.route("/api-app/whatsapp", seedWhatsappApi);
app.route("/meta/webhook", metaWebhookApi);
app.route("/payments", paymentCallbacks);
app.route("/app", dashboard);
// Live chat (issue 13): the widget's scripts and its public, key-and-origin-checked API (worker/livechat/).
app.route("/", widgetScripts);
app.route("/livechat/v1", livechatPublic);
app.get("/", (c) => c.redirect("/app"));
app.get("/healthz", (c) => c.json({ status: "ok" }));

app.notFound((c) => c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`), 404));
app.onError(handleError);

export { ApiError };
