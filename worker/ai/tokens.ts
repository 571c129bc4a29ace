// Token estimates for budgets (knowledge, history). No tokenizer in the Worker: ~4 characters per token is the
// usual rule of thumb for Latin-script text, and a budget only has to be roughly right.
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The longest prefix of `items` (in order) whose estimated tokens fit `budget`. */
export function withinBudget<T>(items: T[], budget: number, textOf: (item: T) => string): T[] {
  const out: T[] = [];
  let used = 0;
  for (const item of items) {
    const cost = estimateTokens(textOf(item));
    if (used + cost > budget) break;
    used += cost;
    out.push(item);
  }
  return out;
}
