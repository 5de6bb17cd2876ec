import type { Job } from "../job/index.js";
import type { DeletionResult } from "../mirror/index.js";
import type { CopyResult } from "../transfer/index.js";

/** Where a job's message went after a failed attempt. */
export type FailureDisposition = "released" | "dead-lettered";

/** The Runner's events, each a past-tense fact with its arguments. */
export interface RunnerEvents {
  /** A job was taken from the queue; `attempt` is its delivery count. */
  job_received: [job: Job, info: { attempt: number; messageId: string }];
  /** The object is at the destination (copied now, or already identical) or was skipped. */
  job_done: [job: Job, result: CopyResult];
  /** A mirror-mode deletion ended: the object is deleted (or was already gone), or was kept on purpose. */
  job_deleted: [job: Job, result: DeletionResult];
  /** An attempt failed; `disposition` says whether it will be retried. */
  job_failed: [job: Job, info: { reason: string; code?: string; disposition: FailureDisposition }];
  /** A job's share of a fanned-out object is done (split into ranges, or one range copied); the object is not yet. */
  job_shared: [job: Job, info: { note: string }];
  /** An attempt was interrupted (stop, drain, a timeout that made progress): handed back uncounted, its upload kept. */
  job_interrupted: [job: Job];
  /** A message that is not a job went to the dead letters (or was ignored). */
  message_rejected: [info: { messageId: string; reason: string }];
  /** The queue, ledger or a client failed outside a job; the loop backs off and goes on. */
  error: [err: Error];
  /** The loop has ended and every job is finished or released. */
  stopped: [];
}
