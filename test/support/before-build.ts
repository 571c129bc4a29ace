// A benchmark's "before": the Worker of another revision, bundled from a plain export of it (no worktree) with
// this checkout's packages, its generated client bundles built first (worker/generated is not checked in).
import { execFileSync, execSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { bundle, ROOT } from "./local-worker";

export function beforeBuild(rev: string): { scriptPath: string; commit: string } {
  const commit = execSync(`git rev-parse --short ${rev}`, { cwd: ROOT, encoding: "utf8" }).trim();
  const dir = path.join(ROOT, "node_modules/.cache", `ping-before-${commit}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execSync(`git archive ${commit} | tar -x -C ${JSON.stringify(dir)}`, { cwd: ROOT });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  const build = path.join(dir, "scripts/build-client.mjs");
  if (existsSync(build)) execFileSync(process.execPath, [build], { cwd: dir, stdio: "ignore" });
  return { scriptPath: bundle(undefined, dir), commit };
}
