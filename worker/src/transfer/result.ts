import type { VerificationLevel } from "./read-proof.js";

/** How one copy ended. */
export type CopyStatus =
  | "copied"
  | "identical"
  | "source-missing"
  | "source-changed"
  | "needs-restore"
  | "failed";

/** The outcome of `copyObject`; never thrown, always returned. */
export interface CopyResult {
  status: CopyStatus;
  /** Object bytes uploaded by this attempt (parts re-sent after a fault count again). */
  bytes: number;
  /** Parts of the plan (1 for a single PUT, 0 when nothing was planned). */
  partsTotal: number;
  /** Parts found at the destination from an earlier attempt and kept. */
  partsReused: number;
  /** ETag of the destination object, without quotes, when it is in place. */
  destinationEtag?: string;
  /** ETag of the source as seen at the start, without quotes. */
  sourceEtag?: string;
  /** Version of the source that was copied, when the bucket is versioned. */
  sourceVersionId?: string;
  /**
   * What was proven about the bytes (see {@link VerificationLevel}) for `copied`; for
   * `identical`, what the match proves (`source-etag` for equal MD5-form ETags), absent
   * when the match rests on provenance metadata (the earlier copy's record stands).
   */
  verification?: VerificationLevel;
  /** For `copied` with `verification` `content-md5`: what proved the bytes read against the source. */
  readProof?: VerificationLevel;
  /** For `identical`: the ETags are equal, or the destination's provenance names the source's ETag. */
  identicalBy?: "etag" | "provenance";
  /** Requests that failed and were tried again (SDK retries and re-read bodies), in all attempts. */
  retries: number;
  durationMs: number;
  /** Why it failed (names the endpoint and bucket; never a credential). */
  error?: string;
  /** Stable code of the failure, e.g. `AccessDenied`, `JobTimeout`, `SourceChanged`. */
  errorCode?: string;
  /** For a worker: true = leave the job for redelivery, false = dead-letter it. */
  retryable?: boolean;
}
