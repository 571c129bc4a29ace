// Where every benchmark writes its figures: docs/benchmarks.md, one "## …" section per benchmark, replaced by the
// next run of the same benchmark (earlier runs stay in git's history), appended when it is new.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./local-worker";

/** Replaces (or appends) the section whose heading is `markdown`'s first line. */
export function recordSection(markdown: string): void {
  const file = path.join(ROOT, "docs/benchmarks.md");
  const heading = markdown.split("\n", 1)[0] ?? "";
  if (!heading.startsWith("## ")) throw new Error(`a benchmark section starts with "## ", not ${JSON.stringify(heading)}`);
  let doc = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = doc.indexOf(`${heading}\n`);
  if (start >= 0) {
    const next = doc.indexOf("\n## ", start + heading.length);
    doc = doc.slice(0, start) + markdown.trimEnd() + "\n" + (next >= 0 ? `\n${doc.slice(next + 1)}` : "");
  } else doc = `${doc.trimEnd()}\n\n${markdown.trimEnd()}\n`;
  writeFileSync(file, doc.endsWith("\n") ? doc : `${doc}\n`);
}
