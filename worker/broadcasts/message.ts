// A broadcast's message as stored on the row: alternative texts (each may hold spintax and variables) and the
// defaults of variables a contact lacks. Validated once at create/update so the engine never meets a bad text.
import { z } from "zod";
import { parseVariations, type Piece, variablesOf, variantCount, type Vars } from "./variations";

export const BroadcastMessage = z.strictObject({
  texts: z.array(z.string().trim().min(1).max(4096)).min(1).max(10),
  variable_defaults: z.record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/), z.string().max(200)).default({}),
});
export type BroadcastMessage = z.infer<typeof BroadcastMessage>;

export type Checked = { ok: true; alternatives: Piece[][]; variables: string[]; variants: number } | { ok: false; message: string; code: string };

/** The parsed alternatives, or the first text that does not parse. */
export function alternativesOf(m: BroadcastMessage): { ok: true; alternatives: Piece[][] } | { ok: false; message: string } {
  const alternatives: Piece[][] = [];
  for (const [i, t] of m.texts.entries()) {
    const p = parseVariations(t);
    if (!p.ok) return { ok: false, message: `text ${i + 1}: ${p.message}` };
    alternatives.push(p.pieces);
  }
  return { ok: true, alternatives };
}

/** Parses every alternative; variables must be `name`, a custom field key, or have a default. */
export function checkMessage(m: BroadcastMessage, fieldKeys: ReadonlySet<string>): Checked {
  const parsed = alternativesOf(m);
  if (!parsed.ok) return { ok: false, code: "BAD_SPINTAX", message: parsed.message };
  const alternatives = parsed.alternatives;
  const variables = [...new Set(alternatives.flatMap(variablesOf))];
  const unknown = variables.filter((v) => v !== "name" && !fieldKeys.has(v) && !Object.hasOwn(m.variable_defaults, v));
  if (unknown.length) return { ok: false, code: "UNKNOWN_VARIABLE", message: `unknown variable(s): ${unknown.map((v) => `{${v}}`).join(", ")}` };
  return { ok: true, alternatives, variables, variants: variantCount(alternatives) };
}

export type ContactVars = { name: string | null; customFields: Record<string, string | number> };

/** A contact's value of a variable, else the broadcast's default, else nothing. */
export function varsOf(c: ContactVars, defaults: Record<string, string>): Vars {
  return (name) => {
    const own = name === "name" ? c.name : Object.hasOwn(c.customFields, name) ? c.customFields[name] : undefined;
    if (own !== undefined && own !== null && String(own).trim() !== "") return String(own);
    return Object.hasOwn(defaults, name) ? (defaults[name] ?? "") : "";
  };
}
