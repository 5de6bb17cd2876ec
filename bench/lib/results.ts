import type { WanProxyStats } from "../wan/wan-proxy.js";
import type { ProcessCost } from "./measure.js";
import type { RequestCounts } from "./request-log.js";
import type { Verification } from "./verify.js";

/** One process of a run (`send`, `work`; or the only one), as the kernel counted it. */
export interface StepResult {
  name: string;
  cost: Omit<ProcessCost, "stdout" | "stderrTail">;
}

/** One client copying one data set once. */
export interface RunResult {
  /** The emulator condition: "stock" (moto as shipped) or "patched" (the bench's keep-alive and range reads). */
  condition: string;
  suite: string;
  /** "direct" (loopback) or "wan" (destination behind the WAN proxy). */
  path: string;
  round: number;
  tool: string;
  /** Whose row: rclone, longbow or original. */
  kind: "rclone" | "longbow" | "original";
  settings: string;
  /** Longbow's byte budget (MiB), for the peak-RSS target. */
  budgetMiB?: number;
  objects: number;
  bytes: number;
  /** The steps together: wall times and CPU added, the largest peak RSS. */
  cost: Omit<ProcessCost, "stdout" | "stderrTail">;
  steps: StepResult[];
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
export const clientCpuSeconds = (r: { cost: { userSeconds: number; systemSeconds: number } }) =>
  r.cost.userSeconds + r.cost.systemSeconds;
export const cpuSecondsPerGB = (r: RunResult) => clientCpuSeconds(r) / (r.bytes / 1e9);
export const cpuMsPerObject = (r: RunResult) => (clientCpuSeconds(r) * 1000) / Math.max(1, r.objects);
export const peakRssMiB = (r: RunResult) => r.cost.maxRssBytes / 1024 ** 2;

const sameRun = (a: RunResult, b: RunResult) =>
  a.condition === b.condition && a.suite === b.suite && a.path === b.path && a.round === b.round;

/** The rclone runs of the same condition, suite, path and round. */
export function rcloneRunsOf(results: RunResult[], r: RunResult): RunResult[] {
  return results.filter((x) => x.kind === "rclone" && sameRun(x, r));
}

/** The fastest rclone run of the same condition, suite, path and round: the yardstick of a row. */
export function rcloneBestOf(results: RunResult[], r: RunResult): RunResult | undefined {
  const ok = rcloneRunsOf(results, r).filter((x) => x.cost.exitCode === 0 && x.verification.identical);
  return ok.sort((a, b) => a.cost.wallSeconds - b.cost.wallSeconds)[0];
}

/** The original's run of the same condition, suite, path and round. */
export function originalOf(results: RunResult[], r: RunResult): RunResult | undefined {
  return results.find((x) => x.kind === "original" && sameRun(x, r));
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

/** The results as one Markdown table, each row with its throughput ratio to the best rclone. */
export function renderTable(results: RunResult[]): string {
  const head =
    "| emulator | suite | path | round | tool | wall s | MB/s | objects/s | client CPU s | CPU ms/object | CPU s/GB | peak RSS MiB | requests/object | × rclone best MB/s | verified | load before→after |";
  const rule = `|${head
    .split("|")
    .slice(1, -1)
    .map(() => "---")
    .join("|")}|`;
  const rows = results.map((r) => {
    const base = rcloneBestOf(results, r);
    const ratio = base ? mbPerSecond(r) / mbPerSecond(base) : Number.NaN;
    const verified =
      r.verification.identical && r.cost.exitCode === 0
        ? "yes"
        : `NO (${r.verification.problems.length} problems, exit ${r.cost.exitCode})`;
    const steps =
      r.steps.length > 1
        ? ` (${r.steps.map((s) => `${s.name} ${fixed(s.cost.wallSeconds, 1)} s`).join(" + ")})`
        : "";
    return `| ${r.condition} | ${r.suite} | ${r.path} | ${r.round} | ${r.tool} | ${fixed(r.cost.wallSeconds, 1)}${steps} | ${fixed(mbPerSecond(r), 1)} | ${fixed(r.objects / r.cost.wallSeconds, 1)} | ${fixed(clientCpuSeconds(r), 2)} | ${fixed(cpuMsPerObject(r), 2)} | ${fixed(cpuSecondsPerGB(r), 2)} | ${fixed(peakRssMiB(r), 0)} | ${fixed(r.requests.total / Math.max(1, r.objects), 2)} | ${fixed(ratio, 2)} | ${verified} | ${r.load[0].toFixed(1)}→${r.load[1].toFixed(1)} |`;
  });
  return [head, rule, ...rows].join("\n");
}

/** Where the machine's CPU went during each run, client and the rest. */
export function renderCpu(results: RunResult[]): string {
  return results
    .map((r) => {
      const client = clientCpuSeconds(r);
      const o = r.otherCpu;
      const rest = o
        ? `, emulator global ${fixed(o.emulatorGlobal, 1)} s, emulator china ${fixed(o.emulatorChina, 1)} s, bench process ${fixed(o.benchProcess, 1)} s${o.wanProxy === undefined ? "" : `, WAN proxy ${fixed(o.wanProxy, 1)} s`}`
        : "";
      return `- ${r.condition}/${r.suite}/${r.path}/${r.round} ${r.tool}: client ${fixed(client, 1)} s${rest}, in ${fixed(r.cost.wallSeconds, 1)} s wall`;
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
      return `- ${r.condition}/${r.suite}/${r.path}/${r.round} ${r.tool}: ${ops}${wan}`;
    })
    .join("\n");
}
