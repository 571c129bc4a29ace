#!/usr/bin/env node
// `npm test`: every suite (Worker tests in workerd, Node tests, browser tests), then one closing line
// "N passed, N failed" over all of them. Extra arguments are passed to vitest (e.g. a file filter).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const suites = [
  { name: "worker", config: "vitest.config.ts" },
  { name: "node", config: "vitest.node.config.ts" },
  { name: "browser", config: "vitest.browser.config.ts" },
].filter((s) => existsSync(join(root, s.config)));

const out = mkdtempSync(join(tmpdir(), "ping-test-"));
const args = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
let exit = 0;
for (const s of suites) {
  const report = join(out, `${s.name}.json`);
  const r = spawnSync(
    join(root, "node_modules", ".bin", "vitest"),
    ["run", "--config", s.config, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, "--passWithNoTests", ...args],
    { cwd: root, stdio: "inherit" },
  );
  if (r.status !== 0) exit = r.status ?? 1;
  if (existsSync(report)) {
    const j = JSON.parse(readFileSync(report, "utf8"));
    passed += j.numPassedTests;
    failed += j.numFailedTests;
    skipped += j.numPendingTests + (j.numTodoTests ?? 0);
  } else {
    failed += 1;
  }
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(exit || (failed > 0 ? 1 : 0));
