import { LongbowError } from "../errors.js";
import type { Job } from "../job/index.js";
import { classifyS3Error, s3ErrorCode } from "../s3/index.js";
import type { CopyContext, Pin, SourceObject } from "./context.js";
import { headDestination, identicalBy } from "./destination.js";
import {
  AccessError,
  IntegrityError,
  JobTimeoutError,
  NeedsRestoreError,
  ReadMismatchError,
  SourceChangedError,
  SourceMissingError,
} from "./errors.js";
import { etagPartsCount, isMultipartMd5, isPlainMd5 } from "./etag.js";
import { copyMultipart } from "./multipart.js";
import { type CopyOptions, resolveCopyOptions } from "./options.js";
import { planCopy } from "./plan-copy.js";
import type { VerificationLevel } from "./read-proof.js";
import type { CopyResult } from "./result.js";
import { lookUpResume, type ResumeLookup } from "./resume.js";
import { copyListedSmall, copySmall } from "./small.js";
import { headSource } from "./source.js";

/** A job's versionId, unless it is absent or the original's "null" placeholder. */
export function jobVersion(job: Job): string | undefined {
  const v = job.source.versionId;
  return v === undefined || v === "" || v === "null" ? undefined : v;
}

export function pinFor(ctx: CopyContext, src: SourceObject): Pin {
  const wanted =
    jobVersion(ctx.job) ??
    (ctx.o.getObjectWithVersionId || ctx.o.updateVersionId ? src.versionId : undefined);
  return wanted !== undefined && wanted !== "null" ? { versionId: wanted } : { ifMatch: src.etag };
}

/** A source copied in parts as it was uploaded: any multipart source, or one above the threshold. */
function goesMultipart(ctx: CopyContext, src: SourceObject): boolean {
  return src.size > ctx.o.settings.multipartThreshold || (src.partsCount ?? 1) > 1;
}

/** What an identical destination proves: equal MD5-form ETags prove the bytes; provenance rests on the earlier copy. */
function identicalLevel(src: SourceObject, by: "etag" | "provenance"): VerificationLevel | undefined {
  const md5Form = isPlainMd5(src.etag) || isMultipartMd5(src.etag);
  return by === "etag" && src.etagIsContentMd5 && md5Form ? "source-etag" : undefined;
}

export function failure(
  err: unknown,
  timedOut: JobTimeoutError | undefined,
): Pick<CopyResult, "status" | "error" | "errorCode" | "retryable"> {
  if (err instanceof SourceMissingError)
    return { status: "source-missing", error: err.message, errorCode: err.code, retryable: false };
  if (err instanceof NeedsRestoreError)
    return { status: "needs-restore", error: err.message, errorCode: err.code, retryable: false };
  if (err instanceof SourceChangedError)
    return { status: "source-changed", error: err.message, errorCode: err.code, retryable: false };
  if (timedOut !== undefined)
    return { status: "failed", error: timedOut.message, errorCode: timedOut.code, retryable: true };
  if (err instanceof AccessError)
    return { status: "failed", error: err.message, errorCode: err.code, retryable: false };
  if (err instanceof LongbowError) {
    // Anything but a refused credential or an impossible request may succeed on redelivery (the upload is kept).
    return {
      status: "failed",
      error: err.message,
      errorCode: err.code,
      retryable: err.retryable || (err.code !== "InvalidOption" && err.code !== "InvalidSourceLayout"),
    };
  }
  const code = s3ErrorCode(err);
  const kind = classifyS3Error(err);
  return {
    status: "failed",
    error: `${code}: ${err instanceof Error ? err.message : String(err)}`,
    errorCode: code,
    retryable: kind !== "access",
  };
}

/**
 * Copies one object from the source client to the destination client, verified and
 * resumable; the guarantees are listed in the README's "longbow cp" section.
 * Never throws for a copy failure: the outcome, with a message naming the endpoint and
 * bucket, is in the returned {@link CopyResult}. Only invalid options throw.
 */
export async function copyObject(job: Job, options: CopyOptions): Promise<CopyResult> {
  const o = resolveCopyOptions(options);
  const started = o.clock();
  const timeoutMs = o.settings.jobTimeoutSeconds * 1000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = o.signal === undefined ? timeout : AbortSignal.any([o.signal, timeout]);
  const log = o.logger.child({ migration: job.migration, bucket: job.source.bucket, key: job.source.key });
  const retried = { requests: 0 };
  const ctx: CopyContext = {
    job,
    o,
    signal,
    retry: {
      maxAttempts: o.settings.maxRetries,
      baseDelayMs: o.retryBaseDelayMs,
      signal,
      logger: log,
      onProgress: o.onProgress,
      retried,
    },
    moved: { bytes: 0 },
    retried,
  };
  let partsTotal = 0;
  let partsReused = 0;
  let src: SourceObject | undefined;
  const base = (): Omit<CopyResult, "status"> => ({
    bytes: ctx.moved.bytes,
    partsTotal,
    partsReused,
    retries: retried.requests,
    durationMs: o.clock() - started,
    ...(src === undefined ? {} : { sourceEtag: src.etag }),
    ...(src?.versionId === undefined ? {} : { sourceVersionId: src.versionId }),
  });
  const copied = (
    destinationEtag: string,
    verification: VerificationLevel,
    readProof?: VerificationLevel,
  ): CopyResult => {
    const result: CopyResult = {
      status: "copied",
      ...base(),
      destinationEtag,
      verification,
      ...(readProof === undefined ? {} : { readProof }),
    };
    log.info(
      {
        bytes: result.bytes,
        partsTotal,
        partsReused,
        verification,
        ...(readProof === undefined ? {} : { readProof }),
        retries: result.retries,
        durationMs: result.durationMs,
      },
      "object copied",
    );
    return result;
  };
  // A copy whose bytes did not verify is made again from the start, a few times.
  const verified = async <T>(copy: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await copy();
      } catch (err) {
        if (!(err instanceof IntegrityError) || attempt >= o.maxCopyAttempts) throw err;
        log.warn({ attempt, reason: err.message }, "verification failed; copying again");
        o.onProgress({ type: "copy_restarted", attempt, reason: err.message });
      }
    }
  };
  try {
    const listed = job.source.size;
    const listedInParts = (etagPartsCount(job.source.etag ?? "") ?? 1) > 1;
    if (listed !== undefined && listed <= o.settings.multipartThreshold && !o.redelivered && !listedInParts) {
      const out = await verified(() => copyListedSmall(ctx, jobVersion(job), listed));
      if (out.src !== undefined) {
        src = out.src;
        partsTotal = 1;
        return copied(out.etag, out.verification, out.readProof);
      }
      log.debug({ listedSize: listed }, "object grew since it was listed; copying it the long way");
    }
    // A fresh job listed as large will most likely go multipart: look for an upload to
    // resume beside the HEADs rather than after them (one round trip less on a long link).
    // If the destination is identical after all, that List was spent; a redelivered job,
    // the usual way to meet an identical object, still costs only its HEADs.
    let lookup: Promise<ResumeLookup> | undefined =
      listed !== undefined && (listed > o.settings.multipartThreshold || listedInParts) && !o.redelivered
        ? lookUpResume(ctx)
        : undefined;
    lookup?.catch(() => {});
    const [source, dest] = await Promise.all([headSource(ctx, jobVersion(job)), headDestination(ctx)]);
    src = source;
    const by = identicalBy(src, dest);
    if (by !== undefined) {
      log.debug({ by }, "destination already identical");
      const level = identicalLevel(src, by);
      return {
        status: "identical",
        ...base(),
        destinationEtag: dest?.etag,
        identicalBy: by,
        ...(level === undefined ? {} : { verification: level }),
      };
    }
    const known = src;
    const pin = pinFor(ctx, known);
    if (!goesMultipart(ctx, known)) {
      partsTotal = 1;
      o.onProgress({
        type: "copy_planned",
        key: job.source.key,
        bytesTotal: known.size,
        partsTotal: 1,
        partSize: known.size,
        multipart: false,
      });
      const out = await verified(() => copySmall(ctx, known, pin));
      return copied(out.etag, out.verification, out.readProof);
    }
    let askEveryPart = false;
    const out = await verified(async () => {
      // A copy made again after a failed verification looks afresh.
      const resume = lookup ?? lookUpResume(ctx);
      lookup = undefined;
      const planned = await planCopy(ctx, known, resume, { exactLayout: askEveryPart });
      partsTotal = planned.plan.partsCount;
      o.onProgress({
        type: "copy_planned",
        key: job.source.key,
        bytesTotal: known.size,
        partsTotal,
        partSize: planned.plan.partSize,
        multipart: true,
      });
      try {
        return await copyMultipart(ctx, known, pin, planned.plan, {
          lookup: resume,
          layoutGuessed: planned.layoutGuessed,
          sourceLayout: planned.sourceLayout,
        });
      } catch (err) {
        if (err instanceof ReadMismatchError && err.layoutGuessed) askEveryPart = true;
        throw err;
      }
    });
    partsReused = out.partsReused;
    return copied(out.etag, out.verification, out.readProof);
  } catch (err) {
    const timedOut =
      timeout.aborted && !o.signal?.aborted
        ? new JobTimeoutError(o.settings.jobTimeoutSeconds, { key: job.source.key })
        : undefined;
    const f = failure(err, timedOut);
    const result: CopyResult = { ...base(), ...f };
    if (o.signal?.aborted && f.status === "failed") {
      // an interruption, not a failure: the caller prints one summary; details at debug
      log.debug({ reason: f.error }, "copy interrupted; the upload is kept for the next run");
    } else {
      const level = f.status === "failed" ? "warn" : "info";
      log[level]({ status: f.status, errorCode: f.errorCode, retryable: f.retryable }, f.error ?? f.status);
    }
    return result;
  }
}
