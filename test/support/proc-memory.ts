// Memory of local processes, read from /proc (Linux): the workerd processes a benchmark started (miniflare's
// children of this process) and their resident set size.
import { readdirSync, readFileSync } from "node:fs";

/** Every workerd process that is a child of this one. */
export function workerdPids(): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && comm.includes("workerd")) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** A process's resident set (VmRSS) or its peak (VmHWM), in kB; 0 when it is gone. */
export function rssKb(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
