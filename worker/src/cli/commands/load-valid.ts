import {
  formatProblem,
  hasErrors,
  type LoadedMigration,
  loadMigrations,
  type Migration,
} from "../../config/index.js";
import { UsageError } from "../usage-error.js";

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

/** Thrown for a `--migration` name that no file of the folder has: a usage error. */
export class UnknownMigrationError extends UsageError {
  override readonly name = "UnknownMigrationError";
}

/**
 * The migrations a command acts on: the one named by `--migration` (enabled or not), else
 * every enabled one. When that leaves nothing, a line on stderr says why and what to do
 * (all disabled, or no files at all) rather than going on to print an empty result.
 */
export function chooseMigrations(
  migrations: readonly Migration[],
  named: string | undefined,
  dir: string,
  command: string,
): Migration[] {
  if (named !== undefined) {
    const one = migrations.filter((m) => m.name === named);
    if (one.length === 0) {
      const known = migrations.map((m) => m.name).join(", ");
      throw new UnknownMigrationError(
        `no migration named '${named}' in ${dir}${known === "" ? "" : ` (it has: ${known})`}`,
      );
    }
    return one;
  }
  const enabled = migrations.filter((m) => m.enabled);
  if (enabled.length === 0) {
    const disabled = migrations.filter((m) => !m.enabled).map((m) => m.name);
    process.stderr.write(
      disabled.length === 0
        ? `longbow ${command}: no migration files (*.yaml) in ${dir}; add one (see migrations/README.md) or pass --dir\n`
        : `longbow ${command}: nothing to do: every migration in ${dir} is disabled (${disabled.join(", ")}); ` +
            `set 'enabled: true' in its file, or run one anyway with --migration ${disabled[0]}\n`,
    );
  }
  return enabled;
}

/** The file a loaded migration came from, named by the deletion limit's refusal. */
export const fileOf = (loaded: readonly LoadedMigration[], name: string): { file?: string } => {
  const file = loaded.find((l) => l.migration.name === name)?.file;
  return file === undefined ? {} : { file };
};
