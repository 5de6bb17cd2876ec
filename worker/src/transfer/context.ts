import { GetObjectCommand, type HeadObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import type { Job } from "../job/index.js";
import type { Logger } from "../log/index.js";
import { CredentialsError, classifyS3Error, s3ErrorCode, s3HttpStatus } from "../s3/index.js";
import type { SourceChecksum } from "./checksum.js";
import {
  AccessError,
  NeedsRestoreError,
  SourceChangedError,
  SourceMissingError,
  TransferError,
} from "./errors.js";
import type { ResolvedCopyOptions } from "./options.js";
import type { RetryOptions } from "./retry.js";

/** What the source HEAD told us at the start; every later read is pinned to it. */
export interface SourceObject {
  size: number;
  /** ETag without quotes. */
  etag: string;
  versionId: string | undefined;
  lastModified: Date | undefined;
  serverSideEncryption: string | undefined;
  /** False for SSE-KMS and SSE-C sources: their ETag is not an MD5 of the content. */
  etagIsContentMd5: boolean;
  /** The additional checksum the source reported (HEAD with ChecksumMode), if any. */
  checksum: SourceChecksum | undefined;
  /** True when the source was asked for its checksum (so `checksum` undefined means it has none). */
  checksumAsked: boolean;
  /** Tags on the source, when a GET said (a HEAD does not). */
  tagCount?: number;
  /** Parts count of a multipart source, from its ETag. */
  partsCount: number | undefined;
  /** The HEAD answer's fields that travel with the object (see metadata.ts). */
  head: HeadObjectCommandOutput;
}

/** How every read of the source is pinned to one version. */
export type Pin = { versionId: string } | { ifMatch: string };

/** Everything one copy attempt needs; built once by `copyObject`. */
export interface CopyContext {
  job: Job;
  o: ResolvedCopyOptions;
  /** The caller's signal and the job timeout, combined. */
  signal: AbortSignal;
  retry: RetryOptions;
  /** Bytes uploaded so far by this call (all attempts). */
  moved: { bytes: number };
  /** Request attempts that failed and were tried again, so far (SDK retries and re-reads). */
  retried: { requests: number };
}

/**
 * One copy's context: the caller's signal and the job timeout combined, request retries
 * counted, log lines naming the object. `timeout` tells a timed-out copy from a cancelled one.
 */
export function copyContextFor(
  job: Job,
  o: ResolvedCopyOptions,
): { ctx: CopyContext; timeout: AbortSignal; log: Logger } {
  const timeout = AbortSignal.timeout(o.settings.jobTimeoutSeconds * 1000);
  const signal = o.signal === undefined ? timeout : AbortSignal.any([o.signal, timeout]);
  const retried = { requests: 0 };
  const log = o.logger.child({ migration: job.migration, bucket: job.source.bucket, key: job.source.key });
  const retry: RetryOptions = {
    maxAttempts: o.settings.maxRetries,
    baseDelayMs: o.retryBaseDelayMs,
    signal,
    logger: log,
    onProgress: o.onProgress,
    retried,
  };
  return { ctx: { job, o, signal, retry, moved: { bytes: 0 }, retried }, timeout, log };
}

/** Attempts the SDK made for one request, from its answer's or its error's metadata. */
function attemptsOf(outcome: unknown): number {
  const m = (outcome as { $metadata?: { attempts?: unknown } } | null)?.$metadata;
  return typeof m?.attempts === "number" ? m.attempts : 1;
}

export type Side = "source" | "destination";

/**
 * Turns an S3 failure into the engine's error for it, naming the endpoint and bucket
 * (never a credential): access errors, a missing source, a changed source, or a
 * TransferError whose `retryable` follows the S3 error.
 */
export function translateS3Error(ctx: CopyContext, side: Side, op: string, err: unknown): unknown {
  const kind = classifyS3Error(err);
  // credentials that could not be found say so themselves (side, endpoint, what to do)
  if (kind === "aborted" || err instanceof TransferError || err instanceof CredentialsError) return err;
  const bucket = side === "source" ? ctx.job.source.bucket : ctx.job.destination.bucket;
  const key = side === "source" ? ctx.job.source.key : ctx.job.destination.key;
  const label = side === "source" ? ctx.o.sourceLabel : ctx.o.destinationLabel;
  const code = s3ErrorCode(err);
  const context = { migration: ctx.job.migration, endpoint: label, bucket, key, operation: op };
  if (side === "source" && code === "InvalidObjectState") return needsRestore(ctx, undefined, err);
  switch (kind) {
    case "access":
      return new AccessError(
        `${code}: ${label} refused ${op} on bucket '${bucket}' (key '${key}'); check the ${side} credentials and permissions`,
        code,
        context,
        err,
      );
    case "not-found":
      if (side === "source") {
        return new SourceMissingError(
          `source s3://${bucket}/${key} not found on ${label} (${code})`,
          context,
          err,
        );
      }
      break;
    case "precondition":
      if (side === "source") {
        return new SourceChangedError(
          `source s3://${bucket}/${key} changed on ${label} during the copy (${op} precondition failed)`,
          context,
          err,
        );
      }
      break;
  }
  return new TransferError(code, `${op} on ${label} bucket '${bucket}' failed: ${code}`, {
    cause: err,
    context,
    retryable: kind === "transient",
  });
}

/** The error for an archived source, naming it and what to do. */
export function needsRestore(
  ctx: CopyContext,
  storageClass: string | undefined,
  cause?: unknown,
): NeedsRestoreError {
  const { bucket, key } = ctx.job.source;
  const cls = storageClass === undefined ? "an archive class" : storageClass;
  return new NeedsRestoreError(
    `needs restore: source s3://${bucket}/${key} on ${ctx.o.sourceLabel} is in ${cls} and not restored; restore it (RestoreObject, or S3 Batch Operations for many) and run the migration again`,
    { migration: ctx.job.migration, bucket, key },
    cause,
  );
}

const bodylessCodes = new Set(["Unknown", "Forbidden", "403", "UnknownError"]);

/**
 * A HEAD answered 403 carries no body, so no error code: InvalidAccessKeyId,
 * SignatureDoesNotMatch and AccessDenied look the same, and a missing key reads as 403
 * without s3:ListBucket. One ranged GET of the same key asks S3 for the real code.
 */
export async function explainForbiddenHead(ctx: CopyContext, side: Side, err: unknown): Promise<unknown> {
  if (s3HttpStatus(err) !== 403 || !bodylessCodes.has(s3ErrorCode(err))) return err;
  const client = side === "source" ? ctx.o.source : ctx.o.destination;
  const { bucket, key } = side === "source" ? ctx.job.source : ctx.job.destination;
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: "bytes=0-0" }), {
      abortSignal: ctx.signal,
    });
    await out.Body?.transformToByteArray();
    return err;
  } catch (detail) {
    return classifyS3Error(detail) === "aborted" ? err : detail;
  }
}

/** Sends `cmd` on `client` with the copy's signal, translating failures. */
export async function send<T>(
  ctx: CopyContext,
  side: Side,
  op: string,
  call: (client: S3Client, abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const client = side === "source" ? ctx.o.source : ctx.o.destination;
  try {
    const out = await call(client, ctx.signal);
    ctx.retried.requests += attemptsOf(out) - 1;
    return out;
  } catch (err) {
    ctx.retried.requests += Math.max(0, attemptsOf(err) - 1);
    throw translateS3Error(ctx, side, op, err);
  }
}
