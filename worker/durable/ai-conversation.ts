// AiConversation: one per conversation (named by its id). Customer messages are noted here; the alarm turns a
// burst into ONE model call — it fires `debounce` after the last message, but never later than `max wait` after
// the first — so a restart loses nothing (the pending burst and its alarm are in storage). A message that arrives
// while a turn is generating bumps the generation: that turn's answer is dropped and a new turn is scheduled.
import { DurableObject } from "cloudflare:workers";
import { driveTurn, type TurnResult } from "../ai/conversation-turn";

export type NoteMessage = { businessId: string; conversationId: string; messageId: string; debounceMs: number; maxWaitMs: number };

type Pending = { business_id: string; conversation_id: string; message_id: string; first_at: number | null; generation: number; debounce_ms: number; max_wait_ms: number; taken_at: number | null };

export class AiConversation extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS pending (
      id INTEGER PRIMARY KEY CHECK (id = 1), business_id TEXT NOT NULL, conversation_id TEXT NOT NULL, message_id TEXT NOT NULL,
      first_at INTEGER, generation INTEGER NOT NULL, debounce_ms INTEGER NOT NULL, max_wait_ms INTEGER NOT NULL, taken_at INTEGER)`);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS outcomes (turn_id TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL)");
  }

  private pending(): Pending | null {
    return this.ctx.storage.sql.exec<Pending>("SELECT * FROM pending WHERE id = 1").toArray()[0] ?? null;
  }

  /** A customer message: (re)schedule the turn. */
  async note(m: NoteMessage): Promise<void> {
    const now = Date.now();
    this.ctx.storage.sql.exec(
      `INSERT INTO pending (id, business_id, conversation_id, message_id, first_at, generation, debounce_ms, max_wait_ms) VALUES (1, ?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET message_id = excluded.message_id, first_at = COALESCE(pending.first_at, excluded.first_at),
         generation = pending.generation + 1, debounce_ms = excluded.debounce_ms, max_wait_ms = excluded.max_wait_ms`,
      m.businessId,
      m.conversationId,
      m.messageId,
      now,
      m.debounceMs,
      m.maxWaitMs,
    );
    const p = this.pending();
    if (p?.first_at != null) await this.ctx.storage.setAlarm(Math.min(now + p.debounce_ms, p.first_at + p.max_wait_ms));
  }

  /**
   * Runs the pending turn now instead of at its alarm (the seed's callback asks synchronously: no debounce).
   * Returns the turn id, or null when nothing was pending.
   */
  async turnNow(): Promise<string | null> {
    const p = this.pending();
    if (!p || p.first_at === null) return null;
    await this.ctx.storage.deleteAlarm();
    await this.alarm();
    return `${p.conversation_id}:${p.message_id}`;
  }

  override async alarm(): Promise<void> {
    const p = this.pending();
    if (!p || p.first_at === null) return;
    // The burst is taken: messages from now on start a new one (and make this turn stale).
    // taken_at: the next turn's burst is what arrived after this one was taken.
    this.ctx.storage.sql.exec("UPDATE pending SET first_at = NULL, taken_at = ? WHERE id = 1", Date.now());
    const turnId = `${p.conversation_id}:${p.message_id}`;
    const result = await driveTurn(this.env, { businessId: p.business_id, conversationId: p.conversation_id, messageId: p.message_id, turnId, since: p.taken_at ?? 0 }, () => (this.pending()?.generation ?? p.generation) !== p.generation);
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO outcomes (turn_id, status, reason, at) VALUES (?, ?, ?, ?)", turnId, result.status, result.reason, Date.now());
    this.ctx.storage.sql.exec("DELETE FROM outcomes WHERE turn_id NOT IN (SELECT turn_id FROM outcomes ORDER BY at DESC LIMIT 20)");
    console.log(JSON.stringify({ level: "info", msg: "ai turn", turn_id: turnId, ...result }));
  }

  /** The latest turns' outcomes, newest first (the dashboard's "why was the bot quiet", and tests). */
  async outcomes(): Promise<(TurnResult & { turn_id: string; at: number })[]> {
    return this.ctx.storage.sql.exec<{ turn_id: string; status: TurnResult["status"]; reason: string; at: number }>("SELECT * FROM outcomes ORDER BY at DESC").toArray();
  }
}
