// A streaming CSV parser over bytes (RFC 4180: quoted fields, "" escapes, CRLF or LF, newlines inside
// quotes; a UTF-8 BOM skipped; `,`, `;` or tab as delimiter). It works on bytes because the structural
// characters are ASCII and never occur inside a UTF-8 sequence, so each row carries the exact byte offset
// where it ends — the import's checkpoint. Memory is one row, whatever the file size.

export type CsvRow = { fields: string[]; /** Absolute byte offset just past this row. */ end: number };

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
export const MAX_ROW_BYTES = 64 * 1024;

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export class RowTooLong extends Error {}

export class CsvParser {
  private state = S.FieldStart;
  private parts: Uint8Array[] = [];
  private rowBytes = 0;
  private fields: string[] = [];
  private base: number;
  private readonly decoder = new TextDecoder();
  private started: boolean;

  constructor(
    private readonly delimiter: number,
    /** Offset of the first byte given (resuming mid-file). */
    offset = 0,
  ) {
    this.base = offset;
    this.started = offset > 0;
  }

  private seg(chunk: Uint8Array, from: number, to: number, copy: boolean): void {
    if (to <= from) return;
    this.rowBytes += to - from;
    if (this.rowBytes > MAX_ROW_BYTES) throw new RowTooLong(`a row is longer than ${MAX_ROW_BYTES} bytes (an unclosed quote?)`);
    this.parts.push(copy ? chunk.slice(from, to) : chunk.subarray(from, to));
  }

  private endField(): void {
    let text: string;
    if (this.parts.length === 1 && this.parts[0]) text = this.decoder.decode(this.parts[0]);
    else if (this.parts.length === 0) text = "";
    else {
      const all = new Uint8Array(this.parts.reduce((n, p) => n + p.byteLength, 0));
      let at = 0;
      for (const p of this.parts) {
        all.set(p, at);
        at += p.byteLength;
      }
      text = this.decoder.decode(all);
    }
    this.parts = [];
    this.fields.push(text);
  }

  private endRow(out: CsvRow[], end: number): void {
    const f = this.fields;
    this.fields = [];
    this.rowBytes = 0;
    // Blank lines (and the LF of a CRLF) are no rows.
    if (f.length === 1 && f[0] === "") return;
    out.push({ fields: f, end });
  }

  push(input: Uint8Array): CsvRow[] {
    let chunk = input;
    if (!this.started) {
      this.started = true;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        chunk = chunk.subarray(3);
        this.base += 3;
      }
    }
    const out: CsvRow[] = [];
    const d = this.delimiter;
    let segStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      switch (this.state) {
        case S.FieldStart:
          if (b === QUOTE) {
            this.state = S.Quoted;
            segStart = i + 1;
          } else if (b === d) this.endField();
          else if (b === LF || b === CR) {
            if (this.fields.length > 0) this.endField();
            else this.fields.push("");
            this.endRow(out, this.base + i + 1);
          } else {
            this.state = S.Unquoted;
            segStart = i;
          }
          break;
        case S.Unquoted:
          if (b === d || b === LF || b === CR) {
            this.seg(chunk, segStart, i, false);
            this.endField();
            this.state = S.FieldStart;
            if (b !== d) this.endRow(out, this.base + i + 1);
          }
          break;
        case S.Quoted:
          if (b === QUOTE) {
            this.seg(chunk, segStart, i, false);
            this.state = S.QuoteInQuoted;
          }
          break;
        case S.QuoteInQuoted:
          if (b === QUOTE) {
            // "" inside quotes: a literal quote; the segment restarts at this one.
            segStart = i;
            this.state = S.Quoted;
          } else if (b === d || b === LF || b === CR) {
            this.endField();
            this.state = S.FieldStart;
            if (b !== d) this.endRow(out, this.base + i + 1);
          } else {
            // Text after a closing quote: kept, as spreadsheets do.
            segStart = i;
            this.state = S.Unquoted;
          }
          break;
      }
    }
    if (this.state === S.Unquoted || this.state === S.Quoted) this.seg(chunk, segStart, chunk.length, true);
    // Parts referencing this chunk must outlive it.
    this.parts = this.parts.map((p) => (p.buffer === chunk.buffer ? p.slice() : p));
    this.base += chunk.length;
    return out;
  }

  /** The last row when the file does not end with a newline. */
  finish(): CsvRow[] {
    const out: CsvRow[] = [];
    if (this.state !== S.FieldStart || this.fields.length > 0) {
      this.endField();
      this.endRow(out, this.base);
    }
    this.state = S.FieldStart;
    return out;
  }
}

/** `,` unless the header line has more `;` or tabs (Excel in Indonesian locale writes `;`). */
export function detectDelimiter(firstBytes: Uint8Array): number {
  const line = new TextDecoder().decode(firstBytes.subarray(0, Math.min(firstBytes.length, 4096))).split(/\r?\n/)[0] ?? "";
  const count = (ch: string) => line.split(ch).length - 1;
  const best = [",", ";", "\t"].sort((a, b) => count(b) - count(a))[0] ?? ",";
  return best.charCodeAt(0);
}

/** One CSV line, quoted where needed; a leading =, +, - or @ is prefixed with ' so a spreadsheet never runs it. */
export function csvLine(values: (string | number | null)[]): string {
  return (
    values
      .map((v) => {
        if (v === null) return "";
        let s = String(v);
        if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
        return /[",\r\n;]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
      })
      .join(",") + "\r\n"
  );
}
