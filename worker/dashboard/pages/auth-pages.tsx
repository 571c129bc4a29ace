import { Document } from "../layout";
import type { Locale, T } from "../i18n";

export function LoginPage({ t, locale }: { t: T; locale: Locale }) {
  return (
    <Document title={t("login")} locale={locale}>
      <div class="auth card">
        <h1>Ping!</h1>
        <p class="muted">{t("tagline")}</p>
        <form data-api="/api/v1/auth/login" data-redirect="/app">
          <label>{t("email")}</label>
          <input name="email" type="email" required autocomplete="username" />
          <label>{t("password")}</label>
          <input name="password" type="password" required autocomplete="current-password" />
          <p><button>{t("login")}</button></p>
          <div data-out class="out"></div>
        </form>
        <p class="muted">
          <a href="/app/forgot-password">{t("forgot_password")}</a>
        </p>
        <p class="muted">
          {t("no_account")} <a href="/app/signup">{t("signup")}</a> · <a href={`?lang=${locale === "id" ? "en" : "id"}`}>{locale === "id" ? "English" : "Bahasa Indonesia"}</a>
        </p>
      </div>
    </Document>
  );
}

/** `referral`: the code of /app/signup?ref=CODE, sent as referral_code (fixed at sign-up). */
export function SignupPage({ t, locale, referral }: { t: T; locale: Locale; referral?: string | null }) {
  return (
    <Document title={t("signup")} locale={locale}>
      <div class="auth card">
        <h1>Ping!</h1>
        <form data-api="/api/v1/auth/signup" data-redirect="/app">
          <label>{t("business_name")}</label>
          <input name="business_name" required maxlength={120} />
          <label>{t("your_name")}</label>
          <input name="name" required maxlength={120} />
          <label>{t("email")}</label>
          <input name="email" type="email" required autocomplete="username" />
          <label>{t("password")}</label>
          <input name="password" type="password" required minlength={8} autocomplete="new-password" />
          {referral ? <input type="hidden" name="referral_code" value={referral} /> : null}
          <p><button>{t("signup")}</button></p>
          <div data-out class="out"></div>
        </form>
        <p class="muted">
          {t("have_account")} <a href="/app/login">{t("login")}</a>
        </p>
      </div>
    </Document>
  );
}

/** Asks for a reset link; the answer is the same whether or not the email has an account. */
export function ForgotPasswordPage({ t, locale }: { t: T; locale: Locale }) {
  return (
    <Document title={t("reset_password")} locale={locale}>
      <div class="auth card">
        <h1>{t("reset_password")}</h1>
        <form data-api="/api/v1/auth/password-reset" data-done={t("reset_sent")}>
          <label>{t("email")}</label>
          <input name="email" type="email" required autocomplete="username" />
          <p><button>{t("send_reset_link")}</button></p>
          <div data-out class="out"></div>
        </form>
        <p class="muted"><a href="/app/login">{t("login")}</a></p>
      </div>
    </Document>
  );
}

/** The emailed link lands here; the token is only used by the POST this form makes. */
export function ResetPasswordPage({ t, locale, token }: { t: T; locale: Locale; token: string }) {
  return (
    <Document title={t("reset_password")} locale={locale}>
      <div class="auth card">
        <h1>{t("reset_password")}</h1>
        <form data-api="/api/v1/auth/password-reset/confirm" data-redirect="/app/login">
          <input type="hidden" name="token" value={token} />
          <label>{t("new_password")}</label>
          <input name="password" type="password" required minlength={8} autocomplete="new-password" />
          <p><button>{t("reset_password")}</button></p>
          <div data-out class="out"></div>
        </form>
      </div>
    </Document>
  );
}

/** A button, not an action on GET: mail scanners that open links must not use the token up. */
export function VerifyEmailPage({ t, locale, token }: { t: T; locale: Locale; token: string }) {
  return (
    <Document title={t("verify_email")} locale={locale}>
      <div class="auth card">
        <h1>{t("verify_email")}</h1>
        <form data-api="/api/v1/auth/verify-email" data-done={t("verify_done")}>
          <input type="hidden" name="token" value={token} />
          <p><button>{t("verify_email")}</button></p>
          <div data-out class="out"></div>
        </form>
        <p class="muted"><a href="/app">Ping</a></p>
      </div>
    </Document>
  );
}
