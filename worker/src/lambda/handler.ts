import type { Job } from "../job/index.js";
import type { QueueMessage } from "../queue/index.js";
import {
  applySettlement,
  attemptJob,
  attemptUnknownMigration,
  cachedClients,
  cachedMigrations,
  jobMetricsOf,
  parseMessage,
  type RunnerOptions,
  RunnerOptionsError,
  recordLastDelivery,
  resolveRunnerOptions,
  settlementOf,
  type Verdict,
} from "../runner/index.js";
import { ByteBudget, TransferPool } from "../transfer/index.js";
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
  extends Omit<RunnerOptions, "waitSeconds" | "stopWhenIdle" | "onProgress"> {
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
 * The engine as a Lambda function on the worker queue: a thin adapter over the Runner's
 * parts. Each record is parsed like a received message, its jobs copied and recorded in the
 * ledger like the Runner's, and settled the Runner's way, except that deleting is left to
 * Lambda: a record is reported in `batchItemFailures` unless its message is finished
 * (done, identical, skipped, ignored). Released records (transient failure, or cut by the
 * deadline with the upload kept) come back after their delay; hopeless ones are
 * dead-lettered at once, and reported too so that, without a dead-letter queue, the
 * released message is kept rather than deleted.
 *
 * Records run at most `settings.filesInParallel` at a time under one byte budget and
 * transfer pool per invocation; migrations and S3 clients are cached for the life of the
 * container (build the handler once, outside the invocation).
 */
export function createSqsHandler(options: SqsHandlerOptions): SqsHandler {
  const o = resolveRunnerOptions(options);
  const reserveMs = options.stopReserveMs ?? 10_000;
  if (!Number.isSafeInteger(reserveMs) || reserveMs < 0) {
    throw new RunnerOptionsError(`stopReserveMs must be a whole number >= 0, got ${reserveMs}`);
  }
  const log = o.logger.child({ workerId: o.workerId });
  const migrations = cachedMigrations(o.migrations, {
    refreshSeconds: o.migrationsRefreshSeconds,
    now: o.now,
    logger: log,
  });
  const clientsFor = cachedClients(o.clients);
  let receiveLimit: Promise<number | undefined> | undefined;

  interface Invocation {
    budget: ByteBudget;
    pool: TransferPool;
    signal: AbortSignal;
  }

  async function runJob(job: Job, message: QueueMessage, inv: Invocation): Promise<Verdict> {
    const started = o.now();
    const run = {
      workerId: o.workerId,
      attempt: message.receiveCount + message.handedBack,
      startedAt: new Date(started).toISOString(),
    };
    const migration = (await migrations()).find((m) => m.name === job.migration);
    const verdict = migration
      ? await attemptJob(job, {
          o,
          migration,
          clients: await clientsFor(migration),
          budget: inv.budget,
          pool: inv.pool,
          run,
          signal: inv.signal,
          isStopping: () => inv.signal.aborted,
        })
      : await attemptUnknownMigration(job, o, run);
    if (migration) o.metrics?.jobFinished(jobMetricsOf(job, verdict, o.now() - started));
    if (verdict.kind === "stopped") {
      log.info(
        { key: job.source.key },
        "job interrupted by the invocation's deadline; handed back, its upload kept",
      );
    } else if (verdict.kind !== "done" && verdict.kind !== "skipped") {
      log[verdict.kind === "dead" ? "error" : "warn"](
        { key: job.source.key, reason: verdict.reason, verdict: verdict.kind },
        "job failed",
      );
    }
    return verdict;
  }

  /** Settles one record; true when its message is finished and Lambda may delete it. */
  async function handleRecord(record: SqsRecord, inv: Invocation): Promise<boolean> {
    const message = messageOf(record);
    try {
      const parsed = parseMessage(message.body, await migrations());
      if (parsed.kind === "ignore") return true;
      if (parsed.kind === "invalid") {
        log.error({ messageId: message.id, reason: parsed.reason }, "message dead-lettered");
        await o.queue.deadLetter(message, parsed.reason);
        return false;
      }
      if (parsed.skipped.length > 0) log.info({ objects: parsed.skipped }, "S3 event matches no migration");
      receiveLimit ??= o.queue.receiveLimit().catch(() => undefined);
      const run = {
        workerId: o.workerId,
        attempt: message.receiveCount + message.handedBack,
        startedAt: new Date(o.now()).toISOString(),
      };
      await recordLastDelivery(o.ledger, message, parsed.jobs, await receiveLimit, run, log);
      const verdicts: Verdict[] = [];
      for (const job of parsed.jobs) verdicts.push(await runJob(job, message, inv));
      const s = settlementOf(verdicts, o.retryBaseDelaySeconds);
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
      log.warn({ remainingMs: left, reserveMs }, "no time left to copy; releasing the batch");
    const deadline = deadlineSignal(left - reserveMs);
    const inv: Invocation = {
      budget: ByteBudget.forProcess(o.settings.byteBudget),
      pool: new TransferPool({ concurrency: o.settings.filesInParallel * o.settings.partsInParallel }),
      signal: deadline.signal,
    };
    const failed: string[] = [];
    const records = event.Records.values();
    // filesInParallel workers pulling from one iterator: the Runner's bound on objects in flight
    const worker = async () => {
      for (const r of records) if (!(await handleRecord(r, inv))) failed.push(r.messageId);
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
