// Billing for super admins: the package and its state, usage bars per limit, buying/renewing/switching
// (checkout opens the provider's hosted invoice), and the invoices with their printable pages.
import type { Invoice } from "../../db/invoices";
import type { Package } from "../../db/packages";
import type { billingState } from "../../api/billing";
import { DataTable } from "../components/data-table";
import { formatRupiah as rupiah } from "../../webhooks/templates/render";
import { UsageBar } from "../components/bar-chart";
import type { MessageKey, T } from "../i18n";

type State = Awaited<ReturnType<typeof billingState>>;

const COUNTED = ["devices", "agents", "messages_per_day", "broadcast_recipients_per_month", "ai_tokens_per_day", "broadcasts_running"] as const;

export function BillingPage(props: { t: T; state: State; packages: Package[]; invoices: Invoice[]; fmt: (ms: number) => string }) {
  const { t, state: s, fmt } = props;
  return (
    <>
      <div class="card">
        <p>
          {t("package")}: <b>{s.package_name}</b> <span class={`pill st-${s.state}`}>{t(`billing_state_${s.state}` as MessageKey)}</span>
        </p>
        <p>
          {t("active_until")}: {fmt(s.active_until)}
          {s.state === "grace" ? (
            <>
              {" "}
              · grace → {fmt(s.grace_until)}
            </>
          ) : null}
        </p>
      </div>
      <div class="card" id="usage">
        <h3>{t("usage_title")}</h3>
        {COUNTED.map((l) => (
          <UsageBar label={t(`limit_${l}` as MessageKey)} used={s.usage[l].used} allowed={s.usage[l].allowed} unlimitedLabel={t("unlimited")} />
        ))}
        <p>
          {t("limit_live_chat")}: <b>{s.usage.live_chat.allowed ? t("included") : t("not_included")}</b>
        </p>
      </div>
      <div class="card">
        <h3>{t("change_package")}</h3>
        <p class="muted">{t("change_help")}</p>
        <DataTable
          headers={[t("package"), t("limit_devices"), t("limit_agents"), t("limit_messages_per_day"), t("limit_live_chat"), ""]}
          rows={props.packages.filter((p) => p.purchasable)}
          row={(p) => (
            <tr>
              <td>
                <b>{p.name}</b>
                <br />
                {rupiah(p.priceMonthly)}
                {t("per_month")} · {rupiah(p.priceYearly)}
                {t("per_year")}
              </td>
              <td>{p.devices ?? t("unlimited")}</td>
              <td>{p.agents ?? t("unlimited")}</td>
              <td>{p.messagesPerDay ?? t("unlimited")}</td>
              <td>{p.liveChat ? t("included") : t("not_included")}</td>
              <td>
                <form data-api="/api/v1/billing/checkout" data-redirect-to="invoice_url" class="row">
                  <input type="hidden" name="package" value={p.id} />
                  <select name="months" data-type="number" style="min-width:80px">
                    {[1, 3, 6, 12].map((m) => (
                      <option value={String(m)}>
                        {m} {t("months")}
                      </option>
                    ))}
                  </select>
                  <button>{p.id === s.package ? t("renew_now") : t("pay")}</button>
                  <div data-out class="out"></div>
                </form>
              </td>
            </tr>
          )}
        />
      </div>
      <div class="card">
        <h3>{t("invoices_title")}</h3>
        <DataTable
          id="invoices"
          headers={[t("invoice_number"), t("package"), t("period"), t("amount"), t("status"), t("paid_at")]}
          rows={props.invoices}
          empty={t("no_invoices")}
          row={(i) => (
            <tr>
              <td>
                <a href={`/app/billing/invoices/${i.id}`}>{i.number}</a>
              </td>
              <td>
                {i.packageId} {i.kind === "free_extension" ? <span class="pill">{t("free_extension")}</span> : `· ${i.months} ${t("months")}`}
              </td>
              <td>{i.periodStart && i.periodEnd ? `${fmt(i.periodStart)} – ${fmt(i.periodEnd)}` : "—"}</td>
              <td>{rupiah(i.amount)}</td>
              <td>
                <span class={`pill ${i.status}`}>{i.status}</span>{" "}
                {i.status === "pending" && i.invoiceUrl ? (
                  <a href={i.invoiceUrl} rel="noopener noreferrer">
                    {t("pay_now")}
                  </a>
                ) : null}
              </td>
              <td>{i.paidAt ? fmt(i.paidAt) : "—"}</td>
            </tr>
          )}
        />
      </div>
    </>
  );
}

/** The printable invoice: a standalone page (no navigation), print styles, the print button of the client script. */
export function InvoicePrint(props: { t: T; invoice: Invoice; businessName: string; fmt: (ms: number) => string }) {
  const { t, invoice: i, fmt } = props;
  return (
    <div class="card invoice">
      <div class="row" style="justify-content:space-between">
        <h2>
          {t("invoice_title")} {i.number}
        </h2>
        <button type="button" class="ghost noprint" data-print>
          {t("print")}
        </button>
      </div>
      <p>
        <b>Ping</b> — WhatsApp CRM
      </p>
      <p>
        {t("bill_to")}: <b>{props.businessName}</b>
      </p>
      <table>
        <tbody>
          <tr>
            <th>{t("package")}</th>
            <td>
              {i.packageId} · {i.months} {t("months")}
              {i.kind === "free_extension" ? ` (${t("free_extension")})` : ""}
            </td>
          </tr>
          <tr>
            <th>{t("period")}</th>
            <td>{i.periodStart && i.periodEnd ? `${fmt(i.periodStart)} – ${fmt(i.periodEnd)}` : "—"}</td>
          </tr>
          <tr>
            <th>Harga / Price</th>
            <td>{rupiah(i.price)}</td>
          </tr>
          <tr>
            <th>{t("credit")}</th>
            <td>− {rupiah(Math.min(i.credit, i.price))}</td>
          </tr>
          <tr>
            <th>{t("amount")}</th>
            <td>
              <b>{rupiah(i.amount)}</b>
            </td>
          </tr>
          <tr>
            <th>{t("status")}</th>
            <td>
              {i.status}
              {i.paidAt ? ` · ${fmt(i.paidAt)}` : ""}
              {i.paymentMethod ? ` · ${i.paymentMethod}` : ""}
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
