import { formatProblem, hasErrors, type LoadedMigration, loadMigrations } from "../../config/index.js";

/**
 * Loads the migrations of `dir` for a command that acts on them: problems go to stderr, and
 * any error stops the command (undefined), since acting on half a set can do harm.
 */
export async function loadValidMigrations(
  dir: string,
  command: string,
): Promise<LoadedMigration[] | undefined> {
  const { migrations, problems } = await loadMigrations(dir);
  for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
  if (hasErrors(problems)) {
    process.stderr.write(`longbow ${command}: ${dir} has invalid migrations; run longbow validate ${dir}\n`);
    return undefined;
  }
  return migrations;
}
