import type { Migration } from "../config/index.js";
import type { Job } from "../job/index.js";
import type { FanoutState, JobRun, Ledger } from "../ledger/index.js";
import type { Logger } from "../log/index.js";
import type { Queue } from "../queue/index.js";
import type { Settings } from "../settings/index.js";
import {
  abortFanoutUpload,
  type CopyOptions,
  type CopyResult,
  completeFanoutUpload,
  copyPartRange,
  openFanoutUpload,
  type RangeCopyResult,
  uploadGoneCode,
} from "../transfer/index.js";

const MiB = 1024 * 1024;

/**
 * A giant object copied by the whole fleet: the worker that receives its job opens one
 * multipart upload and queues part-range jobs on the same queue; any worker copies a
 * range; the ledger's fan-out record says which ranges are done and grants the completion
 * to exactly one of them; that worker completes and verifies the object as a single-worker
 * copy does, and records it in the ledger as one object. A changed source aborts the upload
 * and ends the remaining ranges `source-changed`.
 */

/** What a fan-out step needs: the ledger and queue, the attempt's identity, and its copy options. */
export interface FanoutDeps {
  ledger: Ledger;
  queue: Queue;
  run: JobRun;
  /** The options every copy of this attempt gets (clients, budget, pool, resume store, signal). */
  copy: CopyOptions;
  logger: Logger;
}

/** The fan-out threshold of a migration's objects: its `limits.fanoutThresholdMB`, else the setting. */
export function fanoutThreshold(
  migration: Pick<Migration, "limits">,
  settings: Pick<Settings, "fanoutThreshold">,
) {
  const mb = migration.limits.fanoutThresholdMB;
  return mb === undefined ? settings.fanoutThreshold : mb * MiB;
}

/** True when an object job is large enough (by its listed size) to be considered for fan-out. */
export function mayFanOut(job: Job, threshold: number): boolean {
  return job.range === undefined && job.source.size !== undefined && job.source.size >= threshold;
}

/** What became of an object job considered for fan-out. */
export type SplitOutcome =
  | { kind: "whole"; reason: string }
  | { kind: "split"; uploadId: string; ranges: number; queued: number };

/**
 * Splits an object into part-range jobs on the queue, sharing one upload: recorded in the
 * ledger before any range is queued, so a range always finds its record. A redelivered
 * split finds its upload (the resume point) and its record again, and queues only the
 * ranges not yet done.
 */
export async function splitObject(
  job: Job,
  deps: FanoutDeps,
  split: { threshold: number; partsPerRange: number },
): Promise<SplitOutcome> {
  const opening = await openFanoutUpload(job, deps.copy, split);
  if (opening.kind === "whole") return opening;
  const state = await deps.ledger.openFanout(job, {
    uploadId: opening.uploadId,
    rangesTotal: opening.ranges.length,
    partsTotal: opening.partsTotal,
    startedAt: deps.run.startedAt,
    // a redelivered split keeps its upload and finds this in the record it wrote first
    ...(opening.partEtagsAreMd5 === undefined ? {} : { partEtagsAreMd5: opening.partEtagsAreMd5 }),
  });
  const pending = opening.ranges.filter((r) => !state.rangesDone.includes(r.index));
  await deps.queue.send(pending.map((range) => ({ ...job, range })));
  deps.logger.info(
    {
      key: job.source.key,
      uploadId: opening.uploadId,
      parts: opening.partsTotal,
      ranges: opening.ranges.length,
      queued: pending.length,
    },
    "object fanned out across workers",
  );
  return { kind: "split", uploadId: opening.uploadId, ranges: opening.ranges.length, queued: pending.length };
}

/** What became of one range job. */
export type RangeOutcome =
  /** Copied (now or earlier); the object is not complete, or another range completes it. */
  | { kind: "range-done"; result?: CopyResult; state: FanoutState }
  /** The fan-out ended already (completed, aborted) or was replaced by another upload: nothing to do. */
  | { kind: "ended"; reason: string }
  /**
   * The object's own outcome, for the ledger: completed by this worker (`copied`), the
   * source changed or vanished (the upload aborted), or a failure of this range or of the
   * completion (retried by redelivery). `restart`: the upload was given up and the object
   * is to be copied again from the start (an object job without a range).
   */
  | { kind: "object"; result: CopyResult; restart?: boolean }
  /**
   * The range (or its completion) failed for a passing reason (throttling, 5xx, a reset, a
   * timeout): to be copied again later, without counting against the object's attempts.
   */
  | { kind: "transient"; result: CopyResult };

/** Why a range has nothing left to do, or undefined when it has. */
function endedReason(job: Job, state: FanoutState | undefined): string | undefined {
  const uploadId = job.range?.uploadId;
  if (state === undefined || state.uploadId !== uploadId)
    return `upload ${uploadId} is no longer the object's`;
  if (state.ended === "completed") return "the object was completed";
  if (state.ended === "aborted") return `the upload was aborted: ${state.reason ?? "no reason recorded"}`;
  return undefined;
}

/**
 * Copies one range (unless the ledger has it done), marks it done, and, when every range
 * is done and the ledger grants this range the completion, completes the object. A
 * redelivered range re-sends only the parts ListParts lacks; a redelivered completer
 * completes again (or finds the object completed).
 */
export async function runRange(job: Job, deps: FanoutDeps): Promise<RangeOutcome> {
  const r = job.range;
  if (r === undefined) throw new TypeError("runRange needs a part-range job");
  const { ledger } = deps;
  let state = await ledger.fanout(job);
  const ended = endedReason(job, state);
  if (ended !== undefined) return { kind: "ended", reason: ended };
  let result: CopyResult | undefined;
  if (!state?.rangesDone.includes(r.index)) {
    result = await copyPartRange(job, deps.copy);
    if (result.status !== "copied") return rangeFailed(job, deps, result);
    state = await ledger.rangeDone(job, r.uploadId, { index: r.index, parts: r.last - r.first + 1 });
    if (state === undefined)
      return { kind: "ended", reason: `upload ${r.uploadId} is no longer the object's` };
  }
  const done = state as FanoutState;
  if (
    done.rangesDone.length < done.rangesTotal ||
    !(await ledger.claimCompletion(job, r.uploadId, r.index))
  ) {
    return { kind: "range-done", ...(result === undefined ? {} : { result }), state: done };
  }
  // the completion is one worker's alone, after every range: the log says what it costs
  deps.logger.debug(
    { key: job.source.key, uploadId: r.uploadId, parts: done.partsTotal },
    "completing the fanned-out object",
  );
  // SSE-KMS at the split (the bucket's default, by CreateMultipartUpload's answer) or not
  // known: the completion proves what a single-worker copy to SSE-KMS proves, no more
  const completed = await completeFanoutUpload(job, deps.copy, {
    partEtagsAreMd5: done.partEtagsAreMd5 === true,
  });
  deps.logger.debug(
    { key: job.source.key, uploadId: r.uploadId, status: completed.status, durationMs: completed.durationMs },
    "fanned-out object completion ended",
  );
  // the completion is this range's (granted once): a redelivery completes it
  if (completed.transient) return { kind: "transient", result: completed };
  if (completed.status === "copied") {
    await ledger.endFanout(job, r.uploadId, "completed");
    // the object's bytes are counted once, when it completes
    return { kind: "object", result: { ...completed, bytes: r.size } };
  }
  if (completed.errorCode === "IntegrityMismatch") {
    // this upload cannot become the object (the read did not prove, a part is gone, S3
    // refused it): give it up, and the object is copied again from the start
    await abortFanoutUpload(job, deps.copy);
    await ledger.endFanout(job, r.uploadId, "aborted", completed.error);
    return { kind: "object", result: completed, restart: true };
  }
  return { kind: "object", result: completed };
}

/** A range that could not be copied: the fan-out's end when it ended meanwhile, else the object's outcome. */
async function rangeFailed(job: Job, deps: FanoutDeps, result: RangeCopyResult): Promise<RangeOutcome> {
  const r = job.range as NonNullable<Job["range"]>;
  const changed = result.status === "source-changed" || result.status === "source-missing";
  if (changed || result.errorCode === uploadGoneCode || result.errorCode === "NoSuchUpload") {
    // another range got there first (aborted or completed the upload): nothing is recorded twice
    const ended = endedReason(job, await deps.ledger.fanout(job));
    if (ended !== undefined) return { kind: "ended", reason: ended };
  }
  if (changed) {
    // the engine aborted the upload; the other ranges find the record ended and end too
    await deps.ledger.endFanout(job, r.uploadId, "aborted", result.error ?? result.status);
  }
  // one range meeting a throttle or a reset says nothing against the object: it is tried
  // again, and only real failures count toward the object's maxAttempts
  if (result.transient) return { kind: "transient", result };
  return { kind: "object", result };
}

/**
 * Gives up on a fanned-out object whose range failed for good: its upload is aborted, so no
 * orphan stays, and its record ended, so the other ranges end too.
 */
export async function abandonFanout(job: Job, deps: FanoutDeps, reason: string): Promise<void> {
  const r = job.range;
  if (r === undefined) return;
  await abortFanoutUpload(job, deps.copy);
  await deps.ledger.endFanout(job, r.uploadId, "aborted", reason);
}
