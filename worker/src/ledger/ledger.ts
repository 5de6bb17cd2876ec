import type { CopyRecord, CopyRecords } from "../compare/index.js";
import type { Job } from "../job/index.js";
import type { ResumeStore } from "../transfer/resume-store.js";

/** Where one object stands. `queued` and `running` together are "pending". */
export type ObjectStatus = "queued" | "running" | "done" | "failed" | "skipped";

/** The per-migration counter an object is counted in; `running` counts as `pending`. */
export type CounterBucket = "pending" | "done" | "failed" | "skipped";

/**
 * One ledger item per (migration, source key): a migration has one source bucket. Never
 * holds a credential.
 */
export interface LedgerItem {
  migration: string;
  sourceBucket: string;
  sourceKey: string;
  destinationBucket: string;
  destinationKey: string;
  status: ObjectStatus;
  /** Bytes of the object (as last seen). */
  size: number;
  sourceEtag?: string;
  sourceVersionId?: string;
  destinationEtag?: string;
  /** The unfinished multipart upload of the current attempt, if any (the resume point). */
  uploadId?: string;
  partSize?: number;
  /** Source ETag/versionId the unfinished upload was started from. */
  resumeEtag?: string;
  resumeVersionId?: string;
  /** Deliveries of the job that reached a worker (the queue's receive count). */
  attempts: number;
  queuedAt?: string;
  startedAt?: string;
  endedAt?: string;
  workerId?: string;
  lastError?: string;
  /** The counter this object is currently counted in, if any. */
  countedAs?: CounterBucket;
  /** Bumped by every write; state transitions are conditional on it. */
  rev: number;
}

export interface Tally {
  objects: number;
  bytes: number;
}

/** Per-migration counters, kept by atomic updates on every state change. */
export type MigrationCounters = Record<CounterBucket, Tally>;

/** Bytes and objects finished in one clock hour (UTC, `YYYY-MM-DDTHH`). */
export interface HourTally extends Tally {
  hour: string;
  /** ISO time the first copy counted in this hour started (within the hour). */
  firstAt?: string;
}

/** Everything a report needs from the ledger, in a handful of reads. */
export interface LedgerSummary {
  migration: string;
  counters: MigrationCounters;
  hours: HourTally[];
  /** Failed objects, oldest failure first, at most the requested number. */
  failures: LedgerItem[];
  /** ISO time the last compare (send) for this migration finished, if any. */
  lastCompareAt?: string;
}

export interface EnqueueOptions {
  /** Queue jobs even when the ledger says they are pending. @defaultValue false */
  requeuePending?: boolean;
  signal?: AbortSignal;
}

/** Who is working on a job, for the ledger's record. */
export interface JobRun {
  workerId: string;
  /** The delivery number of the job's message (receive count). */
  attempt: number;
  /** ISO time this attempt started. */
  startedAt: string;
}

/** The final word on one attempt. */
export interface JobOutcome extends JobRun {
  status: "done" | "skipped" | "failed";
  endedAt: string;
  /** Bytes copied (done) or the object size as seen by the attempt. */
  bytes?: number;
  sourceEtag?: string;
  sourceVersionId?: string;
  destinationEtag?: string;
  /** Why it failed or was skipped. */
  reason?: string;
}

/** Source ETag/versionId a destination object was copied from, as the ledger recorded it. */
export type CopiedFrom = CopyRecord;

/**
 * The record of every object of every migration, and the counters that make a report
 * cheap. DynamoDB and SQLite implement it; one contract suite tests both. Write budget per
 * object copied: one at enqueue, one at finish, plus one resume point for multipart copies.
 */
export interface Ledger extends CopyRecords {
  /**
   * Records jobs as queued, skipping those already queued or running from the same source
   * ETag and versionId (unless `requeuePending`: the queue is known to be empty, so such
   * items are stale); returns the jobs to send.
   */
  enqueue(jobs: readonly Job[], now: Date, options?: EnqueueOptions): Promise<Job[]>;
  /** Records the outcome; false when another attempt already recorded the same done copy. */
  finish(job: Job, outcome: JobOutcome, signal?: AbortSignal): Promise<boolean>;
  /** Notes a transient failure of an attempt that will be retried (no counter change). */
  noteError(job: Job, run: JobRun, reason: string, signal?: AbortSignal): Promise<void>;
  get(job: Pick<Job, "migration" | "source">, signal?: AbortSignal): Promise<LedgerItem | undefined>;
  /** The transfer engine's resume store for one attempt: saving marks the item `running`. */
  resumeStore(run: JobRun): ResumeStore;
  /** Batched lookup for the compare: what each source key's copy was made from (done items only). */
  copiedFrom(migration: string, sourceKeys: string[], signal?: AbortSignal): Promise<Map<string, CopiedFrom>>;
  recordCompare(migration: string, at: Date, signal?: AbortSignal): Promise<void>;
  summary(
    migration: string,
    options?: { failureLimit?: number; signal?: AbortSignal },
  ): Promise<LedgerSummary>;
  /** Names of the migrations the ledger knows of (a compare or an object recorded), sorted. */
  migrations(signal?: AbortSignal): Promise<string[]>;
  close(): Promise<void>;
}
