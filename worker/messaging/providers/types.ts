// What a provider answers for one send attempt.
export type SendOutcome =
  | { ok: true; providerMessageId: string }
  | { ok: false; retryable: boolean; reason: string };
