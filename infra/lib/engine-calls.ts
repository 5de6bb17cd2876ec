import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { LedgerTable } from "./ledger-table.js";

/**
 * The IAM actions each engine role's code sends, by the SDK commands it calls (grep
 * `worker/src` for `new …Command`). Grants are built from these lists only, so a role can do
 * exactly what its code does; a new command in the engine needs a line here.
 */
export const engineCalls = {
  /** `longbow work` (runner, Lambda handler): ledger `get` (GetItem), `finish` (TransactWrite of a Put and Updates), `noteError`, `resumeStore` (UpdateItem). */
  workerLedger: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
  /**
   * ReceiveMessage, DeleteMessage (and DeleteMessageBatch, authorized as it),
   * ChangeMessageVisibility (heartbeat, release), GetQueueAttributes (redrive policy, depth),
   * SendMessage (`putBack`: an interrupted job is sent again as a new message, uncounted).
   */
  workerQueue: [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:SendMessage",
  ],
  /** `deadLetter` sends to the DLQ it finds by GetQueueUrl; `depth` counts it. */
  workerDeadLetters: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
  /** `longbow send` (sync): ledger `enqueue` (BatchGetItem, TransactWrite of Puts and Updates, GetItem on conflict), `recordCompare` (UpdateItem). */
  sendLedger: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
  /** SendMessageBatch (authorized as sqs:SendMessage) and `depth` (GetQueueAttributes). */
  sendQueue: ["sqs:SendMessage", "sqs:GetQueueAttributes"],
  /** `abortOrphanUploads` after a compare: ListMultipartUploads and AbortMultipartUpload under destination prefixes. */
  sendUploadSweep: ["s3:ListBucketMultipartUploads", "s3:AbortMultipartUpload"],
  /** `depth` on the DLQ, found through the redrive policy by GetQueueUrl. */
  deadLetterDepth: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
  /** The plan's provenance lookup (`copiedFrom`: BatchGetItem), read only. */
  planLedger: ["dynamodb:BatchGetItem"],
  /** `longbow report`: `summary` and `migrations` are Queries on the table and its index. */
  reportLedger: ["dynamodb:Query"],
  /** `depth` of the job queue (its redrive policy names the DLQ). */
  reportQueue: ["sqs:GetQueueAttributes"],
} as const;

/** A statement granting `actions` on exactly the ledger table (and, with `index`, its one index). */
export function ledgerStatement(
  table: dynamodb.ITable,
  actions: readonly string[],
  index = false,
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...actions],
    resources: [table.tableArn, ...(index ? [`${table.tableArn}/index/${LedgerTable.indexName}`] : [])],
  });
}

/** A statement granting `actions` on exactly one queue. */
export function queueStatement(queue: sqs.IQueue, actions: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: [...actions], resources: [queue.queueArn] });
}
