import { LongbowError } from "../errors.js";
import type { Job, PartRange } from "../job/index.js";
import { classifyS3Error, EndpointUnreachableError } from "../s3/index.js";
import { completedObject } from "./completed-upload.js";
import { type CopyContext, copyContextFor, type Pin, type SourceObject } from "./context.js";
import { failure, jobVersion, pinFor } from "./copy-object.js";
import { headDestination, identicalBy } from "./destination.js";
import { destinationEtagIsMd5 } from "./destination-etag.js";
import { IntegrityError, JobTimeoutError, TransferError } from "./errors.js";
import { completeUpload, type OpenUpload, openUpload, proveRead, transferParts } from "./multipart.js";
import { type CopyOptions, resolveCopyOptions } from "./options.js";
import { PartPlan } from "./part-plan.js";
import { planCopy } from "./plan-copy.js";
import { proofFor, type ReadProof } from "./read-proof.js";
import type { CopyResult } from "./result.js";
import { abortUpload, listAllParts, lookUpResume } from "./resume.js";
import type { ResumePoint } from "./resume-store.js";
import { headSource } from "./source.js";

/**
 * The engine's steps for one giant object copied by a whole fleet: the splitting worker
 * opens the one multipart upload and cuts the plan into part ranges; any worker copies a
 * range into it with the engine's own part transfer (budget, pool, Content-MD5, pinned
 * reads); the worker that finishes the last range proves and completes it as a
 * single-worker copy does. The ledger and queue side is the runner's (see fanout/).
 */

/**
 * How far the ranges taper: each takes at most 1/`taper` of the parts not yet cut, so a
 * fleet of up to this many workers taking them in order ends within one of the smallest
 * ranges of each other, and never smaller than 1/`taper` of `partsPerRange`.
 */
const taper = 8;

/**
 * Parts `first`..`last` of each range, in order: `partsPerRange` parts each while the rest of
 * the object is large, then tapering (each range an eighth of the parts left, down to an
 * eighth of `partsPerRange`). Equal ranges end unevenly: 16 ranges over 3 workers leave two
 * idle while the third copies its sixth, and an object of 4 ranges gives a third worker
 * nothing; the tail of small ranges lets whoever finishes first take the last parts.
 */
export function splitRanges(partsCount: number, partsPerRange: number): { first: number; last: number }[] {
  const smallest = Math.max(1, Math.ceil(partsPerRange / taper));
  const out: { first: number; last: number }[] = [];
  for (let first = 1; first <= partsCount; ) {
    const left = partsCount - first + 1;
    const size = Math.min(left, partsPerRange, Math.max(smallest, Math.ceil(left / taper)));
    out.push({ first, last: first + size - 1 });
    first += size;
  }
  return out;
}

/** What the splitting worker found: the ranges to queue, or why the object is copied whole. */
export type FanoutOpening =
  | {
      kind: "open";
      uploadId: string;
      partsTotal: number;
      ranges: PartRange[];
      /**
       * Whether the destination's part ETags are their MD5s, by CreateMultipartUpload's
       * answer (false on SSE-KMS, the bucket's default included); undefined for an upload
       * kept from an earlier attempt, whose answer is not known here.
       */
      partEtagsAreMd5: boolean | undefined;
    }
  | { kind: "whole"; reason: string };

/**
 * Opens the shared upload of a giant object and cuts it into ranges of `partsPerRange`
 * parts: HEADs both sides, plans the copy as a single worker would (the source's own part
 * boundaries, each asked for, so the completed ETag is proven against the source's), and
 * opens the upload (a resumable one kept, else created) with its resume point saved. An
 * object already identical, below `threshold`, whose proof needs every byte read in order
 * by one reader (a plain-MD5 or full-object checksum), that fits in one range, or any
 * failure on the way: `whole`, and the caller copies it the usual way, which finds any
 * upload opened here.
 */
export async function openFanoutUpload(
  job: Job,
  options: CopyOptions,
  split: { threshold: number; partsPerRange: number },
): Promise<FanoutOpening> {
  const o = resolveCopyOptions(options);
  const { ctx } = copyContextFor(job, o);
  const whole = (reason: string): FanoutOpening => ({ kind: "whole", reason });
  try {
    const [src, dest] = await Promise.all([headSource(ctx, jobVersion(job)), headDestination(ctx)]);
    if (identicalBy(src, dest) !== undefined) return whole("the destination is already identical");
    if (!destinationEtagIsMd5(job.destination.encryption, {})) {
      // the completing worker proves the object from the part ETags ListParts gives, which
      // are no MD5s on an SSE-KMS destination
      return whole("its destination's part ETags are not MD5s (SSE-KMS)");
    }
    if (src.size < split.threshold) return whole("the object is below the fan-out threshold");
    const lookup = lookUpResume(ctx);
    lookup.catch(() => {});
    const planned = await planCopy(ctx, src, lookup, { exactLayout: true });
    const { plan } = planned;
    const proof = proofFor(src, plan, planned.sourceLayout);
    proof.dispose();
    if (proof.needsEveryPart) return whole("its proof is one digest over every byte in order (one reader)");
    if (plan.partsCount <= split.partsPerRange) return whole("its parts fit in one range");
    o.onProgress({
      type: "copy_planned",
      key: job.source.key,
      bytesTotal: src.size,
      partsTotal: plan.partsCount,
      partSize: plan.partSize,
      multipart: true,
    });
    const pin = pinFor(ctx, src);
    const upload = await openUpload(ctx, src, plan, {
      lookup,
      layoutGuessed: false,
      sourceLayout: planned.sourceLayout,
    });
    if (upload.completedEtag !== undefined) return whole("an earlier attempt completed its upload");
    const ranges = splitRanges(plan.partsCount, split.partsPerRange);
    return {
      kind: "open",
      uploadId: upload.uploadId,
      partsTotal: plan.partsCount,
      partEtagsAreMd5:
        upload.created === undefined
          ? undefined
          : destinationEtagIsMd5(job.destination.encryption, upload.created),
      ranges: ranges.map(({ first, last }, index) => ({
        uploadId: upload.uploadId,
        index,
        count: ranges.length,
        first,
        last,
        layout: plan.layout,
        mirrored: plan.mirrored,
        size: src.size,
        sourceEtag: src.etag,
        ...("versionId" in pin ? { pinVersionId: pin.versionId } : {}),
        ...(src.versionId === undefined ? {} : { sourceVersionId: src.versionId }),
        verification: proof.level === "source-etag" ? "source-etag" : "parts-only",
      })),
    };
  } catch (err) {
    return whole(`splitting failed (${err instanceof Error ? err.message : String(err)})`);
  }
}

function rangeOf(job: Job): PartRange {
  if (job.range === undefined) throw new IntegrityError("not a part-range job", { key: job.source.key });
  return job.range;
}

/** The resume point the splitting worker saved for the shared upload. */
const pointOf = (r: PartRange, plan: PartPlan): ResumePoint => ({
  uploadId: r.uploadId,
  partSize: plan.partSize,
  layout: plan.layout,
  sourceEtag: r.sourceEtag,
  ...(r.sourceVersionId === undefined ? {} : { sourceVersionId: r.sourceVersionId }),
});

const pinOf = (r: PartRange): Pin =>
  r.pinVersionId === undefined ? { ifMatch: r.sourceEtag } : { versionId: r.pinVersionId };

/** The proof the completed object gets: the source's md5-of-md5s when mirrored, else parts only. */
const rangeProof = (r: PartRange, plan: PartPlan): ReadProof =>
  proofFor(
    { etag: r.sourceEtag, etagIsContentMd5: r.verification === "source-etag", checksum: undefined },
    plan,
  );

/** The fields of a range's result besides its status. */
function base(
  ctx: CopyContext,
  r: PartRange,
  started: number,
  partsReused: number,
): Omit<CopyResult, "status"> {
  return {
    bytes: ctx.moved.bytes,
    partsTotal: r.last - r.first + 1,
    partsReused,
    retries: ctx.retried.requests,
    durationMs: ctx.o.clock() - started,
    sourceEtag: r.sourceEtag,
    ...(r.sourceVersionId === undefined ? {} : { sourceVersionId: r.sourceVersionId }),
  };
}

/**
 * A range's result, marked `transient` when it failed only for a passing reason of the
 * store or the network (throttling, a 5xx, a reset, a timeout: the requests' own retries
 * ran out), so the runner retries it without spending the object's attempts.
 */
export interface RangeCopyResult extends CopyResult {
  transient?: true;
}

/**
 * True for a failure worth another delivery that says nothing against the object: an S3
 * request that kept failing transiently, an endpoint that did not answer, a timeout. An
 * integrity failure, a refused credential or a malformed request is a real failure.
 */
export function isTransientFailure(err: unknown): boolean {
  if (
    err instanceof TransferError ||
    err instanceof EndpointUnreachableError ||
    err instanceof JobTimeoutError
  )
    return err.retryable;
  if (err instanceof LongbowError) return false;
  return classifyS3Error(err) === "transient";
}

const failed = (
  err: unknown,
): Pick<RangeCopyResult, "status" | "error" | "errorCode" | "retryable" | "transient"> => ({
  ...failure(err, undefined),
  ...(isTransientFailure(err) ? { transient: true as const } : {}),
});

/** The error a range meets when its upload is gone (completed or aborted by another worker). */
export const uploadGoneCode = "FanoutUploadGone";

/**
 * Copies one range into the shared upload: ListParts says which of its parts S3 holds
 * (at their planned size) and only the others are read and sent, with the engine's own part
 * transfer. Never throws for a copy failure: `copied` (bytes sent now), `source-changed` or
 * `source-missing` (the upload is aborted, as a single-worker copy does), or `failed`
 * (errorCode `FanoutUploadGone` when the upload no longer exists).
 */
export async function copyPartRange(job: Job, options: CopyOptions): Promise<RangeCopyResult> {
  const o = resolveCopyOptions(options);
  const { ctx } = copyContextFor(job, o);
  const r = rangeOf(job);
  const started = o.clock();
  const plan = new PartPlan(r.layout, r.mirrored);
  let kept = 0;
  try {
    const held = await listAllParts(ctx, r.uploadId);
    if (held === undefined) {
      return {
        ...base(ctx, r, started, 0),
        status: "failed",
        error: `upload ${r.uploadId} of s3://${job.destination.bucket}/${job.destination.key} on ${o.destinationLabel} no longer exists`,
        errorCode: uploadGoneCode,
        retryable: false,
      };
    }
    const upload: OpenUpload = { uploadId: r.uploadId, kept: new Map(), point: pointOf(r, plan) };
    for (let n = r.first; n <= r.last; n++) {
      const p = held.get(n);
      if (p !== undefined && p.size === plan.range(n).length) upload.kept.set(n, p.etag);
    }
    kept = upload.kept.size;
    if (kept > 0) {
      let bytes = 0;
      for (const n of upload.kept.keys()) bytes += plan.range(n).length;
      o.onProgress({ type: "parts_reused", count: kept, bytes });
    }
    await transferParts(ctx, pinOf(r), plan, upload, rangeProof(r, plan), r);
    return { ...base(ctx, r, started, kept), status: "copied" };
  } catch (err) {
    return { ...base(ctx, r, started, kept), ...failed(err) };
  }
}

/**
 * Completes the shared upload once every range is done, exactly as a single-worker copy
 * ends: every part S3 holds at its planned size (ListParts), the read proven against the
 * source's ETag when the plan mirrors it, CompleteMultipartUpload, and the completed ETag
 * checked against the md5-of-md5s (a mismatch removes the object). An upload already gone
 * whose destination carries the source's ETag was completed by an earlier delivery.
 */
export async function completeFanoutUpload(
  job: Job,
  options: CopyOptions,
  destination: { partEtagsAreMd5: boolean },
): Promise<RangeCopyResult> {
  const o = resolveCopyOptions(options);
  const { ctx } = copyContextFor(job, o);
  const r = rangeOf(job);
  const started = o.clock();
  const plan = new PartPlan(r.layout, r.mirrored);
  const result = (etag: string, verification: CopyResult["verification"]): CopyResult => ({
    ...base(ctx, r, started, 0),
    status: "copied",
    partsTotal: plan.partsCount,
    destinationEtag: etag,
    ...(verification === undefined ? {} : { verification }),
  });
  try {
    const held = await listAllParts(ctx, r.uploadId);
    if (held === undefined) {
      // completed by an earlier delivery whose answer was lost, when the destination holds
      // exactly what that Complete asked for (the resume point's `completing`)
      const asked = (await o.resumeStore?.load(job))?.completing;
      const expected = asked ?? (r.verification === "source-etag" ? r.sourceEtag : undefined);
      if (expected !== undefined && (await completedObject(ctx, expected))) {
        await o.resumeStore?.clear(job);
        return result(expected, r.verification === "source-etag" ? "source-etag" : "parts-only");
      }
      throw new IntegrityError(
        `upload ${r.uploadId} vanished before it was completed and ${o.destinationLabel} does not hold the object`,
        { bucket: job.destination.bucket, key: job.destination.key, uploadId: r.uploadId },
      );
    }
    const etags: string[] = [];
    for (let n = 1; n <= plan.partsCount; n++) {
      const p = held.get(n);
      if (p === undefined || p.size !== plan.range(n).length) {
        throw new IntegrityError(
          `part ${n} of upload ${r.uploadId} is missing on ${o.destinationLabel} although its range was recorded done`,
          { bucket: job.destination.bucket, key: job.destination.key, uploadId: r.uploadId },
        );
      }
      etags.push(p.etag);
    }
    const upload: OpenUpload = { uploadId: r.uploadId, kept: new Map(), point: pointOf(r, plan) };
    if (!destination.partEtagsAreMd5) {
      // SSE-KMS (or not known): the part ETags ListParts gives are no MD5s, and the MD5s the
      // ranges computed from the bytes they read stayed with their workers. What stands:
      // every part at its planned size, each accepted by S3 against the Content-MD5 of the
      // bytes read (pinned to the source version or ETag seen at the split). Neither the
      // read nor the completed object is checked against the source's ETag.
      const parts = etags.map((etag) => ({ md5: etag, etag, confirmed: false }));
      const done = await completeUpload(ctx, upload, parts);
      return result(done.etag, "content-md5");
    }
    const proof = rangeProof(r, plan);
    const src: Pick<SourceObject, "etag"> = { etag: r.sourceEtag };
    await proveRead(ctx, src, upload, proof, etags, false);
    const parts = etags.map((etag) => ({ md5: etag, etag, confirmed: true }));
    const done = await completeUpload(ctx, upload, parts);
    // an SSE-KMS answer to the Complete (against what the split saw) leaves it unchecked
    if (!done.confirmed) return { ...result(done.etag, "content-md5"), readProof: proof.level };
    return result(done.etag, proof.level);
  } catch (err) {
    return { ...base(ctx, r, started, 0), partsTotal: plan.partsCount, ...failed(err) };
  }
}

/** Aborts a fanned-out object's upload (a range that can never be copied): no orphan upload stays. */
export async function abortFanoutUpload(job: Job, options: CopyOptions): Promise<void> {
  const o = resolveCopyOptions(options);
  const r = rangeOf(job);
  await abortUpload(copyContextFor(job, o).ctx, r.uploadId);
}
