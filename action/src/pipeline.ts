import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
// Narrow imports on purpose: the folders' index files also export the SQLite stores, whose
// native module must never be loaded (or bundled) by the Action.
import { DynamoLedger } from "../../worker/src/ledger/dynamo-ledger.js";
import { SqsQueue } from "../../worker/src/queue/sqs-queue.js";
import type { ControlPlane } from "./aws.js";
import type { ActionInputs, CommandName } from "./inputs.js";
import { requireInput } from "./inputs.js";

/** The cluster's ledger table, from input `table-name`. */
export function ledgerFor(inputs: ActionInputs, aws: ControlPlane, command: CommandName): DynamoLedger {
  const client = DynamoDBDocumentClient.from(aws.dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return new DynamoLedger({ client, tableName: requireInput(inputs.tableName, "table-name", command) });
}

/** The cluster's job queue from input `queue-url`, or undefined when it was not given. */
export function queueFor(inputs: ActionInputs, aws: ControlPlane): SqsQueue | undefined {
  return inputs.queueUrl === undefined
    ? undefined
    : new SqsQueue({ client: aws.sqs, queueUrl: inputs.queueUrl });
}

/** The cluster's job queue from input `queue-url`, which `command` requires. */
export function requireQueue(inputs: ActionInputs, aws: ControlPlane, command: CommandName): SqsQueue {
  return new SqsQueue({ client: aws.sqs, queueUrl: requireInput(inputs.queueUrl, "queue-url", command) });
}
