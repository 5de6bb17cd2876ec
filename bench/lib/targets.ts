import { defaultSettings } from "../../worker/src/settings/index.js";
import { cpuSecondsPerGB, mbPerSecond, peakRssMiB, type RunResult, rcloneOf } from "./results.js";

const MiB = 1024 * 1024;

function line(met: boolean, text: string): string {
  return `- [${met ? "met" : "MISSED"}] ${text}`;
}

function budgetMiB(r: RunResult, tuned: Record<string, string>): number {
  const fromTuned = r.tool === "longbow tuned" ? tuned.LONGBOW_BYTE_BUDGET_MB : undefined;
  return fromTuned === undefined ? defaultSettings.byteBudget / MiB : Number(fromTuned);
}

/**
 * The targets of issues 8 and 3, checked on the rows of the same run: throughput against
 * rclone over the WAN, the WAN penalty against Longbow's own direct time, CPU per GB
 * against rclone's, peak RSS against the byte budget, and RSS flat in object size.
 */
export function renderTargets(results: RunResult[], tuned: Record<string, string>): string {
  const out: string[] = ["Targets:"];
  const longbow = results.filter((r) => r.tool.startsWith("longbow"));
  for (const r of longbow) {
    const id = `${r.suite}/${r.path}/${r.round} ${r.tool}`;
    const base = rcloneOf(results, r);
    if (base && r.suite === "wan" && r.path === "wan" && r.tool === "longbow defaults") {
      const ratio = mbPerSecond(r) / mbPerSecond(base);
      out.push(
        line(
          ratio >= 1.5,
          `${id}: ${mbPerSecond(r).toFixed(1)} MB/s = ${ratio.toFixed(2)} × rclone's ${mbPerSecond(base).toFixed(1)} MB/s (≥ 1.5×)`,
        ),
      );
    }
    if (r.path === "wan") {
      const direct = results.find(
        (x) => x.tool === r.tool && x.suite === r.suite && x.round === r.round && x.path === "direct",
      );
      if (direct) {
        const penalty = r.cost.wallSeconds / direct.cost.wallSeconds;
        out.push(
          line(
            penalty <= 1.25,
            `${id}: WAN ${r.cost.wallSeconds.toFixed(1)} s = ${penalty.toFixed(2)} × its direct ${direct.cost.wallSeconds.toFixed(1)} s (≤ 1.25×)`,
          ),
        );
      }
    }
    if (base) {
      out.push(
        line(
          cpuSecondsPerGB(r) <= cpuSecondsPerGB(base),
          `${id}: CPU ${cpuSecondsPerGB(r).toFixed(2)} s/GB vs rclone's ${cpuSecondsPerGB(base).toFixed(2)} s/GB (≤ rclone)`,
        ),
      );
    }
    const limit = budgetMiB(r, tuned) + 150;
    out.push(
      line(
        peakRssMiB(r) <= limit,
        `${id}: peak RSS ${peakRssMiB(r).toFixed(0)} MiB (≤ budget + 150 = ${limit} MiB)`,
      ),
    );
  }
  const memory = longbow.filter((r) => r.suite.startsWith("memory"));
  if (memory.length >= 2) {
    const rss = memory.map(peakRssMiB);
    const spread = Math.max(...rss) / Math.min(...rss) - 1;
    out.push(
      line(
        spread <= 0.1,
        `memory: peak RSS ${memory.map((r) => `${r.suite.replace("memory ", "")} ${peakRssMiB(r).toFixed(0)} MiB`).join(", ")}: spread ${(spread * 100).toFixed(1)} % (≤ 10 %)`,
      ),
    );
  }
  return out.join("\n");
}
