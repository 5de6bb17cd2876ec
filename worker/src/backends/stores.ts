import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type BandwidthShares, DynamoBandwidthShares } from "../bandwidth/index.js";
import { DynamoLedger, type Ledger, SqliteLedger } from "../ledger/index.js";
import { type Logger, silentLogger } from "../log/index.js";
import { type Queue, SqliteQueue, SqsQueue } from "../queue/index.js";
import type { Settings } from "../settings/index.js";

/** Where the queue and ledger live: SQLite files in a folder, or SQS + DynamoDB. */
export interface Backends {
  queue: Queue;
  ledger: Ledger;
  mode: "local" | "cluster";
  /** Where workers agree on their shares of a bandwidth limit; local mode has none (one process takes it all). */
  bandwidth?: BandwidthShares;
  close(): Promise<void>;
}

/** Files of local mode inside the state folder. */
export const stateFiles = (dir: string) => ({ queue: join(dir, "queue.db"), ledger: join(dir, "ledger.db") });

/** The cluster's ledger on a DynamoDB table. */
export function dynamoLedger(client: DynamoDBClient, tableName: string): DynamoLedger {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return new DynamoLedger({ client: doc, tableName });
}

/** The cluster's job queue. */
export function sqsQueue(client: SQSClient, queueUrl: string, logger: Logger = silentLogger): SqsQueue {
  return new SqsQueue({ client, queueUrl, logger });
}

/**
 * The cluster's queue (SQS) and ledger (DynamoDB). The clients default to the usual AWS
 * environment (region, endpoint, credentials); callers that hold their own pass them.
 */
export function clusterBackends(
  queueUrl: string,
  tableName: string,
  options: { logger?: Logger; sqs?: SQSClient; dynamo?: DynamoDBClient } = {},
): Backends & { queue: SqsQueue } {
  // adaptive: once a request is throttled, the client slows all of its requests (the SDK's
  // rate limiter), so a send's window of requests backs off as one
  const sqs = options.sqs ?? new SQSClient({ retryMode: "adaptive" });
  const dynamo = options.dynamo ?? new DynamoDBClient({ retryMode: "adaptive" });
  return {
    queue: sqsQueue(sqs, queueUrl, options.logger),
    ledger: dynamoLedger(dynamo, tableName),
    mode: "cluster",
    bandwidth: new DynamoBandwidthShares({
      client: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
      tableName,
    }),
    close: async () => {
      if (!options.sqs) sqs.destroy();
      if (!options.dynamo) dynamo.destroy();
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
