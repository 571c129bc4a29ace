// One AI turn: the prompt (persona, knowledge chosen by BM25, bounded history), the tools (the customer's orders,
// handoff), the model call, and the usage count. Returns what to do; sending and conversation state are the
// caller's (the conversation's Durable Object, or nobody for the seed's dry run). Never throws for a model
// failure: that is an outcome (fallback + handoff), so nothing retries it into a loop.
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { assertWithinLimit, recordUsage } from "../billing/limits";
import type { AiSettings } from "../db/ai-settings";
import type { Business } from "../db/businesses";
import { database } from "../db/client";
import { ordersOfContact } from "../db/orders";
import { ApiError } from "../http/errors";
import { decryptSecret } from "../lib/crypto";
import { guardUrl } from "../lib/url-guard";
import { entryText, selectKnowledge } from "./knowledge-select";
import { callModel, failureKind } from "./model";
import { boundHistory, type HistoryMessage, splitAnswer, systemPrompt } from "./rules";

export type TurnInput = { env: Env; business: Business; settings: AiSettings; contactId: string | null; history: HistoryMessage[] };
export type TurnOutcome =
  | { kind: "answer"; parts: string[]; tokens: number }
  | { kind: "handoff"; reason: "tool" | "failure"; detail: string; parts: string[]; tokens: number }
  | { kind: "over_budget" };

const ORDERS_FOR_TOOL = 5;
/** Placeholder for endpoints without a key (a local model server); the SDK insists on one. */
const NO_KEY = "none";

const TOOLS: ChatCompletionTool[] = [
  {
    type: "function",
    function: { name: "lookup_orders", description: "The customer's latest orders from the CRM: status, payment, amount (rupiah), items, date.", parameters: { type: "object", properties: {} } },
  },
  {
    type: "function",
    function: {
      name: "handoff_to_human",
      description: "Hand the conversation to a human agent (the customer asks for one, or you cannot help).",
      parameters: { type: "object", properties: { reason: { type: "string" } } },
    },
  },
];

async function ordersJson(env: Env, businessId: string, contactId: string | null): Promise<string> {
  if (!contactId) return JSON.stringify({ orders: [] });
  const rows = await ordersOfContact(database(env.DB), businessId, contactId, ORDERS_FOR_TOOL);
  const orders = rows.map((o) => ({
    order_id: o.externalId,
    status: o.status,
    payment_status: o.paymentStatus,
    amount_rupiah: o.amount,
    items: o.items.map((i) => ({ name: i.name, qty: i.qty })),
    last_update: new Date(o.eventAt).toISOString(),
  }));
  return JSON.stringify({ orders });
}

export async function runTurn(input: TurnInput): Promise<TurnOutcome> {
  const { env, business, settings } = input;
  const db = database(env.DB);
  try {
    await assertWithinLimit(db, business, "ai_tokens_per_day", 0);
  } catch (e) {
    if (e instanceof ApiError && e.code === "PACKAGE_LIMIT") return { kind: "over_budget" };
    throw e;
  }
  const history = boundHistory(input.history);
  const customerText = history.filter((m) => m.direction === "in").slice(-3).map((m) => m.text ?? "").join(" ");
  const knowledge = (await selectKnowledge(db, business.id, customerText)).map(entryText);
  const messages: ChatCompletionMessageParam[] = [
    { role: "system", content: systemPrompt(settings, business.name, knowledge, input.contactId !== null) },
    ...history.map((m): ChatCompletionMessageParam => (m.direction === "in" ? { role: "user", content: m.text ?? "[media]" } : { role: "assistant", content: m.text ?? "[media]" })),
  ];
  let handoffReason = "";
  const fail = (detail: string, tokens = 0): TurnOutcome => ({ kind: "handoff", reason: "failure", detail, parts: [settings.fallbackText], tokens });
  const target = await guardUrl(env, "operator", settings.baseUrl);
  if (!target.ok) return fail(`base_url refused: ${target.reason}`);
  try {
    const apiKey = settings.apiKeyEnc ? await decryptSecret(env.SECRETS_KEY, settings.apiKeyEnc) : NO_KEY;
    const result = await callModel(
      { baseUrl: settings.baseUrl, apiKey, model: settings.model, temperature: settings.temperature, maxTokens: Math.ceil(settings.maxReplyChars / 2), timeoutMs: Number(env.AI_TIMEOUT_MS) || 20_000 },
      messages,
      TOOLS,
      {
        lookup_orders: () => ordersJson(env, business.id, input.contactId),
        handoff_to_human: async (args) => {
          handoffReason = typeof args.reason === "string" ? args.reason.slice(0, 200) : "requested by the model";
          return JSON.stringify({ ok: true });
        },
      },
    );
    await recordUsage(db, business, "ai_tokens_per_day", result.tokens);
    if (result.toolsCalled.includes("handoff_to_human")) return { kind: "handoff", reason: "tool", detail: handoffReason, parts: [], tokens: result.tokens };
    if (!result.text) return fail("empty answer", result.tokens);
    return { kind: "answer", parts: splitAnswer(result.text.slice(0, settings.maxReplyChars)), tokens: result.tokens };
  } catch (e) {
    console.warn(JSON.stringify({ level: "warn", msg: "AI model call failed; fallback and handoff", business_id: business.id, kind: failureKind(e), error: String(e).slice(0, 300) }));
    return fail(failureKind(e));
  }
}
