import * as core from "@actions/core";
import type { Problem } from "../../../worker/src/config/index.js";
import { escapeHtml } from "../../../worker/src/markdown/index.js";

/** Escapes text for the HTML cells of a job summary table (the engine's one escaping module). */
export { escapeHtml };

/** Problems that are errors, not warnings. */
export function errorCount(problems: readonly Problem[]): number {
  return problems.filter((p) => (p.severity ?? "error") === "error").length;
}

/** Adds every problem as one table (annotations stop at 10; the summary never does). */
export function addProblemsTable(summary: typeof core.summary, problems: readonly Problem[]): void {
  summary.addTable([
    [
      { data: "Location", header: true },
      { data: "Field", header: true },
      { data: "Severity", header: true },
      { data: "Problem", header: true },
    ],
    ...problems.map((p) => [
      escapeHtml(`${p.file}:${p.line}:${p.col}`),
      p.path === "" ? "(file)" : `<code>${escapeHtml(p.path)}</code>`,
      p.severity ?? "error",
      escapeHtml(p.message),
    ]),
  ]);
}

/**
 * Writes the job summary when the runner provides one (`GITHUB_STEP_SUMMARY`); a local run
 * without it prints the text to the log instead of failing.
 */
export async function writeSummary(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.GITHUB_STEP_SUMMARY === undefined || env.GITHUB_STEP_SUMMARY === "") {
    core.info(core.summary.stringify());
    core.summary.emptyBuffer();
    return;
  }
  await core.summary.write();
}
