import type { S3Client } from "@aws-sdk/client-s3";
import PQueue from "p-queue";
import { type DiffKind, toJob } from "../compare/index.js";
import type { Migration } from "../config/index.js";
import { LongbowError, throwIfAborted } from "../errors.js";
import type { Job } from "../job/index.js";
import type { Ledger } from "../ledger/index.js";
import { type Logger, silentLogger } from "../log/index.js";
import { DeletionLimitError, deletionJob } from "../mirror/index.js";
import { type MigrationPlan, planMigration } from "../plan/index.js";
import type { Queue } from "../queue/index.js";
import type { Schedule } from "../schedule.js";
import { defaultSettings } from "../settings/index.js";
import { abortOrphanUploads } from "./orphan-uploads.js";

export interface SendOptions {
  migration: Migration;
  /** Client for the source side (its own credentials). */
  source: S3Client;
  /** Client for the destination side. */
  destination: S3Client;
  queue: Queue;
  ledger: Ledger;
  /**
   * The original's guard: refuse to send while the queue still holds work.
   * @defaultValue false (objects already pending are skipped instead)
   */
  refuseWhenQueueNotEmpty?: boolean;
  /** Jobs recorded and sent per batch. @defaultValue 100 */
  batchSize?: number;
  /**
   * Requests to the ledger and the queue in flight at once (the window the batches share);
   * as many batches are under way. @defaultValue settings' sendConcurrency (16)
   */
  concurrency?: number;
  /** Compare: partitions listed at once. @defaultValue the compare's default (16) */
  parallelism?: number;
  /** Compare: prefix levels the key space is split by. @defaultValue the compare's default (1) */
  depth?: number;
  /** Throughput the plan's ETA assumes, in bytes per second. @defaultValue 100 MB/s, as `longbow plan` */
  throughputBytesPerSecond?: number;
  /** The migration's file, named when the deletion limit refuses. @defaultValue `migrations/<name>.yaml` */
  file?: string;
  /** @defaultValue () => new Date() */
  now?: () => Date;
  /** @defaultValue silentLogger */
  logger?: Logger;
  signal?: AbortSignal;
}

/** What one send did. */
export interface SendResult {
  migration: string;
  /** Keys by compare verdict (new, changed, identical, ignored, extra). */
  compared: Record<DiffKind, number>;
  /** Copy jobs put on the queue, and their bytes. */
  sent: number;
  sentBytes: number;
  /** Mirror mode: deletion jobs put on the queue, and the bytes they delete (the plan's deletions, less pending ones). */
  deletionsSent: number;
  deletionsSentBytes: number;
  /** New or changed objects not sent because the ledger has them queued or running from the same source, or finished during the compare. */
  alreadyPending: number;
  /** Unfinished uploads of objects already done or skipped, aborted after the compare. */
  uploadsAborted: number;
  /** The compare as a plan (bytes per class, largest objects, ETA), built from the same pass. */
  plan: MigrationPlan;
  /** ISO time the compare started: what the report shows as the last compare. */
  comparedAt: string;
  finishedAt: string;
}

/** The queue held work and the guard was on. */
export class SendRefusedError extends LongbowError {
  constructor(migration: string, waiting: number) {
    super(
      "QueueNotEmpty",
      `the queue still holds ${waiting} message(s); not sending (refuseWhenQueueNotEmpty)`,
      {
        context: { migration },
      },
    );
    this.name = "SendRefusedError";
  }
}

/**
 * Compares one migration and queues a job for every `new` or `changed` object, recording
 * each in the ledger first; in mirror mode, once the compare is complete, also a deletion
 * job for every extra object that is not ignored, unless they are more than the migration's
 * `mirror.maxDeleteShare` of the destination: then the copies are sent, no deletion is, and
 * the send fails with {@link DeletionLimitError}. Objects the ledger has queued or running from the same source
 * ETag are skipped, so a send may run while workers are busy; when the queue is empty such
 * ledger entries are stale (a lost message) and are sent again. Provenance comes from the
 * ledger (CopyRecords), so `etag`/`version` compares see what each copy was made from.
 *
 * Batches are recorded and sent while the compare goes on: up to `concurrency` batches at
 * once, their requests sharing one window of `concurrency` in flight, and the compare waits
 * while every batch is taken. Within a batch the queue is written only with the jobs whose
 * ledger items were written, so no message ever names an object the ledger lacks; across
 * batches the order is free (each job is its own object).
 */
export async function sendMigration(options: SendOptions): Promise<SendResult> {
  const { migration: m, queue, ledger } = options;
  const batchSize = options.batchSize ?? 100;
  const concurrency = options.concurrency ?? defaultSettings.sendConcurrency;
  const now = options.now ?? (() => new Date());
  const logger = (options.logger ?? silentLogger).child({ migration: m.name });
  const outer = options.signal;
  for (const [name, v] of [
    ["batchSize", batchSize],
    ["concurrency", concurrency],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new LongbowError("InvalidOption", `${name} must be a whole number >= 1, got ${v}`);
    }
  }
  const depth = await queue.depth(outer);
  const waiting = depth.visible + depth.inFlight;
  if (options.refuseWhenQueueNotEmpty && waiting > 0) throw new SendRefusedError(m.name, waiting);
  const comparedAt = now();
  const result: Omit<SendResult, "plan"> = {
    migration: m.name,
    compared: { new: 0, changed: 0, identical: 0, ignored: 0, extra: 0 },
    sent: 0,
    sentBytes: 0,
    deletionsSent: 0,
    deletionsSentBytes: 0,
    alreadyPending: 0,
    uploadsAborted: 0,
    comparedAt: comparedAt.toISOString(),
    finishedAt: "",
  };
  // The first batch that fails stops the others and the compare: its error is the send's.
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  let failure: { err: unknown } | undefined;
  const requests = new PQueue({ concurrency });
  const schedule: Schedule = (request) => requests.add(request);
  const batches = new PQueue({ concurrency });
  const sendBatch = async (jobs: Job[]) => {
    const accepted = await ledger.enqueue(jobs, now(), {
      requeuePending: waiting === 0,
      // an object that finished while the compare listed it is not copied twice
      finishedSince: comparedAt,
      signal,
      schedule,
    });
    await queue.send(accepted, signal, schedule);
    for (const j of accepted) {
      if (j.action === "delete") {
        result.deletionsSent++;
        result.deletionsSentBytes += j.destination.size ?? 0;
      } else {
        result.sent++;
        result.sentBytes += j.source.size ?? 0;
      }
    }
    result.alreadyPending += jobs.length - accepted.length;
  };
  const throwIfFailed = () => {
    if (failure) throw failure.err;
  };
  let batch: Job[] = [];
  // Deletions wait for the whole compare: the safety stop needs the destination's count,
  // so none is sent before the share is known. Held as three columns (key, size, ETag):
  // 143 bytes per deletion with 44-character keys against 368 as jobs (bench/mirror-memory.ts);
  // each job is made again when it is sent.
  const held = { keys: [] as string[], sizes: [] as number[], etags: [] as (string | undefined)[] };
  const flush = async () => {
    if (batch.length === 0) return;
    const jobs = batch;
    batch = [];
    // backpressure: the compare waits while every batch slot is taken
    await batches.onSizeLessThan(1);
    throwIfFailed();
    void batches.add(async () => {
      try {
        await sendBatch(jobs);
      } catch (err) {
        failure ??= { err };
        stop.abort(err);
      }
    });
  };
  let plan: MigrationPlan = undefined as never;
  let compareFailure: { err: unknown } | undefined;
  try {
    plan = await planMigration(m, {
      source: options.source,
      destination: options.destination,
      copyRecords: ledger,
      throughputBytesPerSecond: options.throughputBytesPerSecond ?? 100_000_000,
      logger,
      ...(options.parallelism === undefined ? {} : { parallelism: options.parallelism }),
      ...(options.depth === undefined ? {} : { depth: options.depth }),
      signal,
      onChunk: async (chunk) => {
        for (const item of chunk) {
          result.compared[item.kind]++;
          if (deletionJob(m, item)) {
            held.keys.push(item.destinationKey);
            held.sizes.push(item.size);
            held.etags.push(item.etag);
          }
          const job = toJob(m, item);
          if (!job) continue;
          batch.push(job);
          if (batch.length >= batchSize) await flush();
        }
      },
    });
    throwIfAborted(signal);
    await flush();
    if (plan.deletions?.overLimit) {
      throw new DeletionLimitError(m.name, options.file ?? `migrations/${m.name}.yaml`, plan.deletions);
    }
    for (let i = 0; i < held.keys.length; i++) {
      const etag = held.etags[i];
      const item = {
        kind: "extra" as const,
        destinationKey: held.keys[i] as string,
        size: held.sizes[i] as number,
      };
      const job = deletionJob(m, etag === undefined ? item : { ...item, etag });
      if (job) batch.push(job);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } catch (err) {
    compareFailure = { err };
  }
  // nothing is left running behind the send, whichever way it ends
  await batches.onIdle();
  throwIfFailed();
  if (compareFailure) throw compareFailure.err;
  await ledger.recordCompare(m.name, comparedAt, signal);
  try {
    const sweep = await abortOrphanUploads({
      migration: m,
      destination: options.destination,
      ledger,
      logger,
      ...(signal ? { signal } : {}),
    });
    result.uploadsAborted = sweep.aborted;
  } catch (err) {
    // Cleanup, not the job: a send whose credentials may not list or abort uploads still sent.
    throwIfAborted(signal);
    logger.warn(
      { err: (err as Error).message, bucket: m.destination.bucket },
      "could not sweep unfinished uploads at the destination; they stay until their objects finish or a lifecycle rule aborts them",
    );
  }
  result.finishedAt = now().toISOString();
  logger.info(
    {
      ...result.compared,
      sent: result.sent,
      deletionsSent: result.deletionsSent,
      alreadyPending: result.alreadyPending,
      uploadsAborted: result.uploadsAborted,
    },
    "migration sent",
  );
  return { ...result, plan };
}
