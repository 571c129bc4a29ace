// Small CRM pieces shown on the contact page and in the inbox's contact panel: a label pill and an order.
import type { Label } from "../../db/labels";
import type { Order } from "../../db/orders";
import type { T } from "../i18n";

export const rupiah = (n: number | null) => (n === null ? "" : `Rp ${n.toLocaleString("id-ID")}`);

export function Pill(props: { l: Pick<Label, "name" | "color"> }) {
  return (
    <span class="pill" style={`border-left:4px solid ${/^#[0-9a-fA-F]{6}$/.test(props.l.color) ? props.l.color : "#64748b"}`}>
      {props.l.name}
    </span>
  );
}

export function OrderEntry(props: { t: T; order: Order; at: number; fmt: (ms: number) => string }) {
  const o = props.order;
  return (
    <div class="bubble order" data-order={o.externalId}>
      <strong>
        {props.t("crm_order")} {o.externalId}
      </strong>{" "}
      · {o.source} · {o.status ?? ""} {o.paymentStatus ? `/ ${o.paymentStatus}` : ""} · {rupiah(o.amount)}
      <small>
        {o.items.map((i) => `${i.qty}× ${i.name}`).join(", ")} · {props.fmt(props.at)}
      </small>
    </div>
  );
}
