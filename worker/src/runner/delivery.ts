import type { Job } from "../job/index.js";
import type { JobRun, Ledger } from "../ledger/index.js";
import type { Logger } from "../log/index.js";
import type { Queue, QueueMessage } from "../queue/index.js";
import type { Settlement } from "./outcome.js";

/**
 * Before a worker starts on the last delivery the queue allows (SQS's redrive policy moves
 * the message away on the next receive), the ledger records each job failed with the
 * reason. Only crashed workers (SIGKILL, lost instances) use receives up like this, since
 * interruptions are handed back uncounted and failures are counted in the ledger; if this
 * delivery finishes, its outcome replaces the record. Without it a job the queue moved
 * away would vanish from every report.
 */
export async function recordLastDelivery(
  ledger: Ledger,
  message: QueueMessage,
  jobs: readonly Job[],
  receiveLimit: number | undefined,
  run: JobRun,
  logger: Logger,
): Promise<void> {
  if (receiveLimit === undefined || message.receiveCount < receiveLimit) return;
  const reason = `delivered ${message.receiveCount} times without an outcome (workers lost while copying it?); the queue dead-letters it unless this delivery finishes`;
  logger.warn(
    { messageId: message.id, receiveCount: message.receiveCount, receiveLimit },
    "last delivery the queue allows",
  );
  for (const job of jobs) {
    // a record, not the end of an attempt: the attempt itself is counted when it ends
    await ledger.finish(job, {
      ...run,
      status: "failed",
      endedAt: run.startedAt,
      reason,
      attemptNoted: true,
    });
  }
}

/** Carries out a settlement on the queue; `delete: false` leaves finished messages to the caller (Lambda). */
export async function applySettlement(
  queue: Queue,
  message: QueueMessage,
  s: Settlement,
  options: { delete: boolean } = { delete: true },
): Promise<void> {
  switch (s.action) {
    case "put-back":
      await queue.putBack(message);
      return;
    case "release":
      await queue.release(message, s.delaySeconds);
      return;
    case "dead-letter":
      await queue.deadLetter(message, s.reason);
      return;
    case "delete":
      if (options.delete) await queue.delete(message);
      return;
  }
}
