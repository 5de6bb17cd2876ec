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
