// The grace period as the operator sets it (`BILLING_GRACE_DAYS` in wrangler.toml vars). Read from the
// module-level env of cloudflare:workers, because the package check runs in many places (request middleware,
// the send path, inbound handling in Durable Objects, webhooks) that have no env parameter to thread through.
import { env } from "cloudflare:workers";
import { graceMs, packageState, type PackageState, parseGraceDays } from "./policy";

export function operatorGraceDays(): number {
  return parseGraceDays(env.BILLING_GRACE_DAYS);
}

/** packageState with the operator's grace period. */
export function currentPackageState(b: { package: string; activeUntil: number }, now: number): PackageState {
  return packageState(b, now, operatorGraceDays());
}

/** When sending stops for this business (PACKAGE_NOT_ACTIVE), with the operator's grace period. */
export function graceUntil(b: { package: string; activeUntil: number }): number {
  return b.activeUntil + graceMs(b.package, operatorGraceDays());
}
