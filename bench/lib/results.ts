import type { WanProxyStats } from "../wan/wan-proxy.js";
import type { ProcessCost } from "./measure.js";
import type { RequestCounts } from "./request-log.js";
import type { Verification } from "./verify.js";

/** One client copying one data set once. */
export interface RunResult {
  suite: string;
  /** "direct" (loopback) or "wan" (destination behind the WAN proxy). */
  path: string;
  round: number;
  tool: string;
  settings: string;
  objects: number;
  bytes: number;
  cost: Omit<ProcessCost, "stdout" | "stderrTail">;
  /** The client's own summary line, if it printed one. */
  clientReport?: unknown;
  requests: RequestCounts;
  verification: Verification;
  wan?: WanProxyStats;
  /** 1-minute load average before and after the run. */
  load: [number, number];
  /**
   * CPU seconds other processes on the machine spent during the run: the two emulators, the
   * benchmark's own process, and the WAN proxy's (wan path). On a small machine they share
   * the cores with the client, so they explain wall times the client's own numbers do not.
   */
  otherCpu?: { emulatorGlobal: number; emulatorChina: number; benchProcess: number; wanProxy?: number };
}

export const mbPerSecond = (r: RunResult) => r.bytes / 1e6 / r.cost.wallSeconds;
export const cpuSecondsPerGB = (r: RunResult) =>
  (r.cost.userSeconds + r.cost.systemSeconds) / (r.bytes / 1e9);
export const peakRssMiB = (r: RunResult) => r.cost.maxRssBytes / 1024 ** 2;

/** The rclone run of the same suite, path and round: the yardstick of a row. */
export function rcloneOf(results: RunResult[], r: RunResult): RunResult | undefined {
  return results.find(
    (x) => x.tool === "rclone" && x.suite === r.suite && x.path === r.path && x.round === r.round,
  );
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

/** The results as one Markdown table, each row with its throughput ratio to rclone. */
export function renderTable(results: RunResult[]): string {
  const head =
    "| suite | path | round | tool | wall s | MB/s | objects/s | CPU s/GB | peak RSS MiB | requests/object | × rclone MB/s | verified | load before→after |";
  const rule = `|${head
    .split("|")
    .slice(1, -1)
    .map(() => "---")
    .join("|")}|`;
  const rows = results.map((r) => {
    const base = rcloneOf(results, r);
    const ratio = base ? mbPerSecond(r) / mbPerSecond(base) : Number.NaN;
    const verified =
      r.verification.identical && r.cost.exitCode === 0
        ? "yes"
        : `NO (${r.verification.problems.length} problems, exit ${r.cost.exitCode})`;
    return `| ${r.suite} | ${r.path} | ${r.round} | ${r.tool} | ${fixed(r.cost.wallSeconds, 1)} | ${fixed(mbPerSecond(r), 1)} | ${fixed(r.objects / r.cost.wallSeconds, 1)} | ${fixed(cpuSecondsPerGB(r), 2)} | ${fixed(peakRssMiB(r), 0)} | ${fixed(r.requests.total / Math.max(1, r.objects), 2)} | ${fixed(ratio, 2)} | ${verified} | ${r.load[0].toFixed(1)}→${r.load[1].toFixed(1)} |`;
  });
  return [head, rule, ...rows].join("\n");
}

/** Where the machine's CPU went during each run, client and the rest. */
export function renderCpu(results: RunResult[]): string {
  return results
    .map((r) => {
      const client = r.cost.userSeconds + r.cost.systemSeconds;
      const o = r.otherCpu;
      const rest = o
        ? `, emulator global ${fixed(o.emulatorGlobal, 1)} s, emulator china ${fixed(o.emulatorChina, 1)} s, bench process ${fixed(o.benchProcess, 1)} s${o.wanProxy === undefined ? "" : `, WAN proxy ${fixed(o.wanProxy, 1)} s`}`
        : "";
      return `- ${r.suite}/${r.path}/${r.round} ${r.tool}: client ${fixed(client, 1)} s${rest}, in ${fixed(r.cost.wallSeconds, 1)} s wall`;
    })
    .join("\n");
}

/** Requests by operation per run, for reading where round trips go. */
export function renderRequests(results: RunResult[]): string {
  return results
    .map((r) => {
      const ops = Object.entries(r.requests.byOperation)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => `${op} ${n}`)
        .join(", ");
      const wan = r.wan ? `; WAN connections ${r.wan.connections}, resets ${r.wan.resets}` : "";
      return `- ${r.suite}/${r.path}/${r.round} ${r.tool}: ${ops}${wan}`;
    })
    .join("\n");
}
