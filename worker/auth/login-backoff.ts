// Brute-force backoff for logins, keyed to (email, client address): the pair gets LOGIN_FREE_FAILURES tries,
// then each failure doubles its wait. Pure, so the schedule is tested without a clock.
export type BackoffConfig = { freeFailures: number; baseMs: number; maxMs: number };

export function backoffConfig(env: Pick<Env, "LOGIN_FREE_FAILURES" | "LOGIN_BACKOFF_BASE_SECONDS" | "LOGIN_BACKOFF_MAX_MINUTES">): BackoffConfig {
  return {
    freeFailures: Number(env.LOGIN_FREE_FAILURES),
    baseMs: Number(env.LOGIN_BACKOFF_BASE_SECONDS) * 1000,
    maxMs: Number(env.LOGIN_BACKOFF_MAX_MINUTES) * 60_000,
  };
}

/** How long the pair must wait after its `failures`-th failure (0 while free tries remain). */
export function backoffAfter(failures: number, cfg: BackoffConfig): number {
  const over = failures - cfg.freeFailures;
  if (over < 0) return 0;
  return Math.min(cfg.maxMs, cfg.baseMs * 2 ** Math.min(over, 30));
}

/** The throttle key: email and address together, hashed (no plain email or IP stored). */
export function throttleKey(email: string, clientAddress: string): string {
  return `${email.trim().toLowerCase()}\n${clientAddress}`;
}
