import type { Job } from "../job/index.js";
import type { PartLayout } from "./part-plan.js";

/** What a later attempt needs to resume an unfinished multipart upload. */
export interface ResumePoint {
  uploadId: string;
  /** Largest part the upload was planned with. */
  partSize: number;
  /**
   * Every part's size (run-length encoded) the upload was planned with: the source's own
   * layout when mirrored, so a redelivery need not ask the source again. An upload planned
   * otherwise than the next attempt plans is aborted, never reused. Absent in points saved
   * before layouts were recorded: those were uniform cuts of `partSize`.
   */
  layout?: PartLayout;
  /** True when `layout` inferred the source's middle parts as uniform rather than asking for each. */
  layoutGuessed?: boolean;
  /** Source ETag and versionId the upload was started from; a different source restarts. */
  sourceEtag?: string;
  sourceVersionId?: string;
  /**
   * The md5-of-md5s a CompleteMultipartUpload was sent for, recorded just before it is
   * sent: S3 may finish an upload whose answer never arrived (interrupted, crashed, timed
   * out), and the next attempt then finds the upload gone. With this it can tell a finished
   * upload from a lost one instead of copying the whole object again.
   */
  completing?: string;
}

/**
 * Where the transfer engine keeps the uploadId and part size of an unfinished upload.
 * The ledger (DynamoDB or SQLite) implements it; without one the engine falls back to
 * ListMultipartUploads on the exact destination key. S3 stays the source of truth for parts.
 */
export interface ResumeStore {
  load(job: Job): Promise<ResumePoint | undefined>;
  save(job: Job, point: ResumePoint): Promise<void>;
  /** Called when the upload completed or was aborted. */
  clear(job: Job): Promise<void>;
}
