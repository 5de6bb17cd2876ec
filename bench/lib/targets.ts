import {
  clientCpuSeconds,
  cpuMsPerObject,
  mbPerSecond,
  originalOf,
  peakRssMiB,
  type RunResult,
  rcloneBestOf,
  rcloneRunsOf,
} from "./results.js";

/** One target checked on one row of a run. */
export interface TargetCheck {
  condition: string;
  /** e.g. "direct wall ≤ 1.0× rclone's best". */
  target: string;
  /** `suite/path/round tool` */
  row: string;
  /** The numbers, e.g. "9.8 s = 0.93 × rclone 32x8's 10.5 s". */
  value: string;
  met: boolean;
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const isSmall = (r: RunResult) => r.suite.includes("small");

/**
 * The targets of issue 18 (and the memory check of issue 3), each checked on the rows of
 * the same run and emulator condition: against the fastest rclone setting of the same
 * suite, path and round, and against the original where it ran.
 */
export function checkTargets(results: RunResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const add = (r: RunResult, target: string, met: boolean, value: string) =>
    out.push({
      condition: r.condition,
      target,
      row: `${r.suite}/${r.path}/${r.round} ${r.tool}`,
      value,
      met,
    });
  for (const r of results.filter((x) => x.kind === "longbow")) {
    const best = rcloneBestOf(results, r);
    if (best && r.path === "direct" && !isSmall(r)) {
      const wall = r.cost.wallSeconds / best.cost.wallSeconds;
      add(
        r,
        "direct wall ≤ 1.0× rclone's best",
        wall <= 1,
        `${f1(r.cost.wallSeconds)} s = ${f2(wall)} × ${best.tool}'s ${f1(best.cost.wallSeconds)} s`,
      );
      const cpu = clientCpuSeconds(r) / clientCpuSeconds(best);
      const least = Math.min(...rcloneRunsOf(results, r).map(clientCpuSeconds));
      add(
        r,
        "direct client CPU ≤ 1.0× rclone's",
        cpu <= 1,
        `${f2(clientCpuSeconds(r))} s = ${f2(cpu)} × ${best.tool}'s ${f2(clientCpuSeconds(best))} s (least of the rclone runs: ${f2(least)} s)`,
      );
    }
    if (best && r.path === "wan") {
      const ratio = mbPerSecond(r) / mbPerSecond(best);
      add(
        r,
        "WAN ≥ 1.5× rclone's best",
        ratio >= 1.5,
        `${f1(mbPerSecond(r))} MB/s = ${f2(ratio)} × ${best.tool}'s ${f1(mbPerSecond(best))} MB/s`,
      );
      const original = originalOf(results, r);
      if (original) {
        const vsOriginal = mbPerSecond(r) / mbPerSecond(original);
        add(
          r,
          "WAN ≥ 3× the original",
          vsOriginal >= 3,
          `${f1(mbPerSecond(r))} MB/s = ${f2(vsOriginal)} × the original's ${f1(mbPerSecond(original))} MB/s`,
        );
      }
    }
    if (r.budgetMiB !== undefined) {
      const limit = r.budgetMiB + 150;
      add(
        r,
        "peak RSS ≤ budget + 150 MiB",
        peakRssMiB(r) <= limit,
        `${peakRssMiB(r).toFixed(0)} MiB (limit ${limit} MiB)`,
      );
    }
    if (isSmall(r)) {
      add(
        r,
        "small objects: client CPU ≤ 1 ms per object",
        cpuMsPerObject(r) <= 1,
        `${f2(cpuMsPerObject(r))} ms (${f2(clientCpuSeconds(r))} s for ${r.objects} objects)`,
      );
      if (best) {
        add(
          r,
          "small objects: wall ≤ rclone's best",
          r.cost.wallSeconds <= best.cost.wallSeconds,
          `${f1(r.cost.wallSeconds)} s vs ${best.tool}'s ${f1(best.cost.wallSeconds)} s`,
        );
      }
    }
    const send = r.steps.find((s) => s.name === "send");
    if (send) {
      const ms = (clientCpuSeconds(send) * 1000) / Math.max(1, r.objects);
      const rate = r.objects / send.cost.wallSeconds;
      add(
        r,
        "send: client CPU ≤ 0.2 ms per object and ≥ 2,000 objects/s (against moto)",
        ms <= 0.2 && rate >= 2000,
        `${f2(ms)} ms per object, ${rate.toFixed(0)} objects/s (${f1(send.cost.wallSeconds)} s, ${f2(clientCpuSeconds(send))} CPU-s)`,
      );
    }
  }
  const memory = results.filter((r) => r.kind === "longbow" && r.suite.startsWith("memory"));
  for (const condition of new Set(memory.map((r) => r.condition))) {
    const rows = memory.filter((r) => r.condition === condition);
    if (rows.length < 2) continue;
    const rss = rows.map(peakRssMiB);
    const spread = Math.max(...rss) / Math.min(...rss) - 1;
    out.push({
      condition,
      target: "memory: peak RSS flat in object size (≤ 10 % spread)",
      row: "memory",
      value: `${rows.map((r) => `${r.suite.replace("memory ", "")} ${peakRssMiB(r).toFixed(0)} MiB`).join(", ")}: ${(spread * 100).toFixed(1)} %`,
      met: spread <= 0.1,
    });
  }
  return out;
}

/** The checks as one Markdown table. */
export function renderTargets(results: RunResult[]): string {
  const checks = checkTargets(results);
  const rows = checks.map(
    (c) => `| ${c.condition} | ${c.target} | ${c.row} | ${c.value} | ${c.met ? "met" : "**not met**"} |`,
  );
  return ["| emulator | target | row | numbers | status |", "|---|---|---|---|---|", ...rows].join("\n");
}
