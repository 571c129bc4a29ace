// Number health: one figure in [0, 1] from the last 7 days of the number's broadcast lane, which lowers the caps
// (pacer.ts healthFactor: ≥ 0.9 full, 0.7–0.9 half, < 0.7 broadcasts pause). Pure.
//   health = clamp(1 − 2·failed/sends − 10·opt_outs/sends − 20·blocks/sends, 0, 1)   when sends ≥ 20, else 1
// Weights: a failure is often the recipient's phone (2×); an opt-out is a customer saying "stop" (10×); a block /
// restriction is WhatsApp itself complaining (20×). Fewer than 20 sends say too little to judge.
export type HealthInputs = { sends: number; failed: number; opt_outs: number; blocks: number };

export const MIN_SENDS_FOR_HEALTH = 20;

export function healthOf(x: HealthInputs): number {
  if (x.sends < MIN_SENDS_FOR_HEALTH) return 1;
  const h = 1 - (2 * x.failed + 10 * x.opt_outs + 20 * x.blocks) / x.sends;
  return Math.round(Math.min(1, Math.max(0, h)) * 1000) / 1000;
}
