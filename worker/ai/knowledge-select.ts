// Which knowledge entries the agent sees for a turn: FTS5 (BM25) over the customer's words, the best entries
// that fit the knowledge token budget. With no match, none (the agent then says it does not know).
import type { Db } from "../db/client";
import { type KnowledgeEntry, searchKnowledge } from "../db/knowledge";
import { fold } from "../auto-reply/match";
import { withinBudget } from "./tokens";

export const KNOWLEDGE_TOKEN_BUDGET = 1500;
const CANDIDATES = 30;
/** Short words ("di", "ya", "yg") match nearly everything and rank nothing. */
const MIN_WORD = 3;

/** An FTS5 query that ORs the message's words, each quoted (no FTS syntax from the customer reaches MATCH). */
export function ftsQuery(text: string): string | null {
  const words = [...new Set(fold(text).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= MIN_WORD))].slice(0, 20);
  return words.length ? words.map((w) => `"${w}"`).join(" OR ") : null;
}

export function entryText(e: Pick<KnowledgeEntry, "kind" | "title" | "body" | "price" | "link">): string {
  const price = e.price !== null ? ` — Rp${e.price.toLocaleString("id-ID")}` : "";
  const link = e.link ? ` (${e.link})` : "";
  return `[${e.kind}] ${e.title}${price}${link}\n${e.body}`.trim();
}

export async function selectKnowledge(db: Db, businessId: string, text: string, budget = KNOWLEDGE_TOKEN_BUDGET): Promise<KnowledgeEntry[]> {
  const q = ftsQuery(text);
  if (!q) return [];
  return withinBudget(await searchKnowledge(db, businessId, q, CANDIDATES), budget, entryText);
}
