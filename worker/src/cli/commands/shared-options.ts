import { type Command, Option } from "commander";
import { defaultSettings } from "../../settings/index.js";
import { wholeNumber } from "../flags.js";

/**
 * Flags more than one command takes, declared once so they read and parse the same
 * everywhere.
 */

/** `--dir`: the folder of migration files a command reads. */
export const migrationsDirOption = new Option("--dir <dir>", "folder holding the migration files").default(
  "migrations",
);

export interface MigrationsDirFlags {
  dir: string;
}

/** `--queue-url`, `--table-name` and `--state`: where the queue and ledger are (see openBackends). */
export function backendOptions(cmd: Command, stateHelp: string): Command {
  return cmd
    .option("--queue-url <url>", "SQS queue (env LONGBOW_QUEUE_URL)")
    .option("--table-name <name>", "DynamoDB ledger table (env LONGBOW_TABLE_NAME)")
    .option("--state <dir>", stateHelp);
}

/** The local-mode help of `--state` for commands that write there. */
export const localStateHelp =
  "local mode: SQLite queue and ledger in this folder (instead of the queue and table)";

export interface CopyingFlags {
  filesInParallel?: number;
  partsInParallel?: number;
  maxAttempts?: number;
}

/** `--files-in-parallel`, `--parts-in-parallel` and `--max-attempts`: how a worker copies. */
export function copyingOptions(cmd: Command): Command {
  return cmd
    .option(
      "--files-in-parallel <n>",
      `objects copied at once (default: ${defaultSettings.filesInParallel}, env LONGBOW_FILES_IN_PARALLEL)`,
      wholeNumber({ max: 1000 }),
    )
    .option(
      "--parts-in-parallel <n>",
      `parts in flight per object (default: ${defaultSettings.partsInParallel}, env LONGBOW_PARTS_IN_PARALLEL)`,
      wholeNumber({ max: 1000 }),
    )
    .option(
      "--max-attempts <n>",
      `failed attempts per object before it is recorded failed; interruptions are not counted (default: ${defaultSettings.maxAttempts}, env LONGBOW_MAX_ATTEMPTS)`,
      wholeNumber(),
    );
}
