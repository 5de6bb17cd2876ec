import type { Job } from "../job/job.js";

/** What a later attempt needs to resume an unfinished multipart upload. */
export interface ResumePoint {
  uploadId: string;
  /** Part size the upload was planned with; parts of another size are never reused. */
  partSize: number;
  /** Source ETag and versionId the upload was started from; a different source restarts. */
  sourceEtag?: string;
  sourceVersionId?: string;
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
