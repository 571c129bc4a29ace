// "Afiliasi": the referral link with a copy button, the funnel (link clicks → sign-ups → paying), commission totals and
// ledger, and payout requests.
import type { affiliateSummary } from "../../api/affiliate";
import type { Commission, Payout } from "../../db/affiliate";
import { formatRupiah as rupiah } from "../../webhooks/templates/render";
import { CountBars } from "../components/bar-chart";
import { DataTable } from "../components/data-table";
import type { MessageKey, T } from "../i18n";

type Summary = Awaited<ReturnType<typeof affiliateSummary>>;
type LedgerRow = { c: Commission; invoiceNumber: string | null; referredName: string | null };

export function AffiliatePage(props: { t: T; s: Summary; ledger: LedgerRow[]; payouts: Payout[]; fmt: (ms: number) => string }) {
  const { t, s, fmt } = props;
  return (
    <>
      <div class="card">
        <h3>{t("affiliate_link")}</h3>
        <p class="muted">{t("affiliate_help").replace("{p}", String(s.commission_percent)).replace("{w}", String(s.refund_window_days))}</p>
        <div class="row">
          <code class="big" id="referral-link">
            {s.referral_link}
          </code>
          <button type="button" class="ghost" data-copy="referral-link" data-copied={t("copied")}>
            {t("copy")}
          </button>
        </div>
        <p class="muted">Kode / code: {s.referral_code}</p>
      </div>
      <div class="cols">
        <div class="card" id="funnel">
          <h3>{t("funnel")}</h3>
          <CountBars
            items={[
              { label: t("ref_clicks"), value: s.counts.clicks },
              { label: t("signups"), value: s.counts.signups },
              { label: t("paying"), value: s.counts.paying },
            ]}
          />
        </div>
        <div class="card" id="totals">
          <h3>{t("commission_ledger")}</h3>
          {(["pending", "available", "paid", "reversed"] as const).map((k) => (
            <p>
              {t(`comm_${k}` as MessageKey)}: <b>{rupiah(s.commissions[k])}</b>
            </p>
          ))}
        </div>
      </div>
      <div class="card">
        <h3>{t("request_payout")}</h3>
        <p>
          {t("comm_available")}: <b>{rupiah(s.commissions.requestable)}</b> · {t("minimum_payout")}: {rupiah(s.minimum_payout)}
        </p>
        <form data-api="/api/v1/affiliate/payouts" class="row">
          <div>
            <label>{t("payout_method")}</label>
            <select name="method">
              <option value="bank">{t("bank")}</option>
              <option value="ewallet">{t("ewallet")}</option>
            </select>
          </div>
          <div>
            <label>{t("payout_provider")}</label>
            <input name="provider" required maxlength={40} placeholder="BCA / GoPay" />
          </div>
          <div>
            <label>{t("account_name")}</label>
            <input name="account_name" required maxlength={120} />
          </div>
          <div>
            <label>{t("account_number")}</label>
            <input name="account_number" required maxlength={34} />
          </div>
          <button disabled={s.commissions.requestable < s.minimum_payout}>{t("request_payout")}</button>
          <div data-out class="out"></div>
        </form>
      </div>
      <div class="card">
        <h3>{t("commission_ledger")}</h3>
        <DataTable
          id="ledger"
          headers={[t("date"), t("business_name"), t("invoice_number"), t("amount"), t("status")]}
          rows={props.ledger}
          empty={t("no_commissions")}
          row={(r) => (
            <tr>
              <td>{fmt(r.c.createdAt)}</td>
              <td>{r.referredName ?? "—"}</td>
              <td>
                {r.invoiceNumber ?? "—"} ({rupiah(r.c.invoiceAmount)} × {r.c.percent}%)
              </td>
              <td>{rupiah(r.c.amount)}</td>
              <td>
                <span class="pill">{t(`comm_${r.c.status}` as MessageKey)}</span>
                {r.c.status === "pending" ? <span class="muted"> → {fmt(r.c.availableAt)}</span> : null}
              </td>
            </tr>
          )}
        />
      </div>
      <div class="card">
        <h3>{t("payouts_title")}</h3>
        <DataTable
          id="payouts"
          headers={[t("date"), t("amount"), t("payout_provider"), t("status")]}
          rows={props.payouts}
          empty={t("no_payouts")}
          row={(p) => (
            <tr>
              <td>{fmt(p.createdAt)}</td>
              <td>{rupiah(p.amount)}</td>
              <td>
                {p.provider} · {p.accountName} · {p.accountNumber}
              </td>
              <td>
                <span class="pill">{p.status}</span> {p.paidAt ? fmt(p.paidAt) : ""}
              </td>
            </tr>
          )}
        />
      </div>
    </>
  );
}
