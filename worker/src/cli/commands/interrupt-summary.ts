import type { Report } from "../../report/index.js";
import { formatBytes } from "../../report/index.js";

/** Quotes one argument for a POSIX shell when it needs it, so the line can be pasted back. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The command line that started this process, as an operator would type it again. */
export function commandLine(args: readonly string[]): string {
  return ["longbow", ...args].map(shellQuote).join(" ");
}

/** What an interrupted `longbow migrate` tells the operator, once, instead of per-job lines. */
export interface InterruptSummaryInput {
  report: Report;
  /** Jobs that were being copied when the interruption came (they resume where they stopped). */
  stoppedInFlight: number;
  /** The exact command to run again. */
  command: string;
}

/**
 * The one summary an interruption prints: what is done, what was stopped mid-copy, what
 * the next run picks up, and the command that does it. No "failed" or "error": nothing did.
 */
export function renderInterruptSummary(i: InterruptSummaryInput): string {
  const sum = (f: (m: Report["migrations"][number]) => number) =>
    i.report.migrations.reduce((n, m) => n + f(m), 0);
  const objects = { done: sum((m) => m.objects.done), total: sum((m) => m.objects.total) };
  const bytes = { done: sum((m) => m.bytes.done), total: sum((m) => m.bytes.total) };
  const left = { objects: sum((m) => m.objects.pending), bytes: sum((m) => m.bytes.pending) };
  return [
    "longbow migrate: interrupted.",
    `  done:     ${objects.done} of ${objects.total} objects (${formatBytes(bytes.done)} of ${formatBytes(bytes.total)})`,
    `  stopped:  ${i.stoppedInFlight} object(s) mid-copy; their uploads keep the parts already sent`,
    `  resumes:  ${left.objects} object(s) (${formatBytes(left.bytes)}) on the next run; finished ones are not copied again`,
    "Run the same command again to resume:",
    `  ${i.command}`,
    "",
  ].join("\n");
}
