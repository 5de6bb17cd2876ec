import { existsSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { destinationEndpoint, type Migration, type Settings, sourceEndpoint } from "../../config/index.js";
import { DynamoLedger, type Ledger, SqliteLedger } from "../../ledger/index.js";
import type { Logger } from "../../log/index.js";
import { loadPublishedMigrations } from "../../publish/index.js";
import { type Queue, SqliteQueue, SqsQueue } from "../../queue/index.js";
import type { MigrationClients } from "../../runner/index.js";
import { createS3Client, describeEndpoint, s3ClientSettings } from "../../s3/index.js";
import { UsageError } from "../usage-error.js";
import { loadValidMigrations } from "./load-valid.js";

/** Where the queue and ledger live: SQLite files in a folder, or SQS + DynamoDB. */
export interface BackendFlags {
  /** Local mode: SQLite queue and ledger in this folder. */
  state?: string;
  queueUrl?: string;
  tableName?: string;
}

export interface Backends {
  queue: Queue;
  ledger: Ledger;
  mode: "local" | "cluster";
  close(): Promise<void>;
}

/** Files of local mode inside the state folder. */
export const stateFiles = (dir: string) => ({ queue: join(dir, "queue.db"), ledger: join(dir, "ledger.db") });

/** The default SQS/DynamoDB clients: region and endpoint from the usual AWS environment. */
export function clusterBackends(queueUrl: string, tableName: string, logger: Logger): Backends {
  const dynamo = new DynamoDBClient({});
  const sqs = new SQSClient({});
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  return {
    queue: new SqsQueue({ client: sqs, queueUrl, logger }),
    ledger: new DynamoLedger({ client: doc, tableName }),
    mode: "cluster",
    close: async () => {
      sqs.destroy();
      dynamo.destroy();
    },
  };
}

/**
 * The SQLite queue and ledger in `dir`. `receiveLimit`: deliveries after which the queue
 * dead-letters a message itself. `longbow migrate` passes none (Infinity): it counts
 * genuine failures in the ledger and never counts interruptions, so Ctrl-C or a kill can
 * be repeated any number of times. @defaultValue 24, the stack's redrive policy
 */
export function localBackends(
  dir: string,
  settings: Pick<Settings, "heartbeatSeconds">,
  receiveLimit = 24,
): Backends & { queue: SqliteQueue } {
  const files = stateFiles(dir);
  const queue = new SqliteQueue({
    path: files.queue,
    visibilitySeconds: settings.heartbeatSeconds * 3,
    maxReceiveCount: receiveLimit,
  });
  const ledger = new SqliteLedger({ path: files.ledger });
  return {
    queue,
    ledger,
    mode: "local",
    close: async () => {
      await queue.close();
      await ledger.close();
    },
  };
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
  if (queueUrl && tableName) return clusterBackends(queueUrl, tableName, logger);
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
  const ssm = new SSMClient({});
  return () => loadPublishedMigrations(ssm, path);
}

/** Builds a migration's two S3 clients, sized to the transfer pool of a runner; failed request attempts go to `logger` at debug. */
export function clientFactory(
  settings: Settings,
  logger?: Logger,
): (m: Migration) => Promise<MigrationClients> {
  const maxSockets = settings.filesInParallel * settings.partsInParallel;
  const options = { maxSockets, ...s3ClientSettings(settings), ...(logger === undefined ? {} : { logger }) };
  return async (m) => {
    const [source, destination] = await Promise.all([
      createS3Client(sourceEndpoint(m), { ...options, side: "source" }),
      createS3Client(destinationEndpoint(m), { ...options, side: "destination" }),
    ]);
    return {
      source,
      destination,
      sourceLabel: describeEndpoint(sourceEndpoint(m)),
      destinationLabel: describeEndpoint(destinationEndpoint(m)),
    };
  };
}

/**
 * The S3 clients of a command, one pair per migration, built on first use and destroyed
 * together when the command ends: an undestroyed client's sockets and timers can keep the
 * process alive after its answer is printed.
 */
export class ClientSet {
  private readonly built = new Map<string, Promise<MigrationClients>>();

  constructor(private readonly build: (m: Migration) => Promise<MigrationClients>) {}

  /** The clients of `m` (shared by every caller). */
  readonly get = (m: Migration): Promise<MigrationClients> => {
    let c = this.built.get(m.name);
    if (c === undefined) {
      c = this.build(m);
      this.built.set(m.name, c);
      // a failed build is forgotten: the next caller tries again
      c.catch(() => this.built.delete(m.name));
    }
    return c;
  };

  /** Destroys every client built so far. */
  async destroy(): Promise<void> {
    const all = await Promise.allSettled(this.built.values());
    this.built.clear();
    for (const r of all) {
      if (r.status !== "fulfilled") continue;
      r.value.source.destroy();
      r.value.destination.destroy();
    }
  }
}
