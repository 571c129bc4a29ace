// The one mailer. Every email Ping sends (password reset, email verification, later invoices and offline chat
// replies) goes through sendMail(), which calls ONE provider's HTTP API over fetch: Resend (POST /emails,
// Bearer key; docs/decisions.md says why). Without RESEND_API_KEY (local `npm start`) the mail is written to the
// log as one `mail.outbox` line instead, where the developer running the Worker sees it first.
import { z } from "zod";

export type Mail = { to: string; subject: string; text: string; html?: string };
export type SentMail = { id: string; via: "resend" | "outbox" };

/** RESEND_API_KEY is an optional secret (not in the generated Env, which lists required ones only). */
type MailEnv = Pick<Env, "MAIL_API_URL" | "MAIL_FROM"> & { RESEND_API_KEY?: string };

export class MailError extends Error {}

const ResendAnswer = z.object({ id: z.string().min(1) });
const TIMEOUT_MS = 10_000;

export async function sendMail(env: MailEnv, mail: Mail): Promise<SentMail> {
  const key = env.RESEND_API_KEY;
  if (!key) {
    const id = `outbox_${crypto.randomUUID()}`;
    console.log(JSON.stringify({ level: "info", msg: "mail.outbox", id, from: env.MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text }));
    return { id, via: "outbox" };
  }
  const res = await fetch(`${env.MAIL_API_URL.replace(/\/+$/, "")}/emails`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ from: env.MAIL_FROM, to: [mail.to], subject: mail.subject, text: mail.text, ...(mail.html ? { html: mail.html } : {}) }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = z.object({ message: z.string() }).safeParse(body);
    throw new MailError(`mail provider answered ${res.status}${message.success ? `: ${message.data.message}` : ""}`);
  }
  const parsed = ResendAnswer.safeParse(body);
  if (!parsed.success) throw new MailError("mail provider answered without an email id");
  return { id: parsed.data.id, via: "resend" };
}
