import type { Migration } from "../config/index.js";
import type { Job } from "../job/index.js";
import type { JobOutcome, JobRun, Ledger } from "../ledger/index.js";
import type { DeletionResult } from "../mirror/index.js";
import type { ResumeStore } from "../transfer/index.js";
import {
  type ByteBudget,
  type CopyOptions,
  type CopyResult,
  copyObject,
  type Pace,
  type TransferPool,
} from "../transfer/index.js";
import type { MigrationClients, ResolvedRunnerOptions } from "./options.js";

/** What to do with a job after one attempt. */
export type Verdict = CopyVerdict | DeletionVerdict;

/** The verdict of a copy. */
export type CopyVerdict =
  | { kind: "done"; result: CopyResult }
  | { kind: "skipped"; result: CopyResult; reason: string }
  /** Failed, worth another attempt; `failures` is the object's count since it was queued, this one included. */
  | { kind: "retry"; reason: string; code?: string; result?: CopyResult; failures: number }
  | { kind: "dead"; reason: string; code?: string; result?: CopyResult }
  /**
   * Interrupted (shutdown, drain, a job timeout that made progress, a Lambda deadline):
   * handed back at once without counting, the upload left resumable, nothing written.
   */
  | { kind: "stopped"; result?: CopyResult }
  /**
   * The message's part of a fanned-out object is done, the object itself not (yet): a split
   * queued its ranges, a range was copied, or the fan-out had ended. Nothing is recorded
   * for the object; the message is finished.
   */
  | { kind: "shared"; note: string; result?: CopyResult };

/** The verdicts only a deletion has; it fails, retries and stops like a copy (without a copy result). */
export type DeletionVerdict =
  /** A mirror-mode deletion removed the destination object, or found it already gone. */
  | { kind: "deleted"; deletion: DeletionResult }
  /** A mirror-mode deletion left the object in place on purpose (rewritten since listed, source back, mirror off). */
  | { kind: "kept"; deletion: DeletionResult; reason: string };

/**
 * True when a copy that did not finish was interrupted rather than failed: the worker was
 * stopping, or the job timed out after moving bytes (a large object on a slow link resumes
 * where it was cut). A timeout that moved nothing is a failure: waiting longer would not help.
 */
export function isInterruption(result: CopyResult, stopping: boolean): boolean {
  if (result.status !== "failed") return false;
  return stopping || (result.errorCode === "JobTimeout" && result.bytes > 0);
}

/**
 * Decides a copy's verdict. `failures` is the object's failed attempts since it was queued,
 * this one included (from the ledger); interruptions are never counted.
 */
export function verdictOf(
  result: CopyResult,
  failures: number,
  maxAttempts: number,
  stopping: boolean,
): CopyVerdict {
  switch (result.status) {
    case "copied":
    case "identical":
      return { kind: "done", result };
    case "source-missing":
      return { kind: "skipped", result, reason: result.error ?? "the source object no longer exists" };
    case "needs-restore":
      // not a failure of the copy: nothing can read the object until someone restores it
      return { kind: "skipped", result, reason: result.error ?? "needs restore: the source is archived" };
    case "source-changed":
      // The pinned version is gone; the next compare (or the S3 event of the new version) sends it again.
      return { kind: "skipped", result, reason: result.error ?? "the source object changed during the copy" };
    default: {
      if (isInterruption(result, stopping)) return { kind: "stopped", result };
      const reason = result.error ?? "copy failed";
      const code = result.errorCode;
      const base = { reason, result, ...(code === undefined ? {} : { code }) };
      if (result.retryable === false) return { kind: "dead", ...base };
      if (failures >= maxAttempts) {
        return { kind: "dead", ...base, reason: `gave up after ${failures} failed attempts: ${reason}` };
      }
      return { kind: "retry", ...base, failures };
    }
  }
}

/**
 * The ledger's resume store for one attempt, except that `clear` is kept back: the final
 * ledger write of the attempt drops the resume point anyway, which saves a write per copy.
 */
export function attemptResumeStore(
  ledger: Ledger,
  run: JobRun,
): ResumeStore & { flush(job: Job): Promise<void> } {
  const inner = ledger.resumeStore(run);
  let cleared = false;
  return {
    load: (job) => inner.load(job),
    save: async (job, point) => {
      cleared = false;
      await inner.save(job, point);
    },
    clear: async () => {
      cleared = true;
    },
    flush: async (job) => {
      if (cleared) await inner.clear(job);
    },
  };
}

/** What one attempt needs: the resolved options, the job's migration and clients, the shared budget and pool. */
export interface AttemptContext {
  o: ResolvedRunnerOptions;
  migration: Migration;
  clients: MigrationClients;
  budget: ByteBudget;
  pool: TransferPool;
  /** The migration's bandwidth pace in this process; `undefined` when it sets no limit. */
  pace?: Pace | undefined;
  run: JobRun;
  signal: AbortSignal;
  isStopping: () => boolean;
  /**
   * Given to the copy as `onLastPartStarted`: the engine admits the next copy while this
   * one's last parts end (see `Draining`). @defaultValue the copy holds its admission to the end
   */
  draining?: (() => void) | undefined;
}

/** The options of one copy of an attempt: the migration's clients and switches, the shared budget and pool. */
export function copyOptionsFor(job: Job, ctx: AttemptContext, resumeStore: ResumeStore): CopyOptions {
  const { o, migration, clients, run } = ctx;
  const partsInParallel = migration.limits.partsInParallel ?? o.settings.partsInParallel;
  return {
    source: clients.source,
    destination: clients.destination,
    ...(clients.sourceLabel ? { sourceLabel: clients.sourceLabel } : {}),
    ...(clients.destinationLabel ? { destinationLabel: clients.destinationLabel } : {}),
    settings: { ...o.settings, partsInParallel },
    budget: ctx.budget,
    pool: ctx.pool,
    ...(ctx.pace ? { pace: ctx.pace } : {}),
    resumeStore,
    signal: ctx.signal,
    logger: o.logger,
    getObjectWithVersionId: migration.versioning.getObjectWithVersionId,
    updateVersionId: migration.versioning.updateVersionId,
    redelivered: run.attempt > 1,
    ...(o.onProgress ? { onProgress: (e) => o.onProgress?.(job, e) } : {}),
    ...(ctx.draining ? { onLastPartStarted: ctx.draining } : {}),
    // the destination's smallest part (LONGBOW_MIN_PART_SIZE_KB); a test's knob overrides it
    minPartSize: o.settings.minPartSize,
    ...o.transfer,
  };
}

/** One attempt at one job: copy, then record the outcome in the ledger. */
export async function attemptJob(job: Job, ctx: AttemptContext): Promise<Verdict> {
  const store = attemptResumeStore(ctx.o.ledger, ctx.run);
  const result = await copyObject(job, copyOptionsFor(job, ctx, store));
  return settleCopy(job, result, ctx, store);
}

/**
 * Decides a copy's verdict and records it in the ledger: a genuine failure is noted
 * (counted toward `maxAttempts`), an outcome finishes the object's item.
 */
export async function settleCopy(
  job: Job,
  result: CopyResult,
  ctx: AttemptContext,
  store: { flush(job: Job): Promise<void> },
): Promise<Verdict> {
  const { o, run } = ctx;
  const stopping = ctx.isStopping() || ctx.signal.aborted;
  let failures = 0;
  if (result.status === "failed" && result.retryable !== false && !isInterruption(result, stopping)) {
    failures = await o.ledger.noteError(job, run, result.error ?? "copy failed", { retries: result.retries });
  }
  const verdict = verdictOf(result, failures, o.settings.maxAttempts, stopping);
  // a noted failure already counted its attempt and its retries
  await record(job, verdict, ctx, store, failures > 0);
  return verdict;
}

/**
 * A job naming a migration this worker does not know (perhaps not published yet): retried,
 * and recorded failed in the ledger once the attempts run out.
 */
export async function attemptUnknownMigration(
  job: Job,
  o: Pick<ResolvedRunnerOptions, "ledger" | "settings" | "now">,
  run: JobRun,
): Promise<Verdict & { kind: "retry" | "dead" }> {
  const reason = `unknown migration '${job.migration}'`;
  const failures = await o.ledger.noteError(job, run, reason);
  if (failures < o.settings.maxAttempts) return { kind: "retry", reason, failures };
  await o.ledger.finish(job, {
    ...run,
    status: "failed",
    endedAt: new Date(o.now()).toISOString(),
    reason: `gave up after ${failures} failed attempts: ${reason}`,
    attemptNoted: true,
  });
  return { kind: "dead", reason };
}

/** What the ledger records of a copy result besides the state. */
function outcomeOf(job: Job, r: CopyResult | undefined): Partial<JobOutcome> {
  const out: Partial<JobOutcome> = {};
  if (r?.sourceEtag !== undefined) out.sourceEtag = r.sourceEtag;
  if (r?.sourceVersionId !== undefined) out.sourceVersionId = r.sourceVersionId;
  if (r?.destinationEtag !== undefined) out.destinationEtag = r.destinationEtag;
  if (r?.verification !== undefined) out.verification = r.verification;
  const size = job.source.size ?? (r && r.status !== "source-missing" ? r.bytes : undefined);
  if (size !== undefined) out.bytes = size;
  if (r !== undefined) {
    out.transferredBytes = r.bytes;
    out.copied = r.status === "copied";
  }
  return out;
}

async function record(
  job: Job,
  v: CopyVerdict,
  ctx: AttemptContext,
  store: { flush(job: Job): Promise<void> },
  noted: boolean,
) {
  const { o, run } = ctx;
  const endedAt = new Date(o.now()).toISOString();
  const retries = noted ? 0 : (v.result?.retries ?? 0);
  const finish = (status: JobOutcome["status"], reason?: string) =>
    o.ledger.finish(job, {
      ...run,
      status,
      endedAt,
      ...outcomeOf(job, v.result),
      ...(reason === undefined ? {} : { reason }),
      ...(retries > 0 ? { retries } : {}),
      ...(noted ? { attemptNoted: true } : {}),
    });
  switch (v.kind) {
    case "done":
      await finish("done");
      return;
    case "skipped":
      await finish("skipped", v.reason);
      return;
    case "dead":
      await finish("failed", v.reason);
      return;
    case "retry":
    case "stopped":
      await store.flush(job);
      return;
    case "shared":
      return;
  }
}
