import type { Job } from "../job/index.js";
import type { CounterBucket, JobOutcome, LedgerItem, MigrationCounters, Tally } from "./ledger.js";

/** Counter changes of one transition: objects and bytes per bucket, negative to take away. */
export type CounterDelta = Partial<Record<CounterBucket, Tally>>;

export const counterBuckets: readonly CounterBucket[] = ["pending", "done", "failed", "skipped"];

export const emptyCounters = (): MigrationCounters => ({
  pending: { objects: 0, bytes: 0 },
  done: { objects: 0, bytes: 0 },
  failed: { objects: 0, bytes: 0 },
  skipped: { objects: 0, bytes: 0 },
});

/** The sum of several counter changes (one counter update for a batch). */
export function sumDeltas(deltas: readonly CounterDelta[]): CounterDelta {
  const out: CounterDelta = {};
  for (const d of deltas) {
    for (const [bucket, t] of Object.entries(d) as [CounterBucket, Tally][]) {
      const prev = out[bucket] ?? { objects: 0, bytes: 0 };
      out[bucket] = { objects: prev.objects + t.objects, bytes: prev.bytes + t.bytes };
    }
  }
  return out;
}

/** When a finished copy's bytes started moving, clipped to the hour it is counted in. */
export function firstAt(o: { startedAt?: string; endedAt?: string }): string {
  const end = o.endedAt ?? new Date().toISOString();
  const hourStart = `${hourOf(end)}:00:00.000Z`;
  const start = o.startedAt ?? end;
  return start < hourStart ? hourStart : start;
}

/** UTC clock hour of an ISO time: `2026-11-26T01`. */
export const hourOf = (iso: string): string => iso.slice(0, 13);

function move(old: LedgerItem | undefined, to: CounterBucket, bytes: number): CounterDelta {
  const delta: CounterDelta = {};
  if (old?.countedAs) delta[old.countedAs] = { objects: -1, bytes: -old.size };
  const prev = delta[to] ?? { objects: 0, bytes: 0 };
  delta[to] = { objects: prev.objects + 1, bytes: prev.bytes + bytes };
  return delta;
}

/** True when the job is already waiting or being copied from the same source version. */
export function alreadyPending(old: LedgerItem | undefined, job: Job): boolean {
  return (
    old !== undefined &&
    (old.status === "queued" || old.status === "running") &&
    old.sourceEtag === job.source.etag &&
    old.sourceVersionId === job.source.versionId
  );
}

/** The item and counter change for enqueueing `job`, or undefined when it is already pending. */
export function planEnqueue(
  old: LedgerItem | undefined,
  job: Job,
  now: Date,
  requeuePending = false,
): { item: LedgerItem; delta: CounterDelta } | undefined {
  if (!requeuePending && alreadyPending(old, job)) return undefined;
  const size = job.source.size ?? 0;
  const item: LedgerItem = {
    migration: job.migration,
    sourceBucket: job.source.bucket,
    sourceKey: job.source.key,
    destinationBucket: job.destination.bucket,
    destinationKey: job.destination.key,
    status: "queued",
    size,
    attempts: 0,
    queuedAt: now.toISOString(),
    countedAs: "pending",
    rev: (old?.rev ?? 0) + 1,
  };
  if (job.source.etag !== undefined) item.sourceEtag = job.source.etag;
  if (job.source.versionId !== undefined) item.sourceVersionId = job.source.versionId;
  return { item, delta: move(old, "pending", size) };
}

/**
 * The item and counter change for an attempt's outcome, or undefined when the same source
 * version is already recorded done (a duplicate delivery must not count twice).
 */
export function planFinish(
  old: LedgerItem | undefined,
  job: Job,
  outcome: JobOutcome,
): { item: LedgerItem; delta: CounterDelta } | undefined {
  const sourceEtag = outcome.sourceEtag ?? job.source.etag ?? old?.sourceEtag;
  if (old?.status === "done" && outcome.status === "done" && old.sourceEtag === sourceEtag) return undefined;
  const size = outcome.bytes ?? job.source.size ?? old?.size ?? 0;
  const item: LedgerItem = {
    migration: job.migration,
    sourceBucket: job.source.bucket,
    sourceKey: job.source.key,
    destinationBucket: job.destination.bucket,
    destinationKey: job.destination.key,
    status: outcome.status,
    size,
    attempts: Math.max(outcome.attempt, old?.attempts ?? 0),
    startedAt: outcome.startedAt,
    endedAt: outcome.endedAt,
    workerId: outcome.workerId,
    countedAs: outcome.status,
    rev: (old?.rev ?? 0) + 1,
  };
  if (old?.queuedAt !== undefined) item.queuedAt = old.queuedAt;
  if (sourceEtag !== undefined) item.sourceEtag = sourceEtag;
  const versionId = outcome.sourceVersionId ?? job.source.versionId ?? old?.sourceVersionId;
  if (versionId !== undefined) item.sourceVersionId = versionId;
  if (outcome.destinationEtag !== undefined) item.destinationEtag = outcome.destinationEtag;
  if (outcome.reason !== undefined) item.lastError = outcome.reason;
  return { item, delta: move(old, outcome.status, size) };
}

/** Ledger text fields are bounded: an error message can be long, an item cannot. */
export const clip = (text: string, max = 1000): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;
