import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchRequestEntry,
  DeleteMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { QueueError } from "./errors.js";

interface Pending {
  receipt: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Deletes SQS messages ten at a time: a delete waits at most `windowMs` for nine more (or
 * goes at once when ten are waiting), then one DeleteMessageBatch carries them all. Each
 * caller still learns its own outcome: an entry SQS reports as failed is deleted again on
 * its own, and rejects only if that fails too. A worker finishing many small objects spends
 * a tenth of the requests.
 */
export class DeleteBatcher {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #windowMs: number;
  #pending: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(client: SQSClient, queueUrl: string, windowMs: number) {
    this.#client = client;
    this.#queueUrl = queueUrl;
    this.#windowMs = windowMs;
  }

  delete(receipt: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ receipt, resolve, reject });
      if (this.#pending.length >= 10) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#windowMs);
    });
  }

  #flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending.splice(0, 10);
    if (this.#pending.length > 0) this.#timer = setTimeout(() => this.#flush(), this.#windowMs);
    if (batch.length > 0) void this.#send(batch);
  }

  async #send(batch: Pending[]): Promise<void> {
    const entries: DeleteMessageBatchRequestEntry[] = batch.map((p, i) => ({
      Id: String(i),
      ReceiptHandle: p.receipt,
    }));
    let failed: Set<string>;
    try {
      const out = await this.#client.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }),
      );
      failed = new Set((out.Failed ?? []).map((f) => f.Id ?? ""));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    await Promise.all(
      batch.map(async (p, i) => {
        if (!failed.has(String(i))) return p.resolve();
        try {
          await this.#client.send(
            new DeleteMessageCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: p.receipt }),
          );
          p.resolve();
        } catch (err) {
          p.reject(
            new QueueError("DeleteFailed", `message not deleted: ${(err as Error).message}`, {
              cause: err,
              context: { queueUrl: this.#queueUrl },
              retryable: true,
            }),
          );
        }
      }),
    );
  }
}
