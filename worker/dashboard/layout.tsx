import type { Child } from "hono/jsx";
import type { Role } from "../db/schema";
import { roleAtLeast } from "../auth/roles";
import type { Locale, MessageKey, T } from "./i18n";
import { STYLES } from "./styles";
import { scriptUrl } from "./static-scripts";

type NavItem = { href: string; key: MessageKey; min: Role };

// Every module has its place from day one; a page fills in when its issue lands.
export const NAV: NavItem[] = [
  { href: "/app", key: "nav_overview", min: "staff" },
  { href: "/app/inbox", key: "nav_inbox", min: "staff" },
  { href: "/app/contacts", key: "nav_contacts", min: "staff" },
  { href: "/app/labels", key: "nav_labels", min: "staff" },
  { href: "/app/devices", key: "nav_devices", min: "staff" },
  { href: "/app/messages", key: "nav_messages", min: "staff" },
  { href: "/app/templates", key: "nav_templates", min: "admin" },
  { href: "/app/broadcasts", key: "nav_broadcasts", min: "admin" },
  { href: "/app/campaigns", key: "nav_campaigns", min: "admin" },
  { href: "/app/webhook-rules", key: "nav_webhook_rules", min: "admin" },
  { href: "/app/webhook-logs", key: "nav_webhook_logs", min: "admin" },
  { href: "/app/ai", key: "nav_ai", min: "admin" },
  { href: "/app/auto-replies", key: "nav_auto_replies", min: "admin" },
  { href: "/app/livechat", key: "nav_livechat", min: "admin" },
  { href: "/app/settings", key: "nav_settings", min: "staff" },
  { href: "/app/users", key: "nav_users", min: "super_admin" },
  { href: "/app/api-keys", key: "nav_api_keys", min: "super_admin" },
  { href: "/app/billing", key: "nav_billing", min: "super_admin" },
  { href: "/app/affiliate", key: "nav_affiliate", min: "super_admin" },
];

export function Document(props: { title: string; locale: Locale; children: Child }) {
  return (
    <html lang={props.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{props.title} · Ping</title>
        <style dangerouslySetInnerHTML={{ __html: STYLES }} />
        <script src={scriptUrl("app")} defer></script>
      </head>
      <body>{props.children}</body>
    </html>
  );
}

export function Shell(props: {
  t: T;
  locale: Locale;
  role: Role;
  path: string;
  title: string;
  /** The package notice (inactive, grace, ends soon), or null. */
  banner: Child;
  emailUnverified: boolean;
  userName: string;
  children: Child;
}) {
  const { t } = props;
  const other = props.locale === "id" ? "en" : "id";
  return (
    <Document title={props.title} locale={props.locale}>
      <div class="shell">
        <nav class="side">
          <div class="brand">Ping!</div>
          {NAV.filter((n) => roleAtLeast(props.role, n.min)).map((n) => (
            <a href={n.href} class={props.path === n.href ? "on" : ""}>
              {t(n.key)}
            </a>
          ))}
          <a href="/api/docs">{t("api_docs")}</a>
        </nav>
        <main>
          <header class="top">
            <h1 style="margin:0;font-size:22px">{props.title}</h1>
            <div class="row">
              <span class="muted">{props.userName}</span>
              <a href={`?lang=${other}`}>{other.toUpperCase()}</a>
              <form data-api="/api/v1/auth/logout" data-redirect="/app/login">
                <button class="ghost">{t("logout")}</button>
              </form>
            </div>
          </header>
          {props.banner ? <div class="banner">{props.banner}</div> : null}
          {props.emailUnverified ? (
            <div class="banner">
              <form data-api="/api/v1/me/verification-email" data-done="✓">
                {t("verify_banner")} <button class="ghost">{t("resend_verification")}</button>
              </form>
            </div>
          ) : null}
          {props.children}
        </main>
      </div>
    </Document>
  );
}
