import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Job } from "../job/index.js";
import { type Logger, silentLogger } from "../log/index.js";
import { immediately, type Schedule } from "../schedule.js";
import { sleep } from "../sleep.js";
import { DeleteBatcher } from "./delete-batcher.js";
import { QueueError } from "./errors.js";
import type { Queue, QueueDepth, QueueMessage, ReceiveOptions } from "./queue.js";

export interface SqsQueueOptions {
  client: SQSClient;
  queueUrl: string;
  /**
   * Where {@link SqsQueue.deadLetter} moves a message and {@link SqsQueue.depth} counts dead
   * ones. @defaultValue the queue's RedrivePolicy target, looked up once
   */
  deadLetterQueueUrl?: string;
  /** Rounds of SendMessageBatch for entries SQS reported as failed. @defaultValue 5 */
  maxSendAttempts?: number;
  /** How long a delete waits for others to share one DeleteMessageBatch. @defaultValue 20 */
  deleteBatchWindowMs?: number;
  /** @defaultValue silentLogger */
  logger?: Logger;
}

/** Deliveries a job handed back with putBack had before (SQS counts the new message from 1). */
const handedBackAttribute = "LongbowHandedBack";

/** SQS takes at most 10 entries per SendMessageBatch. */
const batchSize = 10;

const toInt = (v: string | undefined) => Number.parseInt(v ?? "0", 10) || 0;

/**
 * The cluster's queue: SQS with long polling, a heartbeat through ChangeMessageVisibility,
 * and dead-lettering by SQS's own redrive policy (maxReceiveCount); a job that can never
 * succeed is moved to the dead-letter queue at once instead of waiting out its receives.
 */
export class SqsQueue implements Queue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly maxSendAttempts: number;
  private readonly logger: Logger;
  private dlqUrl: Promise<string | undefined> | undefined;
  private readonly deletes: DeleteBatcher;

  constructor(options: SqsQueueOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.maxSendAttempts = options.maxSendAttempts ?? 5;
    this.logger = options.logger ?? silentLogger;
    if (!Number.isInteger(this.maxSendAttempts) || this.maxSendAttempts < 1) {
      throw new QueueError(
        "InvalidOption",
        `maxSendAttempts must be a whole number >= 1, got ${this.maxSendAttempts}`,
      );
    }
    if (options.deadLetterQueueUrl !== undefined) this.dlqUrl = Promise.resolve(options.deadLetterQueueUrl);
    this.deletes = new DeleteBatcher(this.client, this.queueUrl, options.deleteBatchWindowMs ?? 20);
  }

  /**
   * Sends the jobs ten to a SendMessageBatch, the batches at once as far as `schedule`'s
   * window lets them (one after the other without a window would cost a round trip per ten
   * jobs). Throws once every batch has settled if any job could not be sent.
   */
  async send(jobs: readonly Job[], signal?: AbortSignal, schedule: Schedule = immediately): Promise<void> {
    const batches: SendMessageBatchRequestEntry[][] = [];
    for (let i = 0; i < jobs.length; i += batchSize) {
      batches.push(
        jobs.slice(i, i + batchSize).map((job, n) => ({ Id: String(n), MessageBody: JSON.stringify(job) })),
      );
    }
    const settled = await Promise.allSettled(batches.map((b) => this.sendBatch(b, signal, schedule)));
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** Sends one batch, resending only the entries SQS reports as failed, with backoff. */
  private async sendBatch(
    entries: SendMessageBatchRequestEntry[],
    signal: AbortSignal | undefined,
    schedule: Schedule,
  ): Promise<void> {
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      const out = await schedule(() =>
        this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }), {
          abortSignal: signal,
        }),
      );
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      if (failed.size === 0) return;
      const reasons = (out.Failed ?? []).map(
        (f) => `${f.Code ?? "?"}${f.SenderFault ? " (sender fault)" : ""}`,
      );
      if (attempt >= this.maxSendAttempts || (out.Failed ?? []).every((f) => f.SenderFault)) {
        throw new QueueError("SendFailed", `${failed.size} message(s) not sent: ${reasons.join(", ")}`, {
          context: { queueUrl: this.queueUrl },
          retryable: true,
        });
      }
      this.logger.warn({ failed: failed.size, attempt, reasons }, "resending failed batch entries");
      pending = pending.filter((e) => failed.has(e.Id));
      await sleep(Math.random() * 100 * 2 ** attempt, signal);
    }
  }

  async receive(options: ReceiveOptions = {}): Promise<QueueMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: options.max ?? 10,
        WaitTimeSeconds: options.waitSeconds ?? 20,
        VisibilityTimeout: options.visibilitySeconds,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        MessageAttributeNames: [handedBackAttribute],
      }),
      { abortSignal: options.signal },
    );
    return (out.Messages ?? []).flatMap((m) =>
      m.MessageId && m.ReceiptHandle && m.Body !== undefined
        ? [
            {
              id: m.MessageId,
              receipt: m.ReceiptHandle,
              body: m.Body,
              receiveCount: toInt(m.Attributes?.ApproximateReceiveCount) || 1,
              handedBack: toInt(m.MessageAttributes?.[handedBackAttribute]?.StringValue),
            },
          ]
        : [],
    );
  }

  /** Batched with other deletes of the next few milliseconds (see DeleteBatcher). */
  async delete(message: QueueMessage, signal?: AbortSignal): Promise<void> {
    if (signal !== undefined) {
      // a caller that may cut the request sends its own
      await this.client.send(
        new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.receipt }),
        {
          abortSignal: signal,
        },
      );
      return;
    }
    await this.deletes.delete(message.receipt);
  }

  async extend(message: QueueMessage, seconds: number, signal?: AbortSignal): Promise<void> {
    await this.setVisibility(message, seconds, signal);
  }

  async release(message: QueueMessage, delaySeconds = 0, signal?: AbortSignal): Promise<void> {
    await this.setVisibility(message, delaySeconds, signal);
  }

  private async setVisibility(message: QueueMessage, seconds: number, signal?: AbortSignal): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: message.receipt,
        VisibilityTimeout: seconds,
      }),
      { abortSignal: signal },
    );
  }

  /**
   * SQS has no way to take back a receive: the message is sent again as a new one (receive
   * count 1) and the interrupted delivery deleted. Sent first, so a crash in between leaves
   * a duplicate (harmless: jobs are idempotent) rather than nothing; if the send fails, the
   * delivery is released the ordinary way.
   */
  async putBack(message: QueueMessage, signal?: AbortSignal): Promise<void> {
    try {
      const handedBack = String(message.handedBack + message.receiveCount);
      await this.client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: message.body,
          MessageAttributes: { [handedBackAttribute]: { DataType: "Number", StringValue: handedBack } },
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      this.logger.warn(
        { messageId: message.id, err: (err as Error).message },
        "could not hand the job back as a new message; releasing it (this delivery counts)",
      );
      await this.release(message, 0, signal);
      return;
    }
    await this.delete(message, signal);
  }

  async receiveLimit(signal?: AbortSignal): Promise<number | undefined> {
    return this.maxReceiveCount(signal);
  }

  async deadLetter(message: QueueMessage, reason: string, signal?: AbortSignal): Promise<void> {
    const dlq = await this.deadLetterQueueUrl(signal);
    if (dlq === undefined) {
      // Without a DLQ the redrive policy cannot act either: keep the message for a human.
      this.logger.error(
        { messageId: message.id, reason },
        "no dead-letter queue configured; releasing the message",
      );
      await this.release(message, 0, signal);
      return;
    }
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: dlq,
        MessageBody: message.body,
        MessageAttributes: { LongbowReason: { DataType: "String", StringValue: reason.slice(0, 1000) } },
      }),
      { abortSignal: signal },
    );
    await this.delete(message, signal);
  }

  async depth(signal?: AbortSignal): Promise<QueueDepth> {
    const counts = async (url: string) =>
      (
        await this.client.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
          }),
          { abortSignal: signal },
        )
      ).Attributes ?? {};
    const main = await counts(this.queueUrl);
    const dlq = await this.deadLetterQueueUrl(signal);
    const dead = dlq === undefined ? {} : await counts(dlq);
    return {
      visible: toInt(main.ApproximateNumberOfMessages),
      inFlight: toInt(main.ApproximateNumberOfMessagesNotVisible),
      dead: toInt(dead.ApproximateNumberOfMessages) + toInt(dead.ApproximateNumberOfMessagesNotVisible),
    };
  }

  /** The RedrivePolicy's target, resolved once (memoised, like the SDK's upload creation). */
  async deadLetterQueueUrl(signal?: AbortSignal): Promise<string | undefined> {
    this.dlqUrl ??= this.redrive(signal).then(async (policy) => {
      const parts = policy?.deadLetterTargetArn?.split(":") ?? [];
      const [account, name] = [parts[4], parts[5]];
      if (!name) return undefined;
      const out = await this.client.send(
        new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
        { abortSignal: signal },
      );
      return out.QueueUrl;
    });
    this.dlqUrl.catch(() => {
      this.dlqUrl = undefined;
    });
    return this.dlqUrl;
  }

  /** Receives after which SQS moves a message to the dead-letter queue, if a redrive policy is set. */
  async maxReceiveCount(signal?: AbortSignal): Promise<number | undefined> {
    const n = Number((await this.redrive(signal))?.maxReceiveCount);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  }

  private async redrive(
    signal?: AbortSignal,
  ): Promise<{ deadLetterTargetArn?: string; maxReceiveCount?: number | string } | undefined> {
    const attrs = await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ["RedrivePolicy"] }),
      { abortSignal: signal },
    );
    const policy = attrs.Attributes?.RedrivePolicy;
    return policy ? JSON.parse(policy) : undefined;
  }

  async close(): Promise<void> {}
}
