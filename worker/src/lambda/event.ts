import type { QueueMessage } from "../queue/index.js";

/**
 * The parts of an SQS event record the worker reads (the shape of `@types/aws-lambda`'s
 * `SQSRecord`, declared here so the engine does not depend on that package).
 */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount?: string; [name: string]: string | undefined };
  /** Message attributes as the event source passes them (`stringValue`). */
  messageAttributes?: Record<string, { stringValue?: string; dataType?: string } | undefined>;
  eventSourceARN?: string;
}

/** What the SQS event source hands the function: one batch of messages. */
export interface SqsEvent {
  Records: SqsRecord[];
}

/** The parts of the Lambda context the worker reads. */
export interface LambdaContext {
  /** Milliseconds left before the runtime stops the invocation. */
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/** Partial batch response: the records to leave on the queue; every other one is deleted. */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** An SQS event record as the queue message the engine settles (same id, receipt and receive count). */
export function messageOf(record: SqsRecord): QueueMessage {
  const count = Number.parseInt(record.attributes?.ApproximateReceiveCount ?? "", 10);
  const handedBack = Number.parseInt(record.messageAttributes?.LongbowHandedBack?.stringValue ?? "", 10);
  return {
    id: record.messageId,
    receipt: record.receiptHandle,
    body: record.body,
    receiveCount: Number.isSafeInteger(count) && count > 0 ? count : 1,
    handedBack: Number.isSafeInteger(handedBack) && handedBack > 0 ? handedBack : 0,
  };
}
