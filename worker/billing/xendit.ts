// Xendit, the payment provider (docs/decisions.md): the Invoice API (hosted page with virtual accounts, QRIS,
// e-wallets, cards), the Refund API, and the callbacks both send. Called with fetch; the base URL is a setting
// (XENDIT_API_BASE) so tests point it at a local server speaking the same format.
import { z } from "zod";
import { ApiError } from "../http/errors";
import { safeEqual, toBase64 } from "../lib/crypto";

declare global {
  // Optional secrets (a deployment without online payments still runs; operators record manual payments). Not
  // in wrangler.toml's `secrets.required`, so `wrangler types` does not declare them.
  interface Env {
    /** Xendit secret API key (Basic auth for the Invoice and Refund APIs). */
    XENDIT_SECRET_KEY?: string;
    /** Xendit callback verification token, compared with every callback's x-callback-token. */
    XENDIT_CALLBACK_TOKEN?: string;
  }
}

export type XenditConfig = { base: string; secretKey: string; callbackToken: string };

export function xenditConfig(env: Env): XenditConfig | null {
  if (!env.XENDIT_SECRET_KEY || !env.XENDIT_CALLBACK_TOKEN) return null;
  return { base: env.XENDIT_API_BASE.replace(/\/+$/, ""), secretKey: env.XENDIT_SECRET_KEY, callbackToken: env.XENDIT_CALLBACK_TOKEN };
}

function authHeader(cfg: XenditConfig): string {
  return `Basic ${toBase64(new TextEncoder().encode(`${cfg.secretKey}:`))}`;
}

const CreatedInvoice = z.object({ id: z.string().min(1), invoice_url: z.string().url(), status: z.string(), amount: z.number(), currency: z.string().optional() });
const CreatedRefund = z.object({ id: z.string().min(1), status: z.string() });

async function post<T>(cfg: XenditConfig, path: string, body: unknown, schema: z.ZodType<T>, idempotencyKey: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${cfg.base}${path}`, {
      method: "POST",
      headers: { authorization: authHeader(cfg), "content-type": "application/json", "idempotency-key": idempotencyKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw new ApiError(502, "PAYMENT_PROVIDER_ERROR", `Payment provider unreachable: ${String(e)}`);
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const code = z.object({ error_code: z.string(), message: z.string().optional() }).safeParse(json);
    throw new ApiError(502, "PAYMENT_PROVIDER_ERROR", `Payment provider refused (${res.status}${code.success ? ` ${code.data.error_code}` : ""})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError(502, "PAYMENT_PROVIDER_ERROR", "Payment provider answered in an unexpected format");
  return parsed.data;
}

/** POST /v2/invoices: a hosted invoice; `external_id` is our invoice id (Xendit also dedupes on the Idempotency-key). */
export function createXenditInvoice(
  cfg: XenditConfig,
  input: { externalId: string; amount: number; description: string; payerEmail: string | null; successUrl: string; durationSeconds: number },
) {
  return post(
    cfg,
    "/v2/invoices",
    {
      external_id: input.externalId,
      amount: input.amount,
      currency: "IDR",
      description: input.description,
      invoice_duration: input.durationSeconds,
      success_redirect_url: input.successUrl,
      failure_redirect_url: input.successUrl,
      locale: "id",
      ...(input.payerEmail ? { payer_email: input.payerEmail } : {}),
    },
    CreatedInvoice,
    `invoice-${input.externalId}`,
  );
}

/** POST /refunds for a paid invoice (full amount); the result arrives as a `refund.succeeded` callback. */
export function createXenditRefund(cfg: XenditConfig, input: { providerInvoiceId: string; ourInvoiceId: string; amount: number }) {
  return post(
    cfg,
    "/refunds",
    { invoice_id: input.providerInvoiceId, reference_id: input.ourInvoiceId, amount: input.amount, currency: "IDR", reason: "REQUESTED_BY_CUSTOMER" },
    CreatedRefund,
    `refund-${input.ourInvoiceId}`,
  );
}

/** The invoice callback (Xendit posts the invoice object when it is paid or expires). */
export const InvoiceCallback = z.object({
  id: z.string().min(1).max(100),
  external_id: z.string().min(1).max(100),
  status: z.enum(["PAID", "SETTLED", "EXPIRED", "PENDING"]),
  amount: z.number(),
  paid_amount: z.number().optional(),
  currency: z.string().max(5).default("IDR"),
  paid_at: z.string().optional(),
  payment_method: z.string().max(50).optional(),
  payment_channel: z.string().max(50).optional(),
});

/** The refund callback (Refund API): an event envelope around the refund object. */
export const RefundCallback = z.object({
  event: z.enum(["refund.succeeded", "refund.failed"]),
  data: z.object({
    id: z.string().min(1).max(100),
    invoice_id: z.string().min(1).max(100).optional(),
    reference_id: z.string().max(100).optional(),
    amount: z.number(),
    currency: z.string().max(5).default("IDR"),
    status: z.string(),
  }),
});

/** Every Xendit callback carries the account's verification token in `x-callback-token`. */
export async function verifyCallbackToken(cfg: XenditConfig, header: string | undefined): Promise<boolean> {
  return !!header && (await safeEqual(header, cfg.callbackToken));
}
