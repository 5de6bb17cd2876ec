import {
  abandonFanout,
  type FanoutDeps,
  fanoutThreshold,
  mayFanOut,
  runRange,
  splitObject,
} from "../fanout/index.js";
import type { Job } from "../job/index.js";
import {
  type AttemptContext,
  attemptResumeStore,
  copyOptionsFor,
  settleCopy,
  type Verdict,
} from "./attempt.js";

/** The fan-out steps' dependencies for one attempt; the resume store clears at once (no final write follows a split or a range). */
function fanoutDeps(job: Job, ctx: AttemptContext): FanoutDeps {
  const { o, run } = ctx;
  return {
    ledger: o.ledger,
    queue: o.queue,
    run,
    copy: copyOptionsFor(job, ctx, o.ledger.resumeStore(run)),
    logger: o.logger,
  };
}

/**
 * An object job at or above its migration's fan-out threshold: split into part-range jobs
 * (the message is then finished), or, when the object is not one to fan out (identical,
 * smaller than listed, proven only by one reader, one range's worth), `undefined`: copy it
 * whole.
 */
export async function attemptSplit(job: Job, ctx: AttemptContext): Promise<Verdict | undefined> {
  const { o, migration } = ctx;
  const threshold = fanoutThreshold(migration, o.settings);
  if (!mayFanOut(job, threshold)) return undefined;
  const out = await splitObject(job, fanoutDeps(job, ctx), {
    threshold,
    partsPerRange: o.settings.fanoutPartsPerRange,
  });
  if (out.kind === "whole") {
    o.logger.debug({ key: job.source.key, reason: out.reason }, "copied by one worker, not fanned out");
    return undefined;
  }
  return { kind: "shared", note: `split into ${out.ranges} ranges of upload ${out.uploadId}` };
}

/**
 * One part-range job: copied (see `runRange`); when its outcome is the object's (completed
 * here, source changed, a failure), it is recorded like any copy's. A range that fails for
 * good aborts the object's upload; a completion that cannot prove or complete the upload
 * queues the object again to be copied from the start.
 */
export async function attemptRange(job: Job, ctx: AttemptContext): Promise<Verdict> {
  const deps = fanoutDeps(job, ctx);
  const out = await runRange(job, deps);
  if (out.kind === "ended") return { kind: "shared", note: out.reason };
  if (out.kind === "transient") {
    if (ctx.isStopping() || ctx.signal.aborted) return { kind: "stopped", result: out.result };
    // Released after a backoff doubling with this range's own deliveries; nothing is noted
    // on the object, so its maxAttempts are spent only by real failures. The queue's own
    // receive limit still bounds a range that never gets through.
    const reason = `range ${(job.range?.index ?? 0) + 1} of ${job.range?.count} failed transiently, tried again later: ${out.result.error ?? "copy failed"}`;
    return {
      kind: "retry",
      reason,
      result: out.result,
      failures: Math.max(1, ctx.run.attempt),
      ...(out.result.errorCode === undefined ? {} : { code: out.result.errorCode }),
    };
  }
  if (out.kind === "range-done") {
    return {
      kind: "shared",
      note: `range ${(job.range?.index ?? 0) + 1} of ${job.range?.count} done (${out.state.partsDone} of ${out.state.partsTotal} parts)`,
      ...(out.result === undefined ? {} : { result: out.result }),
    };
  }
  // the object's own outcome is recorded under the object's job, without the range
  const { range: _range, ...object } = job;
  const verdict = await settleCopy(object, out.result, ctx, attemptResumeStore(ctx.o.ledger, ctx.run));
  if (verdict.kind === "dead") await abandonFanout(job, deps, verdict.reason);
  if (out.restart && verdict.kind === "retry") {
    await ctx.o.queue.send([object]);
    return {
      kind: "shared",
      note: "upload given up; the object is queued to be copied again",
      result: out.result,
    };
  }
  return verdict;
}
