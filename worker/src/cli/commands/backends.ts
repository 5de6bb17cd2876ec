import { existsSync } from "node:fs";
import {
  type Backends,
  clusterBackends,
  localBackends,
  publishedMigrations,
  stateFiles,
} from "../../backends/index.js";
import type { Migration } from "../../config/index.js";
import type { Logger } from "../../log/index.js";
import type { Settings } from "../../settings/index.js";
import { UsageError } from "../usage-error.js";
import { loadValidMigrations } from "./load-valid.js";

/** Where the queue and ledger live, as the command line says: `--state`, or a queue and a table. */
export interface BackendFlags {
  /** Local mode: SQLite queue and ledger in this folder. */
  state?: string;
  queueUrl?: string;
  tableName?: string;
}

/**
 * Cluster mode with a queue and a table (flags, else LONGBOW_QUEUE_URL and
 * LONGBOW_TABLE_NAME, which the stack sets); local mode only when `--state` says so. Never
 * a silent fall back to local mode: a worker or a send that quietly used a fresh SQLite
 * file would look like it worked while the fleet's queue stayed empty.
 * @throws UsageError when neither a queue and table nor `--state` are given
 */
export function openBackends(
  flags: BackendFlags,
  env: NodeJS.ProcessEnv,
  settings: Settings,
  logger: Logger,
): Backends {
  if (flags.state !== undefined) {
    if (flags.queueUrl !== undefined || flags.tableName !== undefined)
      throw new UsageError(
        "--state (local mode) and --queue-url/--table-name (cluster mode) exclude each other",
      );
    return localBackends(flags.state, settings);
  }
  const queueUrl = flags.queueUrl ?? env.LONGBOW_QUEUE_URL;
  const tableName = flags.tableName ?? env.LONGBOW_TABLE_NAME;
  if (queueUrl && tableName) return clusterBackends(queueUrl, tableName, { logger });
  throw new UsageError(missingBackendMessage(queueUrl, tableName));
}

/** Names what is missing, where it can come from, and the local-mode alternative. */
function missingBackendMessage(queueUrl: string | undefined, tableName: string | undefined): string {
  const missing = [
    ...(queueUrl ? [] : ["--queue-url (or LONGBOW_QUEUE_URL)"]),
    ...(tableName ? [] : ["--table-name (or LONGBOW_TABLE_NAME)"]),
  ];
  return (
    `no queue and ledger to use: missing ${missing.join(" and ")}. ` +
    "Give both for the cluster's SQS queue and DynamoDB table, or --state <dir> for local mode (SQLite files in <dir>)"
  );
}

/** `longbow report` found no local state where it looked; nothing was created. */
export class NoLocalStateError extends Error {
  override readonly name = "NoLocalStateError";
  constructor(readonly dir: string) {
    super(
      `no local state in ${dir} (no queue.db and ledger.db); run longbow migrate or longbow send --state ${dir} first, ` +
        "or give --queue-url and --table-name for the cluster",
    );
  }
}

/**
 * The backends of a command that only reads (`longbow report`): cluster mode as
 * {@link openBackends}; otherwise the local state in `--state` (default `.longbow`), which
 * must already exist: reading never creates a queue or a ledger.
 * @throws NoLocalStateError when the folder has no state files
 */
export function openBackendsToRead(
  flags: BackendFlags,
  env: NodeJS.ProcessEnv,
  settings: Settings,
  logger: Logger,
): Backends {
  const queueUrl = flags.queueUrl ?? env.LONGBOW_QUEUE_URL;
  const tableName = flags.tableName ?? env.LONGBOW_TABLE_NAME;
  if (flags.state === undefined && (queueUrl || tableName)) return openBackends(flags, env, settings, logger);
  const dir = flags.state ?? ".longbow";
  const files = stateFiles(dir);
  if (!existsSync(files.ledger) || !existsSync(files.queue)) throw new NoLocalStateError(dir);
  return openBackends({ ...flags, state: dir }, env, settings, logger);
}

/**
 * The migrations a worker serves: the files of `dir`, or the set published in SSM under
 * `path` (re-read by the runner from time to time).
 */
export async function migrationSource(
  dir: string | undefined,
  path: string,
): Promise<() => Promise<readonly Migration[]>> {
  if (dir !== undefined) {
    const loaded = await loadValidMigrations(dir, "work");
    if (loaded === undefined) throw new Error(`${dir} has invalid migrations`);
    const list = loaded.map((l) => l.migration);
    return async () => list;
  }
  return publishedMigrations(path);
}
