// CPU time of a local process, read from /proc (Linux): what a benchmark's target costs per operation. Unlike
// throughput and latency it hardly moves when other work shares the machine's cores.
import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";

const TICK_MS = 1000 / Number(execSync("getconf CLK_TCK", { encoding: "utf8" }).trim() || 100);

/** The process listening on a loopback URL's port (a miniflare Worker's workerd), or null. */
export function listenerPid(url: string): number | null {
  const port = new URL(url).port;
  const out = execSync(`ss -ltnpH "sport = :${port}"`, { encoding: "utf8" });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : null;
}

/** User + system CPU milliseconds the process has used so far (NaN when unknown). */
export function cpuMs(pid: number | null | undefined): number {
  if (pid === null || pid === undefined) return Number.NaN;
  // /proc/<pid>/stat: utime and stime are fields 14 and 15, counted after the parenthesised command name.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}
