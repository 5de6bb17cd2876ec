import { dynamoLedger, sqsQueue } from "../../worker/src/backends/index.js";
import type { DynamoLedger } from "../../worker/src/ledger/index.js";
import type { SqsQueue } from "../../worker/src/queue/index.js";
import type { ControlPlane } from "./aws.js";
import type { ActionInputs, CommandName } from "./inputs.js";
import { requireInput } from "./inputs.js";

/** The cluster's ledger table, from input `table-name`. */
export function ledgerFor(inputs: ActionInputs, aws: ControlPlane, command: CommandName): DynamoLedger {
  return dynamoLedger(aws.dynamo, requireInput(inputs.tableName, "table-name", command));
}

/** The cluster's job queue from input `queue-url`, or undefined when it was not given. */
export function queueFor(inputs: ActionInputs, aws: ControlPlane): SqsQueue | undefined {
  return inputs.queueUrl === undefined ? undefined : sqsQueue(aws.sqs, inputs.queueUrl);
}

/** The cluster's job queue from input `queue-url`, which `command` requires. */
export function requireQueue(inputs: ActionInputs, aws: ControlPlane, command: CommandName): SqsQueue {
  return sqsQueue(aws.sqs, requireInput(inputs.queueUrl, "queue-url", command));
}
