// Message variations: alternative texts and spintax (`{Halo|Hai|Selamat pagi} {name}`), chosen per recipient by
// hashing the broadcast id and the recipient, so the text a recipient gets never depends on when it is rendered
// (a resume renders the same text). Identical bodies sent back to back are what spam filters look for, so a
// recipient whose text would equal the previous recipient's takes the next salted choice instead.
// Pure: no I/O, no clock, no Math.random.

/** A parsed text: literal pieces, variables (`{name}`), and spintax groups whose options are parsed texts. */
export type Piece = { kind: "lit"; text: string } | { kind: "var"; name: string } | { kind: "spin"; options: Piece[][] };

export type ParseResult = { ok: true; pieces: Piece[] } | { ok: false; message: string };

const VAR_NAME = /^[A-Za-z0-9_]{1,64}$/;
const MAX_SALTS = 8;

/** 32-bit FNV-1a: small, stable across runtimes, good enough to spread choices. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Parses braces: `{a|b}` is spintax (nesting allowed), `{word}` a variable; unbalanced braces are an error. */
export function parseVariations(text: string): ParseResult {
  let i = 0;
  const parseSeq = (depth: number): Piece[] | string => {
    const out: Piece[] = [];
    let lit = "";
    const flush = () => {
      if (lit) out.push({ kind: "lit", text: lit });
      lit = "";
    };
    while (i < text.length) {
      const ch = text[i] ?? "";
      if (ch === "{") {
        flush();
        i++;
        const options: Piece[][] = [];
        for (;;) {
          const opt = parseSeq(depth + 1);
          if (typeof opt === "string") return opt;
          options.push(opt);
          const end = text[i];
          if (end === "|") {
            i++;
            continue;
          }
          if (end === "}") {
            i++;
            break;
          }
          return "unclosed {";
        }
        const only = options.length === 1 ? options[0] : undefined;
        const first = only?.[0];
        if (only && only.length === 1 && first?.kind === "lit" && VAR_NAME.test(first.text)) out.push({ kind: "var", name: first.text });
        else if (options.length > 1) out.push({ kind: "spin", options });
        else return "braces must hold a variable name or options separated by |";
        continue;
      }
      if ((ch === "|" || ch === "}") && depth > 0) break;
      if (ch === "}") return "unexpected }";
      lit += ch;
      i++;
    }
    flush();
    return out;
  };
  const pieces = parseSeq(0);
  return typeof pieces === "string" ? { ok: false, message: pieces } : { ok: true, pieces };
}

export function variablesOf(pieces: Piece[]): string[] {
  const out = new Set<string>();
  const walk = (ps: Piece[]) => {
    for (const p of ps) {
      if (p.kind === "var") out.add(p.name);
      else if (p.kind === "spin") for (const o of p.options) walk(o);
    }
  };
  walk(pieces);
  return [...out];
}

/** How many distinct bodies the pieces can yield (capped), ignoring variables. */
export function variantCount(alternatives: Piece[][], cap = 1_000_000): number {
  const count = (ps: Piece[]): number =>
    ps.reduce((n, p) => Math.min(cap, p.kind === "spin" ? n * p.options.reduce((s, o) => Math.min(cap, s + count(o)), 0) : n), 1);
  return Math.min(cap, alternatives.reduce((s, a) => s + count(a), 0));
}

export type Vars = (name: string) => string;

function renderPieces(ps: Piece[], seed: string, path: string, vars: Vars): string {
  let out = "";
  ps.forEach((p, k) => {
    if (p.kind === "lit") out += p.text;
    else if (p.kind === "var") out += vars(p.name);
    else {
      const idx = hash32(`${seed}:${path}.${k}`) % p.options.length;
      out += renderPieces(p.options[idx] ?? [], seed, `${path}.${k}.${idx}`, vars);
    }
  });
  return out;
}

/** Collapses the double spaces an empty variable leaves behind. */
function tidy(s: string): string {
  return s.replace(/[ \t]{2,}/g, " ").replace(/ +([,.!?])/g, "$1").trim();
}

/** The text for one recipient with one salt: the alternative and every spintax choice come from the hash. */
export function renderWithSalt(alternatives: Piece[][], broadcastId: string, recipientKey: string, salt: number, vars: Vars): string {
  const seed = `${broadcastId}:${recipientKey}:${salt}`;
  const alt = alternatives[hash32(`${seed}:alt`) % Math.max(1, alternatives.length)] ?? [];
  return tidy(renderPieces(alt, seed, "r", vars));
}

/**
 * The text for a recipient, given the text the previous recipient got: the first salted choice that differs from
 * it (the same one every time for the same inputs). When nothing can differ (one variant, same variables) the
 * text repeats; the API warns about such messages at create.
 */
export function pickText(alternatives: Piece[][], broadcastId: string, recipientKey: string, vars: Vars, previous: string | null): string {
  let text = renderWithSalt(alternatives, broadcastId, recipientKey, 0, vars);
  for (let salt = 1; salt < MAX_SALTS && text === previous; salt++) text = renderWithSalt(alternatives, broadcastId, recipientKey, salt, vars);
  return text;
}
