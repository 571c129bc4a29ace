// What a Scalev or Lynk event says about a customer and their order, read from the documented payloads
// (the seed's samples in worker/webhooks/sources). Pure: the webhook endpoint writes the result.
import type { WebhookSource } from "../db/schema";
import { resolvePath } from "../webhooks/path";

export type OrderItem = { name: string; qty: number; price: number | null };
export type OrderFacts = {
  externalId: string;
  event: string | null;
  status: string | null;
  paymentStatus: string | null;
  /** Rupiah, integer. */
  amount: number | null;
  items: OrderItem[];
  /** The event's own time, epoch ms (the out-of-order guard compares it). */
  eventAt: number;
};
export type CustomerFacts = { name: string | null; phone: unknown; email: string | null };
export type EventFacts = { customer: CustomerFacts; order: OrderFacts | null };

const at = (p: unknown, path: string) => resolvePath(p, path.split("."));
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim().slice(0, 200) : typeof v === "number" && Number.isFinite(v) ? String(v) : null);

/** "149724.00", 72000, "Rp 72.000" → integer rupiah. */
export function rupiah(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return Math.round(v);
  if (typeof v !== "string") return null;
  const s = v.replace(/^\s*Rp\.?\s*/i, "").trim();
  // "72.000" (Indonesian thousands) vs "149724.00" (decimal point).
  const n = /^\d{1,3}(\.\d{3})+$/.test(s) ? Number(s.replaceAll(".", "")) : Number(s.replaceAll(",", ""));
  return Number.isFinite(n) ? Math.round(n) : null;
}

/** ISO time; a time without a zone is Asia/Jakarta (how Lynk sends `createdAt`). */
export function eventTime(v: unknown, fallback: number): number {
  if (typeof v === "number" && Number.isFinite(v)) return v < 1e12 ? v * 1000 : v;
  if (typeof v !== "string") return fallback;
  const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}+07:00`;
  const t = Date.parse(zoned);
  return Number.isFinite(t) ? t : fallback;
}

function items(list: unknown): OrderItem[] {
  if (!Array.isArray(list)) return [];
  return list.slice(0, 50).flatMap((it) => {
    const name = str(at(it, "title")) ?? str(at(it, "name")) ?? str(at(it, "product_name"));
    if (!name) return [];
    const qty = Number(at(it, "qty") ?? at(it, "quantity") ?? 1);
    return [{ name, qty: Number.isFinite(qty) ? qty : 1, price: rupiah(at(it, "price")) }];
  });
}

function scalev(p: unknown, now: number): EventFacts {
  const id = str(at(p, "data.order_id"));
  return {
    customer: { name: str(at(p, "data.destination_address.name")), phone: at(p, "data.destination_address.phone"), email: str(at(p, "data.destination_address.email")) },
    order: id
      ? {
          externalId: id,
          event: str(at(p, "event")),
          status: str(at(p, "data.status")),
          paymentStatus: str(at(p, "data.payment_status")),
          amount: rupiah(at(p, "data.gross_revenue")) ?? rupiah(at(p, "data.net_revenue")),
          items: items(at(p, "data.orderlines") ?? at(p, "data.items")),
          eventAt: eventTime(at(p, "timestamp"), now),
        }
      : null,
  };
}

function lynk(p: unknown, now: number): EventFacts {
  const id = str(at(p, "data.message_data.refId"));
  const action = str(at(p, "data.message_action"));
  return {
    customer: { name: str(at(p, "data.message_data.customer.name")), phone: at(p, "data.message_data.customer.phone"), email: str(at(p, "data.message_data.customer.email")) },
    order: id
      ? {
          externalId: id,
          event: str(at(p, "event")),
          status: action ? action.toLowerCase() : null,
          // Lynk only sends paid orders (`payment.received`, SUCCESS).
          paymentStatus: action === "SUCCESS" ? "paid" : action ? action.toLowerCase() : null,
          amount: rupiah(at(p, "data.message_data.totals.grandTotal")),
          items: items(at(p, "data.message_data.items")),
          eventAt: eventTime(at(p, "data.message_data.createdAt") ?? at(p, "timestamp"), now),
        }
      : null,
  };
}

/** Custom senders: the customer is whoever the matched rules send to (the rule's phone field); no order. */
function custom(p: unknown): EventFacts {
  return {
    customer: { name: str(at(p, "name")) ?? str(at(p, "customer.name")), phone: null, email: str(at(p, "email")) ?? str(at(p, "customer.email")) },
    order: null,
  };
}

export function eventFacts(source: WebhookSource, payload: unknown, now: number): EventFacts {
  if (source === "scalev") return scalev(payload, now);
  if (source === "lynk") return lynk(payload, now);
  return custom(payload);
}
