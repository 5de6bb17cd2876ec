import type { Job } from "../job/index.js";
import type { JobMetrics } from "../metrics/index.js";
import type { Verdict } from "./attempt.js";

/** What becomes of a message once all of its jobs have a verdict. */
export type Settlement =
  /** Done, identical or skipped: the message is finished. */
  | { action: "delete" }
  /** Transient failure: visible again after `delaySeconds`; this delivery counts. */
  | { action: "release"; delaySeconds: number }
  /** Interrupted: handed back at once, not counted (see `Queue.putBack`); the upload resumes. */
  | { action: "put-back" }
  /** Hopeless: move it to the dead letters now rather than wait out maxReceiveCount. */
  | { action: "dead-letter"; reason: string };

/**
 * Settles a message from its jobs' verdicts: an interrupted attempt is handed back at once
 * without counting (its upload resumes), a transient failure is released after a backoff
 * doubling per failure (at most 900 s), a hopeless one is dead-lettered; only when every
 * job is done or skipped is it deleted.
 */
export function settlementOf(verdicts: readonly Verdict[], retryBaseDelaySeconds: number): Settlement {
  if (verdicts.some((v) => v.kind === "stopped")) return { action: "put-back" };
  const failures = Math.max(0, ...verdicts.map((v) => (v.kind === "retry" ? v.failures : 0)));
  if (failures > 0) {
    const delaySeconds = Math.min(900, retryBaseDelaySeconds * 2 ** (failures - 1));
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
    bytesCopied: v.kind === "done" ? v.result.bytes : "result" in v ? (v.result?.bytes ?? 0) : 0,
    objectsCopied: v.kind === "done" ? 1 : 0,
    objectsFailed: v.kind === "dead" ? 1 : 0,
    durationMs,
  };
}
