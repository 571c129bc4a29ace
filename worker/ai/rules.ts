// The agent's behaviour rules, pure: when it stays quiet, what it sees, how its answer is cut. The Durable
// Object (worker/durable/ai-conversation.ts) and the seed's dry run apply them; docs/ai.md explains them.
import { fold } from "../auto-reply/match";
import type { AiSettings } from "../db/ai-settings";
import { estimateTokens } from "./tokens";

/** A message older than this when its turn runs is backlog (a reconnect delivering the night's messages). */
export const BACKLOG_MAX_AGE_MS = 5 * 60_000;
/** AI replies in a row with no human in between, within LOOP_WINDOW_MS, before the agent hands off. */
export const MAX_CONSECUTIVE_BOT_REPLIES = 6;
export const LOOP_WINDOW_MS = 15 * 60_000;
export const HISTORY_TOKEN_BUDGET = 1200;
/** WhatsApp shows long messages badly; the agent's answer goes out in parts of at most this many characters. */
export const PART_CHARS = 1000;

export type HistoryMessage = { direction: "in" | "out"; source: string; text: string | null; at: number };

/** The customer asked for a person (`admin`, `CS`, `manusia`, `orang`… as whole words). */
export function asksForHuman(text: string, keywords: string[]): boolean {
  const words = new Set(fold(text).split(/[^\p{L}\p{N}]+/u));
  return keywords.some((k) => {
    const f = fold(k);
    return f.includes(" ") ? fold(text).includes(f) : words.has(f);
  });
}

/** Outside business hours (in the business's time zone) or always, as set. */
export function inAnsweringHours(s: Pick<AiSettings, "hoursMode" | "hoursStart" | "hoursEnd">, now: number, timeZone: string): boolean {
  if (s.hoursMode === "always") return true;
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(now));
  const minutes = Number(parts.find((p) => p.type === "hour")?.value ?? 0) * 60 + Number(parts.find((p) => p.type === "minute")?.value ?? 0);
  const open = s.hoursStart <= s.hoursEnd ? minutes >= s.hoursStart && minutes < s.hoursEnd : minutes >= s.hoursStart || minutes < s.hoursEnd;
  return !open;
}

/** AI replies at the end of the history (newest last) since the last human reply, within the loop window. */
export function consecutiveBotReplies(history: HistoryMessage[], now: number): number {
  let n = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i];
    if (!m || m.at < now - LOOP_WINDOW_MS) break;
    if (m.direction === "out" && m.source === "agent") break;
    if (m.direction === "out" && m.source === "ai") n++;
  }
  return n;
}

/** The newest messages (oldest first) that fit the history budget; media without text shows as a marker. */
export function boundHistory(history: HistoryMessage[], budget = HISTORY_TOKEN_BUDGET): HistoryMessage[] {
  const out: HistoryMessage[] = [];
  let used = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i];
    if (!m) continue;
    const cost = estimateTokens(m.text ?? "[media]");
    if (used + cost > budget) break;
    used += cost;
    out.unshift(m);
  }
  return out;
}

/** Splits an answer into parts of at most `max` characters, at paragraph, then sentence, then word ends. */
export function splitAnswer(text: string, max = PART_CHARS): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const cut = [window.lastIndexOf("\n\n"), window.lastIndexOf(". "), window.lastIndexOf(" ")].find((i) => i > max / 3) ?? max;
    parts.push(rest.slice(0, cut + (rest[cut] === "." ? 1 : 0)).trim());
    rest = rest.slice(cut + 1).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

export function systemPrompt(s: Pick<AiSettings, "persona" | "instructions">, businessName: string, knowledge: string[], canLookUpOrders: boolean): string {
  return [
    s.persona || `Kamu adalah asisten layanan pelanggan ${businessName} di WhatsApp. Jawab singkat, ramah, dalam bahasa pelanggan.`,
    s.instructions,
    "Jawab HANYA dari pengetahuan di bawah ini dan dari hasil alat. Jika jawabannya tidak ada, katakan bahwa kamu tidak tahu dan tawarkan untuk menghubungkan ke admin. Jangan mengarang harga, stok, atau status pesanan.",
    canLookUpOrders ? "Untuk pertanyaan tentang pesanan pelanggan (status, pembayaran, pengiriman), panggil alat lookup_orders dan jawab dari hasilnya saja." : "",
    "Jika pelanggan meminta manusia/admin, atau kamu tidak bisa membantu, panggil alat handoff_to_human.",
    knowledge.length ? `Pengetahuan:\n${knowledge.join("\n---\n")}` : "Pengetahuan: (tidak ada yang relevan)",
  ]
    .filter(Boolean)
    .join("\n\n");
}
