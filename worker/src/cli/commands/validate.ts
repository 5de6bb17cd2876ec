import { formatProblem, loadMigrations } from "../../config/index.js";
import type { RegisterCommand } from "../commands.js";
import { withExitCodes } from "../exit-codes.js";

/**
 * `longbow validate [dir]`: every problem of every migration file as
 * `file:line:col  path  message` on stdout; exit 1 when any is an error. The summary on
 * stderr counts warnings too, and says so when the folder holds no migration file at all.
 */
export const registerValidate: RegisterCommand = (program) => {
  const cmd = program
    .command("validate")
    .description(
      "check every migration file (encoding, size, syntax, schema, names, buckets, regions, endpoints, prefixes, patterns)",
    )
    .argument("[dir]", "folder holding the migration files", "migrations")
    .action(async (dir: string) => {
      const { migrations, problems } = await loadMigrations(dir);
      for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
      const errors = problems.filter((p) => (p.severity ?? "error") === "error").length;
      const warnings = problems.length - errors;
      const andWarnings = warnings > 0 ? `, ${warnings} warning(s)` : "";
      let summary: string;
      if (errors > 0) summary = `${errors} error(s)${andWarnings} in ${dir}`;
      else if (migrations.length === 0)
        summary = `warning: no migration files (*.yaml, *.yml) in ${dir}${andWarnings}`;
      else summary = `${migrations.length} migration(s) valid in ${dir}${andWarnings}`;
      process.stderr.write(`longbow validate: ${summary}\n`);
      process.exitCode = errors > 0 ? 1 : 0;
    });
  withExitCodes(cmd, "validate");
};
