import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Job } from "../job/index.js";
import { classifyS3Error, s3ErrorCode } from "../s3/index.js";

/** How one deletion ended. */
export type DeletionStatus =
  /** The destination object was the expected one and is deleted. */
  | "deleted"
  /** Nothing to delete: no object at the destination key. */
  | "absent"
  /** Not deleted on purpose: rewritten since it was listed, the source has the key again, or no ETag to check. */
  | "kept"
  | "failed";

/** The outcome of {@link deleteDestinationObject}; never thrown, always returned. */
export interface DeletionResult {
  status: DeletionStatus;
  /** Bytes deleted (the listed size). */
  bytes: number;
  /** Why it was kept or failed (names the side, the bucket and the key; never a credential). */
  reason?: string;
  /** Stable code of a failure, e.g. `AccessDenied`. */
  errorCode?: string;
  /** For a failure: true = worth another attempt. */
  retryable?: boolean;
  durationMs: number;
}

/** What one deletion needs. */
export interface DeletionOptions {
  source: S3Client;
  destination: S3Client;
  /** Names the sides in messages, e.g. "china (cn-northwest-1)". */
  sourceLabel?: string;
  destinationLabel?: string;
  /**
   * The ETag (without quotes) the destination object must still have: the job's listed one,
   * else the ledger's record of the copy. Undefined: nothing proves which object is there,
   * so nothing is deleted.
   */
  expectedEtag: string | undefined;
  /**
   * HEAD the destination right before the conditional delete, for stores that may ignore
   * `If-Match` on DeleteObject (AWS S3 honours it since 2025-09). @defaultValue true
   */
  headFirst?: boolean;
  signal?: AbortSignal;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** "destination china (cn-northwest-1) s3://bucket/key": what messages name. */
const place = (side: string, label: string | undefined, at: { bucket: string; key: string }) =>
  `${side}${label ? ` ${label}` : ""} s3://${at.bucket}/${at.key}`;

const unquote = (etag: string | undefined) => etag?.replace(/"/g, "");

/**
 * Deletes one destination object in mirror mode, only if it is still the object that was
 * listed (or copied): the source must have no object at the key (a key re-created since
 * the listing is kept, its new copy is on its way), then DeleteObject carries
 * `If-Match: "<etag>"`, so an object written meanwhile is never deleted; on stores that may
 * ignore that header a HEAD right before compares the ETag first. On a versioned
 * destination bucket the delete adds a delete marker: earlier versions stay.
 */
export async function deleteDestinationObject(job: Job, o: DeletionOptions): Promise<DeletionResult> {
  const now = o.now ?? Date.now;
  const started = now();
  const src = place("source", o.sourceLabel, job.source);
  const dst = place("destination", o.destinationLabel, job.destination);
  const bytes = job.destination.size ?? 0;
  const end = (r: Omit<DeletionResult, "durationMs" | "bytes">): DeletionResult => ({
    bytes: r.status === "deleted" ? bytes : 0,
    ...r,
    durationMs: now() - started,
  });
  const failed = (err: unknown, where: string, what: string): DeletionResult => {
    const kind = classifyS3Error(err);
    const code = s3ErrorCode(err);
    const hint = kind === "access" ? ": check that side's credentials and bucket policy" : "";
    return end({
      status: "failed",
      reason: `${what} ${where} failed: ${code}${hint}`,
      errorCode: code,
      retryable: kind !== "access" && kind !== "other",
    });
  };
  const expected = unquote(o.expectedEtag);
  if (expected === undefined || expected === "") {
    return end({
      status: "kept",
      reason: `not deleted: no listed ETag and no ledger record of a copy proves which object is at ${dst}`,
    });
  }
  const head = async (client: S3Client, bucket: string, key: string) =>
    client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: o.signal });
  try {
    await head(o.source, job.source.bucket, job.source.key);
    return end({ status: "kept", reason: `not deleted: the ${src} exists again; it is copied, not deleted` });
  } catch (err) {
    if (classifyS3Error(err) !== "not-found") return failed(err, src, "HEAD");
  }
  if (o.headFirst ?? true) {
    try {
      const found = unquote((await head(o.destination, job.destination.bucket, job.destination.key)).ETag);
      if (found !== expected) {
        return end({
          status: "kept",
          reason: `not deleted: ${dst} has ETag ${found ?? "(none)"}, not the listed ${expected}; it was written since`,
        });
      }
    } catch (err) {
      if (classifyS3Error(err) === "not-found") return end({ status: "absent" });
      return failed(err, dst, "HEAD");
    }
  }
  try {
    await o.destination.send(
      new DeleteObjectCommand({
        Bucket: job.destination.bucket,
        Key: job.destination.key,
        IfMatch: `"${expected}"`,
      }),
      { abortSignal: o.signal },
    );
    return end({ status: "deleted" });
  } catch (err) {
    const kind = classifyS3Error(err);
    if (kind === "precondition") {
      return end({
        status: "kept",
        reason: `not deleted: ${dst} no longer has the listed ETag ${expected} (If-Match failed); it was written since`,
      });
    }
    if (kind === "not-found") return end({ status: "absent" });
    return failed(err, dst, "DeleteObject");
  }
}
