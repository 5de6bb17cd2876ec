import {
  applySettlement,
  messageDeps,
  processMessage,
  type RunnerOptions,
  RunnerOptionsError,
  resolveRunnerOptions,
} from "../runner/index.js";
import { requireWholeNumber } from "../whole-number.js";
import { deadlineSignal } from "./deadline.js";
import {
  type LambdaContext,
  messageOf,
  type SqsBatchResponse,
  type SqsEvent,
  type SqsRecord,
} from "./event.js";

/**
 * Options of {@link createSqsHandler}: the Runner's (same queue, ledger, migrations, clients,
 * settings, maxAttempts and metrics), less the polling loop's, plus the time reserve.
 */
export interface SqsHandlerOptions
  extends Omit<RunnerOptions, "waitSeconds" | "stopWhenIdle" | "onProgress" | "receivesInParallel"> {
  /**
   * Milliseconds of the invocation kept back after cutting unfinished copies, to record
   * them in the ledger and release their messages before the runtime stops the function.
   * @defaultValue 10000
   */
  stopReserveMs?: number;
}

/** An SQS-triggered Lambda handler with partial batch failure reporting. */
export type SqsHandler = (event: SqsEvent, context: LambdaContext) => Promise<SqsBatchResponse>;

/**
 * The engine as a Lambda function on the worker queue: each record goes through the same
 * {@link processMessage} as the Runner's messages (parsing, the migration's limits and the
 * engine's admission, the copy, the ledger, the settlement), except that deleting is left
 * to Lambda: a record is reported in `batchItemFailures` unless its message is finished
 * (done, identical, skipped, ignored). Released records (transient failure) come back
 * after their delay, records cut by the deadline are handed back at once with their upload
 * kept, and hopeless ones are dead-lettered at once, and reported too so that, without a
 * dead-letter queue, the message is kept rather than deleted.
 *
 * Records run at most `settings.filesInParallel` at a time; the transfer engine (byte
 * budget, pool, admission), migrations and S3 clients last as long as the container (build
 * the handler once, outside the invocation).
 */
export function createSqsHandler(options: SqsHandlerOptions): SqsHandler {
  const o = resolveRunnerOptions(options);
  const reserveMs = requireWholeNumber(
    "stopReserveMs",
    options.stopReserveMs ?? 10_000,
    0,
    undefined,
    (m) => new RunnerOptionsError(m),
  );
  const log = o.logger.child({ workerId: o.workerId });
  // One per container, kept across invocations (a container runs one invocation at a time).
  const deps = messageDeps(o, log);

  /** Settles one record; true when its message is finished and Lambda may delete it. */
  async function handleRecord(record: SqsRecord, signal: AbortSignal): Promise<boolean> {
    const message = messageOf(record);
    try {
      const s = await processMessage(message, deps, signal);
      await applySettlement(o.queue, message, s, { delete: false });
      return s.action === "delete";
    } catch (err) {
      // The ledger or the queue failed: leave the message to reappear after its visibility.
      log.error({ messageId: message.id, err: (err as Error).message }, "message left for redelivery");
      return false;
    }
  }

  return async (event, context) => {
    const left = context.getRemainingTimeInMillis();
    if (left <= reserveMs)
      log.warn({ remainingMs: left, reserveMs }, "no time left to copy; handing the batch back");
    const deadline = deadlineSignal(left - reserveMs);
    const failed: string[] = [];
    const records = event.Records.values();
    // filesInParallel workers pulling from one iterator: the Runner's bound on messages at once
    const worker = async () => {
      for (const r of records) if (!(await handleRecord(r, deadline.signal))) failed.push(r.messageId);
    };
    try {
      const n = Math.min(o.settings.filesInParallel, event.Records.length);
      await Promise.all(Array.from({ length: n }, worker));
    } finally {
      deadline.dispose();
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
