// The dashboard at /app: server-rendered pages over the same data functions as the API; mutations go
// through /api/v1 from the one small client script.
import { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Child } from "hono/jsx";
import { authenticateSession } from "../auth/middleware";
import { roleAtLeast } from "../auth/roles";
import { sessionTokenHash } from "../auth/session-cookie";
import { listApiKeys } from "../db/api-keys";
import { affiliateSummary } from "../api/affiliate";
import { billingState } from "../api/billing";
import { currentPackageState, graceUntil } from "../billing/grace";
import { reminderDue } from "../billing/policy";
import { countReferralVisit } from "../billing/referral-clicks";
import { listCommissions, listPayouts } from "../db/affiliate";
import { getInvoice, listInvoices } from "../db/invoices";
import { listPackages } from "../db/packages";
import { database } from "../db/client";
import { getDevice, listDevices } from "../db/devices";
import { listMessages } from "../db/messages";
import { listTemplates } from "../db/templates";
import { listWebhookDeliveries } from "../db/webhook-deliveries";
import { decodeCursor, page } from "../lib/cursor";
import { decryptSecret } from "../lib/crypto";
import { normalizePhone, toJid } from "../lib/phone";
import { deviceSession } from "../durable/stubs";
import { effectiveSettings } from "../messaging/settings";
import { listUsers } from "../db/users";
import { settingsJson } from "../api/settings";
import { liveStatusFor } from "../api/device-channels";
import { timeFilter } from "../api/webhook-logs";
import { MESSAGE_STATUSES, type Role, WEBHOOK_LOG_STATUSES, WEBHOOK_SOURCES } from "../db/schema";
import { listLogs } from "../db/webhook-logs";
import { getRule, rulesInFiringOrder } from "../db/webhook-rules";
import { ApiError } from "../http/errors";
import type { AppEnv, Auth } from "../http/types";
import { scriptUrl, staticScripts } from "./static-scripts";
import { livechatPages } from "./livechat-routes";
import { contactPages } from "./contact-routes";
import { aiPages } from "./ai-routes";
import { broadcastPages } from "./broadcast-routes";
import { deviceHealthReport } from "../broadcasts/health-report";
import { DeviceHealthPanel } from "./pages/device-health-panel";
import { campaignPages } from "./campaign-routes";
import { formatDateTime, type Locale, type MessageKey, pickLocale, type T, translator } from "./i18n";
import { Document, NAV, Shell } from "./layout";
import { AffiliatePage } from "./pages/affiliate-page";
import { BillingPage, InvoicePrint } from "./pages/billing-page";
import { ForgotPasswordPage, LoginPage, ResetPasswordPage, SignupPage, VerifyEmailPage } from "./pages/auth-pages";
import { DeviceDetailPage } from "./pages/device-detail-page";
import { listMetaTemplates } from "../db/meta-templates";
import { DevicesPage } from "./pages/devices-page";
import { MessagesPage, TemplatesPage } from "./pages/messaging-pages";
import { SettingsPage } from "./pages/settings-page";
import { WebhookLogsPage } from "./pages/webhook-logs-page";
import { WebhookRulesPage } from "./pages/webhook-rules-page";
import { ApiKeysPage, UsersPage } from "./pages/team-pages";

export type DashEnv = AppEnv & { Variables: { locale: Locale; t: T } };

const LANG_COOKIE = "ping_lang";

export const dashboard = new Hono<DashEnv>();

// The contacts script's old unversioned URL (pages cached before it moved to dashboard-client/crm.ts).
dashboard.get("/static/crm.js", (c) => c.redirect(scriptUrl("crm"), 302));

dashboard.route("/", staticScripts);

// Language: ?lang= (remembered in a cookie), else the user's, else the business's, else Indonesian.
dashboard.use("*", async (c, next) => {
  const q = c.req.query("lang");
  if (q === "id" || q === "en") setCookie(c, LANG_COOKIE, q, { path: "/", sameSite: "Lax", maxAge: 365 * 86400 });
  const locale = pickLocale(q, getCookie(c, LANG_COOKIE));
  c.set("locale", locale);
  c.set("t", translator(locale));
  return next();
});

dashboard.get("/login", (c) => c.html(<LoginPage t={c.var.t} locale={c.var.locale} />));
dashboard.get("/signup", async (c) => {
  const ref = c.req.query("ref");
  const referral = ref && /^[A-Za-z0-9]{4,32}$/.test(ref) ? ref.toUpperCase() : null;
  if (referral) await countReferralVisit(c, referral);
  return c.html(<SignupPage t={c.var.t} locale={c.var.locale} referral={referral} />);
});
dashboard.get("/forgot-password", (c) => c.html(<ForgotPasswordPage t={c.var.t} locale={c.var.locale} />));
const tokenQuery = (q: string | undefined) => (q && /^[A-Za-z0-9_-]{20,200}$/.test(q) ? q : "");
dashboard.get("/reset-password", (c) => c.html(<ResetPasswordPage t={c.var.t} locale={c.var.locale} token={tokenQuery(c.req.query("token"))} />));
dashboard.get("/verify-email", (c) => c.html(<VerifyEmailPage t={c.var.t} locale={c.var.locale} token={tokenQuery(c.req.query("token"))} />));

dashboard.use("*", async (c, next) => {
  const tokenHash = await sessionTokenHash(c);
  const auth = tokenHash ? await authenticateSession(c.env, tokenHash) : null;
  if (!auth) return c.redirect("/app/login");
  c.set("auth", auth);
  if (!c.req.query("lang") && !getCookie(c, LANG_COOKIE)) {
    const locale = pickLocale(auth.user?.locale, auth.business.locale);
    c.set("locale", locale);
    c.set("t", translator(locale));
  }
  return next();
});

/** The package notice every page shows: inactive, in its grace period, or ending within 7/3/1 days. */
function packageBanner(auth: Auth, t: T, locale: Locale): Child {
  const b = auth.business;
  const now = Date.now();
  const state = currentPackageState(b, now);
  const renew = roleAtLeast(auth.role, "super_admin") ? (
    <>
      {" "}
      <a href="/app/billing">{t("renew_now")}</a>
    </>
  ) : null;
  if (state === "expired") return <>{t("package_inactive")}{renew}</>;
  if (state === "grace") return <>{t("grace_banner").replace("{date}", formatDateTime(graceUntil(b), b.timezone, locale))}{renew}</>;
  const days = reminderDue(b.activeUntil, now, new Set());
  if (days === null) return null;
  return <>{t("renew_banner").replace("{n}", String(days)).replace("{date}", formatDateTime(b.activeUntil, b.timezone, locale))}{renew}</>;
}

function render(c: { var: { t: T; locale: Locale; auth: Auth }; req: { path: string } }, titleKey: MessageKey, body: Child) {
  const { auth, t, locale } = c.var;
  return (
    <Shell
      t={t}
      locale={locale}
      role={auth.role}
      path={c.req.path}
      title={t(titleKey)}
      banner={packageBanner(auth, t, locale)}
      emailUnverified={auth.user !== null && auth.user.emailVerifiedAt === null}
      userName={auth.user?.name ?? ""}
    >
      {body}
    </Shell>
  );
}

function forbidden(t: T) {
  return <p class="card">{t("forbidden")}</p>;
}

function dateFormatter(auth: Auth, locale: Locale) {
  return (ms: number) => formatDateTime(ms, auth.business.timezone, locale);
}

dashboard.get("/", (c) => {
  const { t, auth, locale } = c.var;
  const b = auth.business;
  return c.html(
    render(
      c,
      "nav_overview",
      <div class="card">
        <h3>
          {t("welcome")}, {auth.user?.name}
        </h3>
        <p>{t("overview_help")}</p>
        <p>
          {t("package")}: <b>{b.package}</b> · {t("active_until")} {formatDateTime(b.activeUntil, b.timezone, locale)}
        </p>
      </div>,
    ),
  );
});

dashboard.get("/settings", (c) =>
  c.html(render(c, "nav_settings", <SettingsPage t={c.var.t} s={settingsJson(c.env, c.var.auth.business)} canEdit={roleAtLeast(c.var.auth.role, "admin")} />)),
);

dashboard.get("/devices", async (c) => {
  const rows = await listDevices(database(c.env.DB), c.var.auth.business.id, 100);
  return c.html(render(c, "nav_devices", <DevicesPage t={c.var.t} devices={rows} canEdit={roleAtLeast(c.var.auth.role, "admin")} />));
});

dashboard.get("/devices/:device_key", async (c) => {
  const { auth, t, locale } = c.var;
  const key = c.req.param("device_key");
  const db = database(c.env.DB);
  const d = /^[0-9a-f-]{36}$/.test(key) ? await getDevice(db, auth.business.id, key) : undefined;
  if (!d) return c.html(render(c, "device_detail", <p class="card">{t("no_devices")}</p>), 404);
  const canEdit = roleAtLeast(auth.role, "admin");
  const [live, messages, deliveries, metaTemplates, health] = await Promise.all([
    deviceSession(c.env, d.deviceKey).liveStatus(),
    d.provider === "sandbox" ? listMessages(db, auth.business.id, { deviceKey: d.deviceKey }, 50) : Promise.resolve([]),
    listWebhookDeliveries(db, auth.business.id, d.deviceKey, 20),
    d.provider === "cloud_api" ? listMetaTemplates(db, auth.business.id, d.deviceKey) : Promise.resolve([]),
    deviceHealthReport(c.env.DB, auth.business.id, d, Date.now()),
  ]);
  return c.html(
    render(
      c,
      "device_detail",
      <DeviceDetailPage
        t={t}
        device={d}
        settings={effectiveSettings(d.provider, d.settings)}
        live={liveStatusFor(live, auth.role)}
        secret={canEdit ? await decryptSecret(c.env.SECRETS_KEY, d.webhookSecretEnc) : null}
        messages={messages}
        deliveries={deliveries}
        metaWebhookUrl={`${c.env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/meta/webhook/${d.deviceKey}`}
        canEdit={canEdit}
        fmt={dateFormatter(auth, locale)}
        timeZone={auth.business.timezone}
        metaTemplates={metaTemplates}
        health={<DeviceHealthPanel t={t} h={health} />}
      />,
    ),
  );
});

dashboard.get("/messages", async (c) => {
  const { auth, t, locale } = c.var;
  const db = database(c.env.DB);
  const q = c.req.query();
  const status = MESSAGE_STATUSES.find((s) => s === q.status);
  const deviceKey = q.device_key && /^[0-9a-f-]{36}$/.test(q.device_key) ? q.device_key : undefined;
  const phone = q.to ? normalizePhone(q.to, auth.business.country) : null;
  const to = phone?.ok ? toJid(phone.digits) : undefined;
  let cursor;
  try {
    cursor = decodeCursor(q.cursor);
  } catch {
    cursor = undefined;
  }
  const [rows, devices] = await Promise.all([listMessages(db, auth.business.id, { deviceKey, status, to }, 50, cursor), listDevices(db, auth.business.id, 100)]);
  const p = page(rows, 50, (m) => m.id);
  const next = p.next_cursor ? `?${new URLSearchParams({ ...(deviceKey ? { device_key: deviceKey } : {}), ...(status ? { status } : {}), ...(q.to ? { to: q.to } : {}), cursor: p.next_cursor })}` : null;
  return c.html(
    render(c, "nav_messages", <MessagesPage t={t} messages={p.items} devices={devices} filter={{ device_key: deviceKey, status, to: q.to }} nextHref={next} fmt={dateFormatter(auth, locale)} />),
  );
});

dashboard.get("/templates", async (c) => {
  const { auth, t } = c.var;
  if (!roleAtLeast(auth.role, "admin")) return c.html(render(c, "nav_templates", forbidden(t)), 403);
  const rows = await listTemplates(database(c.env.DB), auth.business.id, 100);
  return c.html(render(c, "nav_templates", <TemplatesPage t={t} templates={rows} canEdit={true} />));
});

dashboard.get("/users", async (c) => {
  if (!roleAtLeast(c.var.auth.role, "super_admin")) return c.html(render(c, "nav_users", forbidden(c.var.t)), 403);
  const rows = await listUsers(database(c.env.DB), c.var.auth.business.id, 100);
  return c.html(render(c, "nav_users", <UsersPage t={c.var.t} users={rows} fmt={dateFormatter(c.var.auth, c.var.locale)} />));
});

dashboard.get("/api-keys", async (c) => {
  if (!roleAtLeast(c.var.auth.role, "super_admin")) return c.html(render(c, "nav_api_keys", forbidden(c.var.t)), 403);
  const rows = await listApiKeys(database(c.env.DB), c.var.auth.business.id, 100);
  return c.html(render(c, "nav_api_keys", <ApiKeysPage t={c.var.t} keys={rows} fmt={dateFormatter(c.var.auth, c.var.locale)} />));
});

dashboard.get("/billing", async (c) => {
  const { t, auth, locale } = c.var;
  if (!roleAtLeast(auth.role, "super_admin")) return c.html(render(c, "nav_billing", forbidden(t)), 403);
  const db = database(c.env.DB);
  const [state, packages, invoices] = await Promise.all([billingState(db, auth.business), listPackages(db), listInvoices(db, auth.business.id, 50)]);
  return c.html(render(c, "nav_billing", <BillingPage t={t} state={state} packages={packages} invoices={invoices.slice(0, 50)} fmt={dateFormatter(auth, locale)} />));
});

dashboard.get("/billing/invoices/:id", async (c) => {
  const { t, auth, locale } = c.var;
  if (!roleAtLeast(auth.role, "super_admin")) return c.html(render(c, "nav_billing", forbidden(t)), 403);
  const id = c.req.param("id");
  const inv = UUID.test(id) ? await getInvoice(database(c.env.DB), auth.business.id, id) : undefined;
  if (!inv) return c.html(render(c, "nav_billing", <p class="card">{t("no_invoices")}</p>), 404);
  return c.html(
    <Document title={`${t("invoice_title")} ${inv.number}`} locale={locale}>
      <main style="max-width:760px;margin:24px auto">
        <InvoicePrint t={t} invoice={inv} businessName={auth.business.name} fmt={dateFormatter(auth, locale)} />
      </main>
    </Document>,
  );
});

dashboard.get("/affiliate", async (c) => {
  const { t, auth, locale } = c.var;
  if (!roleAtLeast(auth.role, "super_admin")) return c.html(render(c, "nav_affiliate", forbidden(t)), 403);
  const db = database(c.env.DB);
  const summary = await affiliateSummary(c.env, db, auth.business);
  const [ledger, payouts] = await Promise.all([listCommissions(db, auth.business.id, 100), listPayouts(db, { businessId: auth.business.id }, 50)]);
  return c.html(render(c, "nav_affiliate", <AffiliatePage t={t} s={summary} ledger={ledger.slice(0, 100)} payouts={payouts.slice(0, 50)} fmt={dateFormatter(auth, locale)} />));
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

dashboard.get("/webhook-rules", async (c) => {
  const { auth, t } = c.var;
  if (!roleAtLeast(auth.role, "admin")) return c.html(render(c, "nav_webhook_rules", forbidden(t)), 403);
  const db = database(c.env.DB);
  const id = c.req.query("id");
  const [rules, devices, editing] = await Promise.all([
    rulesInFiringOrder(db, auth.business.id),
    listDevices(db, auth.business.id, 100),
    id && UUID.test(id) ? getRule(db, auth.business.id, id) : Promise.resolve(undefined),
  ]);
  return c.html(render(c, "nav_webhook_rules", <WebhookRulesPage t={t} rules={rules} devices={devices} editing={editing ?? null} />));
});

const oneOf = <T extends string>(list: readonly T[], v: string | undefined): T | undefined => list.find((x) => x === v);
const isDate = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);

dashboard.get("/webhook-logs", async (c) => {
  const { auth, t, locale } = c.var;
  if (!roleAtLeast(auth.role, "admin")) return c.html(render(c, "nav_webhook_logs", forbidden(t)), 403);
  const q = c.req.query();
  const filters = { source: oneOf(WEBHOOK_SOURCES, q.source), status: oneOf(WEBHOOK_LOG_STATUSES, q.status), from: isDate(q.from), to: isDate(q.to) };
  let cursor;
  try {
    cursor = decodeCursor(q.cursor);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
  const tz = auth.business.timezone;
  const limit = 50;
  const rows = await listLogs(
    database(c.env.DB),
    auth.business.id,
    { source: filters.source, status: filters.status, from: timeFilter(filters.from, tz, false), to: timeFilter(filters.to, tz, true) },
    limit,
    cursor,
  );
  const p = page(rows, limit, (l) => l.id);
  return c.html(
    render(
      c,
      "nav_webhook_logs",
      <WebhookLogsPage t={t} logs={p.items} nextCursor={p.next_cursor} filters={filters} retentionDays={auth.business.webhookLogRetentionDays} fmt={dateFormatter(auth, locale)} />,
    ),
  );
});

contactPages(dashboard, { render, forbidden, dateFormatter });
aiPages(dashboard, { render, forbidden });
livechatPages(dashboard, { render, forbidden, dateFormatter });
broadcastPages(dashboard, { render, forbidden, dateFormatter });
campaignPages(dashboard, { render, forbidden, dateFormatter });

// Modules whose issues have not landed yet keep their place in the navigation.
const built = new Set(["/contacts", "/labels", "", "/settings", "/devices", "/messages", "/templates", "/users", "/api-keys", "/billing", "/affiliate", "/webhook-rules", "/webhook-logs", "/ai", "/auto-replies", "/inbox", "/livechat", "/broadcasts"]);
for (const item of NAV) {
  const sub = item.href.replace(/^\/app/, "");
  if (built.has(sub)) continue;
  dashboard.get(sub, (c) => {
    const min: Role = item.min;
    if (!roleAtLeast(c.var.auth.role, min)) return c.html(render(c, item.key, forbidden(c.var.t)), 403);
    return c.html(render(c, item.key, <p class="card muted">{c.var.t("coming_soon")}</p>));
  });
}
