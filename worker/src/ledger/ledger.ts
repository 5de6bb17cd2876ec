import type { CopyRecord, CopyRecords } from "../compare/index.js";
import type { Job } from "../job/index.js";
import type { Schedule } from "../schedule.js";
import type { PartLayout, ResumeStore, VerificationLevel } from "../transfer/index.js";

/**
 * Where one object stands. `queued` and `running` together are "pending". `deleted`: a
 * mirror-mode deletion removed the destination object (or found it already gone); never
 * a copy's state.
 */
export type ObjectStatus = "queued" | "running" | "done" | "failed" | "skipped" | "deleted";

/** The per-migration counter an object is counted in; `running` counts as `pending`. */
export type CounterBucket = "pending" | "done" | "failed" | "skipped" | "deleted";

/** Counters of done objects by what proved their bytes, and of retried requests. */
export type ExtraCounter =
  | "verifiedSourceEtag"
  | "verifiedSourceChecksum"
  | "verifiedPartsOnly"
  | "verifiedContentMd5"
  | "retries";

/** Every counter a migration keeps: objects by state, done objects by verification, retries (in `objects`). */
export type CounterKey = CounterBucket | ExtraCounter;

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
  /** Set while the object's work is a mirror-mode deletion (queued, running, deleted, or its failure or skip). */
  deletion?: true;
  /** Bytes of the object (as last seen; the destination's for a deletion). */
  size: number;
  sourceEtag?: string;
  sourceVersionId?: string;
  destinationEtag?: string;
  /** The unfinished multipart upload of the current attempt, if any (the resume point). */
  uploadId?: string;
  partSize?: number;
  /** Every part's size the unfinished upload was planned with (the source's own layout when mirrored). */
  partLayout?: PartLayout;
  /** True when `partLayout` inferred the source's middle parts rather than asking for each. */
  layoutGuessed?: boolean;
  /** Source ETag/versionId the unfinished upload was started from. */
  resumeEtag?: string;
  resumeVersionId?: string;
  /** The ETag a CompleteMultipartUpload of the unfinished upload was sent for (see `ResumePoint.completing`). */
  completingEtag?: string;
  /**
   * Attempts that ended with an outcome or a failure, over the object's whole history
   * (kept when it is queued again). Interrupted attempts are not counted.
   */
  attempts: number;
  /** Failed attempts since the object was last queued; at `maxAttempts` it is recorded failed. */
  failures?: number;
  /** Requests retried (SDK retries and re-read bodies), over the object's whole history. */
  retries?: number;
  /** What the copy at the destination proved about its bytes (done items). */
  verification?: VerificationLevel;
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

/** Done objects by what proved their bytes. */
export type VerificationCounts = Record<VerificationLevel, Tally>;

/** Bytes and objects finished in one clock hour (UTC, `YYYY-MM-DDTHH`). */
export interface HourTally extends Tally {
  hour: string;
  /** ISO time the first copy counted in this hour started (within the hour). */
  firstAt?: string;
  /** ISO time the last copy counted in this hour ended. */
  lastAt?: string;
}

/** Everything a report needs from the ledger, in a handful of reads. */
export interface LedgerSummary {
  migration: string;
  counters: MigrationCounters;
  hours: HourTally[];
  /** Done objects by verification level. */
  verified: VerificationCounts;
  /** Requests retried, over every object's history. */
  retries: number;
  /** Failed objects, oldest failure first, at most the requested number. */
  failures: LedgerItem[];
  /** Skipped objects (source changed or gone), oldest first, at most the requested number. */
  skips: LedgerItem[];
  /** ISO time the last compare (send) for this migration finished, if any. */
  lastCompareAt?: string;
  /** Objects fanned out across workers and not yet ended, with their progress by parts (at most 50). */
  fanouts?: FanoutProgress[];
}

/** One fanned-out object's progress, as a report shows it. */
export interface FanoutProgress {
  sourceKey: string;
  partsDone: number;
  partsTotal: number;
  rangesDone: number;
  rangesTotal: number;
}

export interface EnqueueOptions {
  /** Queue jobs even when the ledger says they are pending. @defaultValue false */
  requeuePending?: boolean;
  /**
   * Leave out objects the ledger recorded done from the same source ETag and version at or
   * after this time: a copy finished while the compare was listing (the destination page
   * listed before it landed) is not queued again. @defaultValue none
   */
  finishedSince?: Date;
  signal?: AbortSignal;
  /**
   * Runs each request of the call (reads and writes go at once as far as it lets them):
   * `send` passes the window it shares with the queue. @defaultValue at once
   */
  schedule?: Schedule;
}

/** Who is working on a job, for the ledger's record. */
export interface JobRun {
  workerId: string;
  /** The job's delivery number, interrupted deliveries included; not a count of failures. */
  attempt: number;
  /** ISO time this attempt started. */
  startedAt: string;
}

/** The final word on one attempt. */
export interface JobOutcome extends JobRun {
  /** `deleted` only for deletions (see {@link ObjectStatus}). */
  status: "done" | "skipped" | "failed" | "deleted";
  endedAt: string;
  /** Bytes copied (done), deleted, or the object size as seen by the attempt. */
  bytes?: number;
  sourceEtag?: string;
  sourceVersionId?: string;
  destinationEtag?: string;
  /** Why it failed or was skipped. */
  reason?: string;
  /** What the copy proved (done: copied or identical). */
  verification?: VerificationLevel;
  /** Bytes this attempt sent to the destination (0 for an identical object): what throughput counts. */
  transferredBytes?: number;
  /** False when the destination was already identical (nothing written). @defaultValue true */
  copied?: boolean;
  /** Requests this attempt retried. */
  retries?: number;
  /** True when `noteError` already counted this attempt (a failure on its last allowed attempt). */
  attemptNoted?: boolean;
}

/**
 * Where a fanned-out object stands (see fanout/): one record per object beside its item,
 * for the one multipart upload its part ranges are copied into.
 */
export interface FanoutState {
  uploadId: string;
  rangesTotal: number;
  /** Indices of the ranges copied, ascending. */
  rangesDone: number[];
  partsTotal: number;
  /** Parts of the ranges done. */
  partsDone: number;
  /** The range whose worker won the right to complete the upload, once every range is done. */
  completer?: number;
  /** `completed` once the object is in place; `aborted` when the upload was given up (source changed). */
  ended?: "completed" | "aborted";
  /** Why it was aborted. */
  reason?: string;
  /** ISO time the fan-out was opened. */
  startedAt: string;
  /**
   * Whether the destination's part ETags are their MD5s, as the upload's
   * CreateMultipartUpload answer said at the split (false: SSE-KMS, the bucket's default
   * or asked for). Absent when not known (an upload kept from an earlier attempt, a record
   * from before this field): the completion then proves no more than an SSE-KMS one.
   */
  partEtagsAreMd5?: boolean;
}

/** What a fan-out record opens with. */
export type FanoutStart = Pick<
  FanoutState,
  "uploadId" | "rangesTotal" | "partsTotal" | "startedAt" | "partEtagsAreMd5"
>;

/**
 * The ledger's record of fanned-out objects. Every call is one atomic, conditional write
 * (or read), so any number of workers finishing ranges at once agree on what is done and
 * exactly one of them completes the upload.
 */
export interface FanoutRecords {
  /**
   * Records the fan-out of `job`'s object into `uploadId`, unless that very upload is
   * recorded already (a redelivered split); a record of another upload is replaced.
   * Returns the record as stored.
   */
  openFanout(job: Job, fanout: FanoutStart, signal?: AbortSignal): Promise<FanoutState>;
  /**
   * Marks range `index` (of `parts` parts) done, once however often it is called; returns
   * the record after, or undefined when the object's record is of another upload (or none).
   */
  rangeDone(
    job: Job,
    uploadId: string,
    range: { index: number; parts: number },
    signal?: AbortSignal,
  ): Promise<FanoutState | undefined>;
  /**
   * Claims the completion of the upload for range `index`, once every range is done: true
   * for the first range to ask and for that same range again (its redelivery), false for
   * any other.
   */
  claimCompletion(job: Job, uploadId: string, index: number, signal?: AbortSignal): Promise<boolean>;
  /** Marks the fan-out ended; the first end recorded stays. */
  endFanout(
    job: Job,
    uploadId: string,
    ended: "completed" | "aborted",
    reason?: string,
    signal?: AbortSignal,
  ): Promise<void>;
  /** The object's fan-out record, if it has one. */
  fanout(job: Pick<Job, "migration" | "source">, signal?: AbortSignal): Promise<FanoutState | undefined>;
}

/** Source ETag/versionId a destination object was copied from, as the ledger recorded it. */
export type CopiedFrom = CopyRecord;

/**
 * The record of every object of every migration, and the counters that make a report
 * cheap. DynamoDB and SQLite implement it; one contract suite tests both. Write budget per
 * object copied: one at enqueue, one at finish, plus one resume point for multipart copies.
 */
export interface Ledger extends CopyRecords, FanoutRecords {
  /**
   * Records jobs as queued, skipping those already queued or running from the same source
   * ETag and versionId (unless `requeuePending`: the queue is known to be empty, so such
   * items are stale); returns the jobs to send.
   */
  enqueue(jobs: readonly Job[], now: Date, options?: EnqueueOptions): Promise<Job[]>;
  /** Records the outcome; false when another attempt already recorded the same done copy. */
  finish(job: Job, outcome: JobOutcome, signal?: AbortSignal): Promise<boolean>;
  /**
   * Notes a failed attempt (no counter change); returns the object's failures since it was
   * last queued, this one included, which decides whether it is tried again.
   */
  noteError(
    job: Job,
    run: JobRun,
    reason: string,
    options?: { retries?: number; signal?: AbortSignal },
  ): Promise<number>;
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
  /** The items of these source keys of a migration, by source key (batched reads); absent keys are left out. */
  items(
    migration: string,
    sourceKeys: readonly string[],
    signal?: AbortSignal,
  ): Promise<Map<string, LedgerItem>>;
  /** Names of the migrations the ledger knows of (a compare or an object recorded), sorted. */
  migrations(signal?: AbortSignal): Promise<string[]>;
  close(): Promise<void>;
}
