// The one place that talks to the model: any OpenAI-compatible endpoint through the official `openai` SDK, with
// retries OFF (a failed turn sends the fallback and hands off; retrying would answer late or twice) and a short
// timeout (the SDK's default is 10 minutes). Tool calls are run here in a bounded loop.
import OpenAI from "openai";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";

/** Model calls per turn at most (each tool round is one): a model that keeps calling tools is cut off. */
const MAX_ROUNDS = 3;

export type ModelConfig = { baseUrl: string; apiKey: string; model: string; temperature: number; maxTokens: number; timeoutMs: number };
export type ToolHandler = (args: Record<string, unknown>) => Promise<string>;
export type ModelResult = { text: string; tokens: number; toolsCalled: string[] };

/** Why a model call failed, in the words the logs and the conversation's bot_state_reason use. */
export function failureKind(err: unknown): string {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return "timeout";
  if (err instanceof OpenAI.APIConnectionError) return "connection";
  if (err instanceof OpenAI.APIError) return `http_${err.status ?? "error"}`;
  return "error";
}

function parseArgs(raw: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw || "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function callModel(cfg: ModelConfig, messages: ChatCompletionMessageParam[], tools: ChatCompletionTool[], handlers: Record<string, ToolHandler>): Promise<ModelResult> {
  const client = new OpenAI({ apiKey: cfg.apiKey, baseURL: cfg.baseUrl, maxRetries: 0, timeout: cfg.timeoutMs });
  const convo = [...messages];
  const toolsCalled: string[] = [];
  let tokens = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const res = await client.chat.completions.create({ model: cfg.model, messages: convo, temperature: cfg.temperature, max_tokens: cfg.maxTokens, ...(tools.length ? { tools } : {}) });
    tokens += res.usage?.total_tokens ?? 0;
    const msg = res.choices[0]?.message;
    if (!msg) throw new Error("model returned no choice");
    const calls = (msg.tool_calls ?? []).flatMap((c) => (c.type === "function" ? [c] : []));
    if (calls.length === 0) return { text: (msg.content ?? "").trim(), tokens, toolsCalled };
    convo.push({ role: "assistant", content: msg.content ?? null, tool_calls: calls });
    for (const call of calls) {
      toolsCalled.push(call.function.name);
      const handler = handlers[call.function.name];
      const out = handler ? await handler(parseArgs(call.function.arguments)) : JSON.stringify({ error: "unknown tool" });
      convo.push({ role: "tool", tool_call_id: call.id, content: out });
    }
    // A handoff ends the turn: nothing the model says after it goes out.
    if (toolsCalled.includes("handoff_to_human")) return { text: "", tokens, toolsCalled };
  }
  throw new Error("too many tool rounds");
}
