import { LongbowError } from "../errors.js";
import type { Job } from "../job/index.js";
import { classifyS3Error, s3ErrorCode } from "../s3/index.js";
import type { CopyContext, Pin, SourceObject } from "./context.js";
import { headDestination, isIdentical } from "./destination.js";
import {
  AccessError,
  IntegrityError,
  JobTimeoutError,
  SourceChangedError,
  SourceMissingError,
} from "./errors.js";
import { copyMultipart } from "./multipart.js";
import { type CopyOptions, resolveCopyOptions } from "./options.js";
import { planParts } from "./plan.js";
import type { CopyResult } from "./result.js";
import { lookUpResume } from "./resume.js";
import { copyListedSmall, copySmall } from "./small.js";
import { headSource } from "./source.js";

/** A job's versionId, unless it is absent or the original's "null" placeholder. */
function jobVersion(job: Job): string | undefined {
  const v = job.source.versionId;
  return v === undefined || v === "" || v === "null" ? undefined : v;
}

function pinFor(ctx: CopyContext, src: SourceObject): Pin {
  const wanted =
    jobVersion(ctx.job) ??
    (ctx.o.getObjectWithVersionId || ctx.o.updateVersionId ? src.versionId : undefined);
  return wanted !== undefined && wanted !== "null" ? { versionId: wanted } : { ifMatch: src.etag };
}

function failure(
  err: unknown,
  timedOut: JobTimeoutError | undefined,
): Pick<CopyResult, "status" | "error" | "errorCode" | "retryable"> {
  if (err instanceof SourceMissingError)
    return { status: "source-missing", error: err.message, errorCode: err.code, retryable: false };
  if (err instanceof SourceChangedError)
    return { status: "source-changed", error: err.message, errorCode: err.code, retryable: false };
  if (timedOut !== undefined)
    return { status: "failed", error: timedOut.message, errorCode: timedOut.code, retryable: true };
  if (err instanceof AccessError)
    return { status: "failed", error: err.message, errorCode: err.code, retryable: false };
  if (err instanceof LongbowError) {
    // Anything but a refused credential may succeed on redelivery (the upload is kept).
    return {
      status: "failed",
      error: err.message,
      errorCode: err.code,
      retryable: err.code !== "InvalidOption",
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
    },
    moved: { bytes: 0 },
  };
  let partsTotal = 0;
  let partsReused = 0;
  let src: SourceObject | undefined;
  const base = (): Omit<CopyResult, "status"> => ({
    bytes: ctx.moved.bytes,
    partsTotal,
    partsReused,
    durationMs: o.clock() - started,
    ...(src === undefined ? {} : { sourceEtag: src.etag }),
    ...(src?.versionId === undefined ? {} : { sourceVersionId: src.versionId }),
  });
  const logCopied = (result: CopyResult) =>
    log.info(
      { bytes: result.bytes, partsTotal, partsReused, durationMs: result.durationMs },
      "object copied",
    );
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
    if (listed !== undefined && listed <= o.settings.multipartThreshold && !o.redelivered) {
      const out = await verified(() => copyListedSmall(ctx, jobVersion(job), listed));
      if (out.src !== undefined) {
        src = out.src;
        partsTotal = 1;
        const result: CopyResult = { status: "copied", ...base(), destinationEtag: out.etag };
        logCopied(result);
        return result;
      }
      log.debug({ listedSize: listed }, "object grew since it was listed; copying it the long way");
    }
    // A fresh job listed as large will most likely go multipart: look for an upload to
    // resume beside the HEADs rather than after them (one round trip less on a long link).
    // If the destination is identical after all, that List was spent; a redelivered job,
    // the usual way to meet an identical object, still costs only its HEADs.
    let lookup =
      listed !== undefined && listed > o.settings.multipartThreshold && !o.redelivered
        ? lookUpResume(ctx)
        : undefined;
    lookup?.catch(() => {});
    const [source, dest] = await Promise.all([headSource(ctx, jobVersion(job)), headDestination(ctx)]);
    src = source;
    if (isIdentical(src, dest)) {
      log.debug("destination already identical");
      return { status: "identical", ...base(), destinationEtag: dest?.etag };
    }
    const pin = pinFor(ctx, src);
    const multipart = src.size > o.settings.multipartThreshold;
    const plan = multipart
      ? planParts({
          size: src.size,
          fixedPartSize: o.settings.partSize,
          minPartSize: o.minPartSize,
          sourcePartsCount: src.partsCount,
          sourceFirstPartSize: src.firstPartSize,
        })
      : undefined;
    partsTotal = plan?.partsCount ?? 1;
    o.onProgress({
      type: "copy_planned",
      key: job.source.key,
      bytesTotal: src.size,
      partsTotal,
      partSize: plan?.partSize ?? src.size,
      multipart,
    });
    const known = src;
    const destinationEtag = await verified(async () => {
      if (plan === undefined) return copySmall(ctx, known, pin);
      // A copy made again after a failed verification looks afresh.
      const early = lookup;
      lookup = undefined;
      const out = await copyMultipart(ctx, known, pin, plan, early);
      partsReused = out.partsReused;
      return out.etag;
    });
    const result: CopyResult = { status: "copied", ...base(), destinationEtag };
    logCopied(result);
    return result;
  } catch (err) {
    const timedOut =
      timeout.aborted && !o.signal?.aborted
        ? new JobTimeoutError(o.settings.jobTimeoutSeconds, { key: job.source.key })
        : undefined;
    const f = failure(err, timedOut);
    const result: CopyResult = { ...base(), ...f };
    const level = f.status === "failed" ? "warn" : "info";
    log[level]({ status: f.status, errorCode: f.errorCode, retryable: f.retryable }, f.error ?? f.status);
    return result;
  }
}
