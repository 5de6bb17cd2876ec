import type { StorageClassChoice } from "../endpoint/index.js";

/**
 * One unit of work: copy one object, or (mirror mode, `action: "delete"`) delete one
 * destination object whose source is gone. One SQS message carries one Job as JSON; the SQLite
 * queue stores the same JSON. Never carries credentials: sides are resolved by migration name.
 */
export interface Job {
  /** Name of the migration this object belongs to (its `name` field). */
  migration: string;
  /**
   * `delete`: remove the destination object (mirror mode). The source names the key that
   * is gone (the ledger's identity of the object). @defaultValue copy
   */
  action?: "delete";
  source: {
    bucket: string;
    key: string;
    /** Size seen by the compare, if known. */
    size?: number;
    /** ETag seen by the compare (with quotes stripped), if known. */
    etag?: string;
    /** Version to copy; when set every read is pinned to it. */
    versionId?: string;
  };
  destination: {
    bucket: string;
    key: string;
    /** `preserve`: the source object's own class. @defaultValue "STANDARD" */
    storageClass?: StorageClassChoice;
    /** Whether the source's tags are copied. @defaultValue "copy" */
    tags?: ObjectTags;
    /** Server-side encryption of the written object; absent: the bucket's default. */
    encryption?: DestinationEncryption;
    /**
     * Deletions: the ETag (without quotes) the compare listed; the object is deleted only
     * while it still has it. Absent for a deletion from a source event: the ledger's
     * record of the copy decides.
     */
    etag?: string;
    /** Deletions: the size the compare listed. */
    size?: number;
  };
  /**
   * Set on a part-range job: one slice of a giant object fanned out across workers (see
   * fanout/), copied into the upload the splitting worker created. Absent on object jobs.
   */
  range?: PartRange;
}

/**
 * One slice of a fanned-out object: parts `first`..`last` of the shared multipart upload.
 * Carries the whole plan (run-length layout) and the pin, so any worker can copy it without
 * asking the source for its layout again.
 */
export interface PartRange {
  uploadId: string;
  /** 0-based position among the object's `count` ranges. */
  index: number;
  count: number;
  /** First and last part number of the slice (1-based, inclusive). */
  first: number;
  last: number;
  /** Every part's size as `[size, count]` runs: the plan the upload was created with. */
  layout: readonly (readonly [size: number, count: number])[];
  /** True when the plan follows the source's own parts (the destination ETag equals the source's). */
  mirrored: boolean;
  /** Source size and ETag (unquoted) seen by the splitting worker; every read is pinned to them. */
  size: number;
  sourceEtag: string;
  /** Reads are pinned to this version when set, else by If-Match on `sourceEtag`. */
  pinVersionId?: string;
  sourceVersionId?: string;
  /** What the completed object will be proven against (see `VerificationLevel`). */
  verification: "source-etag" | "parts-only";
}

/** True for a mirror-mode deletion. */
export const isDeletion = (job: Pick<Job, "action">): boolean => job.action === "delete";

/**
 * How the destination encrypts what Longbow writes: S3-managed keys, or one KMS key (by
 * its key ARN, in the destination's region) with or without an S3 Bucket Key
 * (`bucketKey` absent: the bucket's own setting).
 */
export type DestinationEncryption =
  | { type: "SSE-S3" }
  | { type: "SSE-KMS"; keyId: string; bucketKey?: boolean };

/** What happens to an object's tags. */
export type ObjectTags = "copy" | "none";

/** Stable identity of a job's object within a migration: the ledger's key. */
export function jobId(job: Pick<Job, "migration" | "source">): string {
  return `${job.migration}\u0000${job.source.bucket}/${job.source.key}`;
}
