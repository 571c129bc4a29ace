// The dashboard at /app: server-rendered pages over the same data functions as the API; mutations go
// through /api/v1 from the one small client script.
import { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Child } from "hono/jsx";
import { authenticateSession } from "../auth/middleware";
import { roleAtLeast } from "../auth/roles";
import { sessionTokenHash } from "../auth/session-cookie";
import { listApiKeys } from "../db/api-keys";
import { isPackageActive } from "../db/businesses";
import { database } from "../db/client";
import { listDevices } from "../db/devices";
import type { Role } from "../db/schema";
import { listUsers } from "../db/users";
import { settingsJson } from "../api/settings";
import { timeFilter } from "../api/webhook-logs";
import { WEBHOOK_LOG_STATUSES, WEBHOOK_SOURCES } from "../db/schema";
import { listLogs } from "../db/webhook-logs";
import { getRule, rulesInFiringOrder } from "../db/webhook-rules";
import { decodeCursor, page } from "../lib/cursor";
import { ApiError } from "../http/errors";
import type { AppEnv, Auth } from "../http/types";
import { CLIENT_SCRIPT } from "./client-script";
import { formatDateTime, type Locale, type MessageKey, pickLocale, type T, translator } from "./i18n";
import { NAV, Shell } from "./layout";
import { LoginPage, SignupPage } from "./pages/auth-pages";
import { DevicesPage } from "./pages/devices-page";
import { SettingsPage } from "./pages/settings-page";
import { WebhookLogsPage } from "./pages/webhook-logs-page";
import { WebhookRulesPage } from "./pages/webhook-rules-page";
import { ApiKeysPage, UsersPage } from "./pages/team-pages";

type DashEnv = AppEnv & { Variables: { locale: Locale; t: T } };

const LANG_COOKIE = "ping_lang";

export const dashboard = new Hono<DashEnv>();

dashboard.get("/static/app.js", (c) =>
  c.body(CLIENT_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=300" }),
);

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
dashboard.get("/signup", (c) => c.html(<SignupPage t={c.var.t} locale={c.var.locale} />));

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

function render(c: { var: { t: T; locale: Locale; auth: Auth }; req: { path: string } }, titleKey: MessageKey, body: Child) {
  const { auth, t, locale } = c.var;
  return (
    <Shell
      t={t}
      locale={locale}
      role={auth.role}
      path={c.req.path}
      title={t(titleKey)}
      packageActive={isPackageActive(auth.business)}
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

dashboard.get("/billing", (c) => {
  const { t, auth, locale } = c.var;
  if (!roleAtLeast(auth.role, "super_admin")) return c.html(render(c, "nav_billing", forbidden(t)), 403);
  const b = auth.business;
  return c.html(
    render(
      c,
      "nav_billing",
      <div class="card">
        <p>
          {t("package")}: <b>{b.package}</b> — {isPackageActive(b) ? t("package_active") : t("package_inactive")}
        </p>
        <p>
          {t("active_until")}: {formatDateTime(b.activeUntil, b.timezone, locale)}
        </p>
      </div>,
    ),
  );
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

// Modules whose issues have not landed yet keep their place in the navigation.
const pending = new Set(["/settings", "/devices", "/users", "/api-keys", "/billing", "", "/webhook-rules", "/webhook-logs"]);
for (const item of NAV) {
  const sub = item.href.replace(/^\/app/, "");
  if (pending.has(sub)) continue;
  dashboard.get(sub, (c) => {
    const min: Role = item.min;
    if (!roleAtLeast(c.var.auth.role, min)) return c.html(render(c, item.key, forbidden(c.var.t)), 403);
    return c.html(render(c, item.key, <p class="card muted">{c.var.t("coming_soon")}</p>));
  });
}
