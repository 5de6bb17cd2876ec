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
 * Local mode when `--state` is given or no queue/table is known; cluster mode otherwise.
 * Queue and table default to LONGBOW_QUEUE_URL and LONGBOW_TABLE_NAME (the stack sets them).
 */
export function openBackends(
  flags: BackendFlags,
  env: NodeJS.ProcessEnv,
  settings: Settings,
  logger: Logger,
): Backends {
  const queueUrl = flags.queueUrl ?? env.LONGBOW_QUEUE_URL;
  const tableName = flags.tableName ?? env.LONGBOW_TABLE_NAME;
  if (flags.state === undefined && queueUrl && tableName) return clusterBackends(queueUrl, tableName, logger);
  if (flags.state === undefined && (queueUrl || tableName)) {
    throw new Error(
      "cluster mode needs both --queue-url and --table-name (or LONGBOW_QUEUE_URL and LONGBOW_TABLE_NAME)",
    );
  }
  return localBackends(flags.state ?? ".longbow", settings);
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
      createS3Client(sourceEndpoint(m), options),
      createS3Client(destinationEndpoint(m), options),
    ]);
    return {
      source,
      destination,
      sourceLabel: describeEndpoint(sourceEndpoint(m)),
      destinationLabel: describeEndpoint(destinationEndpoint(m)),
    };
  };
}

/** Parses a flag that must be a positive whole number. */
export function wholeFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive whole number, got '${raw}'`);
  return n;
}
