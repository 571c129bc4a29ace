// A local Xendit (Node side, started by global-setup.ts): the Invoice API (POST /v2/invoices) and the Refund
// API (POST /refunds) in Xendit's documented request/response shapes, Basic auth with the secret key, and the
// callbacks Xendit would send — built by the simulator in the documented format for the test to deliver
// (the Worker under test runs inside workerd and is called in-process, not over the network).
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { listenLocal } from "./listen";

export const XENDIT_SECRET_KEY = "xnd_development_local_secret";
export const XENDIT_CALLBACK_TOKEN = "local-callback-verification-token";

type SimInvoice = {
  id: string;
  external_id: string;
  user_id: string;
  status: "PENDING" | "PAID" | "SETTLED" | "EXPIRED";
  merchant_name: string;
  amount: number;
  currency: string;
  description: string;
  payer_email?: string;
  invoice_url: string;
  expiry_date: string;
  created: string;
  updated: string;
};
type SimRefund = { id: string; invoice_id: string; reference_id: string; amount: number; currency: string; status: string; created: string };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const hex = (n: number) => randomBytes(n).toString("hex");

export function startXendit(): Promise<{ url: string; close: () => Promise<void> }> {
  const invoices = new Map<string, SimInvoice>();
  const byIdempotency = new Map<string, string>();
  const refunds = new Map<string, SimRefund>();
  const auth = `Basic ${Buffer.from(`${XENDIT_SECRET_KEY}:`).toString("base64")}`;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const body = await readBody(req);
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(v));
      };
      const parts = url.pathname.split("/").filter(Boolean);
      const isApi = (parts[0] === "v2" && parts[1] === "invoices") || parts[0] === "refunds";
      if (isApi && req.headers.authorization !== auth) return json(401, { error_code: "INVALID_API_KEY", message: "API key is invalid" });

      if (req.method === "POST" && parts[0] === "v2" && parts[1] === "invoices" && parts.length === 2) {
        const b = JSON.parse(body) as { external_id?: string; amount?: number; currency?: string; description?: string; payer_email?: string; invoice_duration?: number };
        if (!b.external_id || typeof b.amount !== "number") return json(400, { error_code: "API_VALIDATION_ERROR", message: "external_id and amount are required" });
        if ((b.currency ?? "IDR") === "IDR" && b.amount < 1000) return json(400, { error_code: "INVALID_AMOUNT", message: "Minimum amount is 1000 IDR" });
        const key = String(req.headers["idempotency-key"] ?? "");
        const seen = key ? byIdempotency.get(key) : undefined;
        if (seen) return json(200, invoices.get(seen));
        const now = new Date();
        const inv: SimInvoice = {
          id: hex(12),
          external_id: b.external_id,
          user_id: "5f0000000000000000000local",
          status: "PENDING",
          merchant_name: "Ping",
          amount: Math.trunc(b.amount),
          currency: b.currency ?? "IDR",
          description: b.description ?? "",
          payer_email: b.payer_email,
          invoice_url: `${origin}/web/${hex(8)}`,
          expiry_date: new Date(now.getTime() + (b.invoice_duration ?? 86400) * 1000).toISOString(),
          created: now.toISOString(),
          updated: now.toISOString(),
        };
        invoices.set(inv.id, inv);
        if (key) byIdempotency.set(key, inv.id);
        return json(200, inv);
      }
      if (req.method === "GET" && parts[0] === "v2" && parts[1] === "invoices" && parts[2]) {
        const inv = invoices.get(parts[2]);
        return inv ? json(200, inv) : json(404, { error_code: "INVOICE_NOT_FOUND_ERROR", message: "Invoice not found" });
      }
      if (req.method === "POST" && parts[0] === "refunds") {
        const b = JSON.parse(body) as { invoice_id?: string; amount?: number; reference_id?: string; currency?: string };
        const inv = b.invoice_id ? invoices.get(b.invoice_id) : undefined;
        if (!inv) return json(404, { error_code: "DATA_NOT_FOUND", message: "Payment not found" });
        if (inv.status !== "PAID" && inv.status !== "SETTLED") return json(400, { error_code: "INELIGIBLE_TRANSACTION", message: "Invoice is not paid" });
        const ref: SimRefund = {
          id: `rfd-${hex(8)}`,
          invoice_id: inv.id,
          reference_id: b.reference_id ?? "",
          amount: b.amount ?? inv.amount,
          currency: b.currency ?? inv.currency,
          status: "PENDING",
          created: new Date().toISOString(),
        };
        refunds.set(ref.id, ref);
        return json(200, ref);
      }

      // Simulator controls: pay/expire an invoice or finish a refund, answering with the callback Xendit sends.
      if (req.method === "POST" && parts[0] === "_sim" && parts[1] === "invoices" && parts[2]) {
        const inv = invoices.get(parts[2]);
        if (!inv) return json(404, { error: "no such invoice" });
        const b = JSON.parse(body || "{}") as { status?: "PAID" | "EXPIRED" | "SETTLED"; paid_amount?: number; currency?: string };
        const status = b.status ?? "PAID";
        inv.status = status;
        inv.updated = new Date().toISOString();
        const paid = status !== "EXPIRED";
        return json(200, {
          headers: { "x-callback-token": XENDIT_CALLBACK_TOKEN, "content-type": "application/json" },
          body: {
            id: inv.id,
            external_id: inv.external_id,
            user_id: inv.user_id,
            is_high: false,
            status,
            merchant_name: inv.merchant_name,
            amount: inv.amount,
            ...(paid
              ? { paid_amount: b.paid_amount ?? inv.amount, paid_at: new Date().toISOString(), bank_code: "BCA", payment_method: "BANK_TRANSFER", payment_channel: "BCA", payment_destination: "8808999939380502", payment_id: `pay-${hex(6)}` }
              : {}),
            payer_email: inv.payer_email,
            description: inv.description,
            currency: b.currency ?? inv.currency,
            created: inv.created,
            updated: inv.updated,
          },
        });
      }
      if (req.method === "POST" && parts[0] === "_sim" && parts[1] === "refunds" && parts[2]) {
        const ref = refunds.get(parts[2]);
        if (!ref) return json(404, { error: "no such refund" });
        const b = JSON.parse(body || "{}") as { event?: string; amount?: number };
        ref.status = b.event === "refund.failed" ? "FAILED" : "SUCCEEDED";
        return json(200, {
          headers: { "x-callback-token": XENDIT_CALLBACK_TOKEN, "content-type": "application/json" },
          body: { event: b.event ?? "refund.succeeded", business_id: "5f0000000000000000000local", created: new Date().toISOString(), data: { ...ref, amount: b.amount ?? ref.amount } },
        });
      }
      if (req.method === "GET" && parts[0] === "_sim" && parts[1] === "by-external" && parts[2]) {
        const inv = [...invoices.values()].find((i) => i.external_id === parts[2]);
        return inv ? json(200, inv) : json(404, {});
      }
      if (req.method === "GET" && parts[0] === "_sim" && parts[1] === "refunds-of" && parts[2]) {
        return json(200, [...refunds.values()].filter((r) => r.invoice_id === parts[2]));
      }
      json(404, { error_code: "NOT_FOUND", message: "not found" });
    })();
  });
  return listenLocal(server);
}
