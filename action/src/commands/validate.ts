import * as core from "@actions/core";
import { hasErrors, loadMigrations, type Problem, sortProblems } from "../../../worker/src/config/index.js";
import { allowlistProblems } from "../allowlist.js";
import { annotateProblems } from "../output/annotations.js";
import { addProblemsTable, errorCount, writeSummary } from "../output/summary.js";
import { type CommandContext, migrationsDir, repoPath } from "./context.js";

/**
 * Validates every migration file: annotations at file:line:col, all problems in the job
 * summary, the step fails on any error. Needs no credentials, so it runs for forks too.
 */
export async function validate(ctx: CommandContext): Promise<void> {
  const { migrations, problems } = await loadMigrations(migrationsDir(ctx));
  const allowlist = ctx.inputs.bucketAllowlist;
  if (allowlist.length === 0) {
    core.warning("input bucket-allowlist is empty: every bucket is accepted; plan will refuse to run");
  }
  const all = sortProblems([
    ...problems,
    ...(allowlist.length === 0 ? [] : await allowlistProblems(migrations, allowlist)),
  ]).map((p): Problem => ({ ...p, file: repoPath(ctx, p.file) }));

  annotateProblems(all, core);
  const errors = errorCount(all);
  core.summary.addHeading("Longbow: validate", 2);
  if (all.length === 0) {
    core.summary.addRaw(`All ${migrations.length} migration file(s) are valid.`, true);
  } else {
    core.summary.addRaw(
      `${errors} error(s) and ${all.length - errors} warning(s) in the migration files.`,
      true,
    );
    addProblemsTable(core.summary, all);
  }
  await writeSummary(ctx.env);
  core.setOutput("problems", all.length);
  if (hasErrors(all))
    core.setFailed(`${errors} error(s) in migration files; see the annotations and the job summary`);
}
