// Secrets that are optional (a deployment without online payments still runs; operators record manual payments).
// Not in wrangler.toml's `secrets.required`, so `wrangler types` does not declare them: declared here.
interface Env {
  /** Xendit secret API key (Basic auth for the Invoice and Refund APIs). */
  XENDIT_SECRET_KEY?: string;
  /** Xendit callback verification token, compared with every callback's x-callback-token. */
  XENDIT_CALLBACK_TOKEN?: string;
}
