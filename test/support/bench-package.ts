// Benchmarks measure the send path, not the catalogue: their businesses get a package without limits
// (NULL = unlimited), set straight in D1 as an operator would through /internal/packages.
import type { LocalD1 } from "./local-worker";

export async function unlimitedPackage(db: LocalD1 | undefined, businessId: string): Promise<void> {
  if (!db) throw new Error("the benchmark's Worker has no D1");
  await db.prepare("INSERT OR IGNORE INTO packages (id, name, price_monthly, price_yearly, purchasable) VALUES ('bench_unlimited', 'Bench', 0, 0, 0)").run();
  await db.prepare("UPDATE businesses SET package = 'bench_unlimited' WHERE id = ?").bind(businessId).run();
}
