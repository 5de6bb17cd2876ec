import { formatProblem, hasErrors, loadMigrations } from "../../config/index.js";
import type { RegisterCommand } from "../commands.js";

/**
 * `longbow validate [dir]`: every problem of every migration file as
 * `file:line:col  path  message` on stdout; exit 1 when any is an error.
 */
export const registerValidate: RegisterCommand = (program) => {
  program
    .command("validate")
    .description("check every migration file (syntax, schema, names, buckets, regions, prefixes, patterns)")
    .argument("[dir]", "folder holding the migration files", "migrations")
    .action(async (dir: string) => {
      const { migrations, problems } = await loadMigrations(dir);
      for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
      const failed = hasErrors(problems);
      process.stderr.write(
        failed
          ? `longbow validate: ${problems.length} problem(s) in ${dir}\n`
          : `longbow validate: ${migrations.length} migration(s) valid in ${dir}\n`,
      );
      process.exitCode = failed ? 1 : 0;
    });
};
