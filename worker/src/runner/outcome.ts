import type { Job } from "../job/index.js";
import type { JobMetrics } from "../metrics/index.js";
import type { Verdict } from "./attempt.js";

/** What becomes of a message once all of its jobs have a verdict. */
export type Settlement =
  /** Done, identical or skipped: the message is finished. */
  | { action: "delete" }
  /** Transient failure or a cut attempt: visible again after `delaySeconds` (0: at once, to resume). */
  | { action: "release"; delaySeconds: number }
  /** Hopeless: move it to the dead letters now rather than wait out maxReceiveCount. */
  | { action: "dead-letter"; reason: string };

/**
 * Settles a message from its jobs' verdicts: a cut attempt is released at once (its upload
 * resumes), a transient failure after a backoff doubling per receive (at most 900 s), a
 * hopeless one is dead-lettered; only when every job is done or skipped is it deleted.
 */
export function settlementOf(
  verdicts: readonly Verdict[],
  receiveCount: number,
  retryBaseDelaySeconds: number,
): Settlement {
  if (verdicts.some((v) => v.kind === "stopped")) return { action: "release", delaySeconds: 0 };
  if (verdicts.some((v) => v.kind === "retry")) {
    const delaySeconds = Math.min(900, retryBaseDelaySeconds * 2 ** (receiveCount - 1));
    return { action: "release", delaySeconds };
  }
  const dead = verdicts.find((v) => v.kind === "dead");
  if (dead?.kind === "dead") return { action: "dead-letter", reason: dead.reason };
  return { action: "delete" };
}

/** What one attempt contributes to the job metrics (EMF in the cluster). */
export function jobMetricsOf(job: Job, v: Verdict, durationMs: number): JobMetrics {
  return {
    migration: job.migration,
    bytesCopied: v.kind === "done" ? v.result.bytes : (v.result?.bytes ?? 0),
    objectsCopied: v.kind === "done" ? 1 : 0,
    objectsFailed: v.kind === "dead" ? 1 : 0,
    durationMs,
  };
}
