import type { Migration } from "../config/index.js";
import type { Job } from "../job/index.js";
import type { JobRun, Ledger } from "../ledger/index.js";
import { type ByteBudget, type CopyResult, copyObject, type TransferPool } from "../transfer/index.js";
import type { ResumeStore } from "../transfer/resume-store.js";
import type { MigrationClients, ResolvedRunnerOptions } from "./options.js";

/** What to do with a job after one attempt. */
export type Verdict =
  | { kind: "done"; result: CopyResult }
  | { kind: "skipped"; result: CopyResult; reason: string }
  | { kind: "retry"; reason: string; code?: string; result?: CopyResult }
  | { kind: "dead"; reason: string; code?: string; result?: CopyResult }
  /** Cut short by stop(): release at once, leave the upload resumable, write nothing. */
  | { kind: "stopped"; result?: CopyResult };

/** Decides a copy's verdict: the engine says whether a failure is worth another attempt. */
export function verdictOf(
  result: CopyResult,
  attempt: number,
  maxAttempts: number,
  stopping: boolean,
): Verdict {
  switch (result.status) {
    case "copied":
    case "identical":
      return { kind: "done", result };
    case "source-missing":
      return { kind: "skipped", result, reason: result.error ?? "the source object no longer exists" };
    case "source-changed":
      // The pinned version is gone; the next compare (or the S3 event of the new version) sends it again.
      return { kind: "skipped", result, reason: result.error ?? "the source object changed during the copy" };
    default: {
      if (stopping) return { kind: "stopped", result };
      const reason = result.error ?? "copy failed";
      const code = result.errorCode;
      const base = { reason, result, ...(code === undefined ? {} : { code }) };
      if (result.retryable === false) return { kind: "dead", ...base };
      if (attempt >= maxAttempts) {
        return { kind: "dead", ...base, reason: `gave up after ${attempt} attempts: ${reason}` };
      }
      return { kind: "retry", ...base };
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
  run: JobRun;
  signal: AbortSignal;
  isStopping: () => boolean;
}

/** One attempt at one job: copy, then record the outcome in the ledger. */
export async function attemptJob(job: Job, ctx: AttemptContext): Promise<Verdict> {
  const { o, migration, clients, run } = ctx;
  const store = attemptResumeStore(o.ledger, run);
  const partsInParallel = migration.limits.partsInParallel ?? o.settings.partsInParallel;
  const result = await copyObject(job, {
    source: clients.source,
    destination: clients.destination,
    ...(clients.sourceLabel ? { sourceLabel: clients.sourceLabel } : {}),
    ...(clients.destinationLabel ? { destinationLabel: clients.destinationLabel } : {}),
    settings: { ...o.settings, partsInParallel },
    budget: ctx.budget,
    pool: ctx.pool,
    resumeStore: store,
    signal: ctx.signal,
    logger: o.logger,
    getObjectWithVersionId: migration.versioning.getObjectWithVersionId,
    updateVersionId: migration.versioning.updateVersionId,
    redelivered: run.attempt > 1,
    ...(o.onProgress ? { onProgress: (e) => o.onProgress?.(job, e) } : {}),
    ...o.transfer,
  });
  const verdict = verdictOf(result, run.attempt, o.maxAttempts, ctx.isStopping() || ctx.signal.aborted);
  await record(job, verdict, ctx, store);
  return verdict;
}

/**
 * A job naming a migration this worker does not know (perhaps not published yet): retried,
 * and recorded failed in the ledger once the attempts run out.
 */
export async function attemptUnknownMigration(
  job: Job,
  o: Pick<ResolvedRunnerOptions, "ledger" | "maxAttempts" | "now">,
  run: JobRun,
): Promise<Verdict & { kind: "retry" | "dead" }> {
  const reason = `unknown migration '${job.migration}'`;
  if (run.attempt < o.maxAttempts) return { kind: "retry", reason };
  await o.ledger.finish(job, { ...run, status: "failed", endedAt: new Date(o.now()).toISOString(), reason });
  return { kind: "dead", reason };
}

async function record(job: Job, v: Verdict, ctx: AttemptContext, store: { flush(job: Job): Promise<void> }) {
  const { o, run } = ctx;
  const endedAt = new Date(o.now()).toISOString();
  const from = (r: CopyResult | undefined) => ({
    ...(r?.sourceEtag === undefined ? {} : { sourceEtag: r.sourceEtag }),
    ...(r?.sourceVersionId === undefined ? {} : { sourceVersionId: r.sourceVersionId }),
    ...(r?.destinationEtag === undefined ? {} : { destinationEtag: r.destinationEtag }),
  });
  const size = (r: CopyResult | undefined) => {
    const s = job.source.size ?? (r && r.status !== "source-missing" ? r.bytes : undefined);
    return s === undefined ? {} : { bytes: s };
  };
  switch (v.kind) {
    case "done":
      await o.ledger.finish(job, { ...run, status: "done", endedAt, ...size(v.result), ...from(v.result) });
      return;
    case "skipped":
      await o.ledger.finish(job, { ...run, status: "skipped", endedAt, reason: v.reason, ...from(v.result) });
      return;
    case "dead":
      await o.ledger.finish(job, {
        ...run,
        status: "failed",
        endedAt,
        reason: v.reason,
        ...size(v.result),
        ...from(v.result),
      });
      return;
    case "retry":
      await o.ledger.noteError(job, run, v.reason);
      await store.flush(job);
      return;
    case "stopped":
      await store.flush(job);
      return;
  }
}
