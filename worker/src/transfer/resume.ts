import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type ListPartsCommandOutput,
} from "@aws-sdk/client-s3";
import { s3ErrorCode } from "../s3/index.js";
import { completedObject } from "./completed-upload.js";
import { type CopyContext, type SourceObject, send } from "./context.js";
import { TransferError } from "./errors.js";
import { unquote } from "./etag.js";
import { type PartPlan, sameLayout, uniformLayout } from "./part-plan.js";
import type { ResumePoint } from "./resume-store.js";

/** An unfinished upload to continue, with the parts that may be kept. */
export interface ResumableUpload {
  uploadId: string;
  /** ETag (unquoted) of each kept part, by part number. */
  kept: Map<number, string>;
  /**
   * Set when an earlier attempt's CompleteMultipartUpload did finish although its answer
   * was lost: the destination holds the object with this ETag, and nothing is left to send.
   */
  completedEtag?: string;
}

/** Aborts an upload, ignoring one that is already gone. */
export async function abortUpload(ctx: CopyContext, uploadId: string): Promise<void> {
  const { bucket, key } = ctx.job.destination;
  try {
    await send(ctx, "destination", "AbortMultipartUpload", (c, abortSignal) =>
      c.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), {
        abortSignal,
      }),
    );
  } catch (err) {
    if (s3ErrorCode(err) !== "NoSuchUpload") throw err;
  }
}

/** An unfinished upload on the exact destination key, as ListMultipartUploads shows it. */
interface UploadOnKey {
  id: string;
  /** When it was initiated, in ms. */
  at: number;
}

/** Every unfinished upload on the exact destination key (ListMultipartUploads, all pages). */
async function listUploadsOnKey(ctx: CopyContext): Promise<UploadOnKey[]> {
  const { bucket, key } = ctx.job.destination;
  const found: UploadOnKey[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await send(ctx, "destination", "ListMultipartUploads", (c, abortSignal) =>
      c.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          Prefix: key,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
          MaxUploads: ctx.o.listPageSize,
        }),
        { abortSignal },
      ),
    );
    for (const u of page.Uploads ?? []) {
      if (u.Key === key && u.UploadId !== undefined)
        found.push({ id: u.UploadId, at: u.Initiated?.getTime() ?? 0 });
    }
    if (!page.IsTruncated) return found;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
    if (keyMarker === undefined && uploadIdMarker === undefined) return found;
  }
}

/**
 * Without a resume store, the newest upload on the exact key started after the source was
 * last written. One started before could hold parts of an older version of the source, and
 * Last-Modified has one-second resolution, hence the extra second.
 */
function newestAfter(uploads: UploadOnKey[], src: SourceObject): string | undefined {
  const notBefore = (src.lastModified?.getTime() ?? Number.POSITIVE_INFINITY) + 1000;
  let best: UploadOnKey | undefined;
  for (const u of uploads) if (u.at >= notBefore && (best === undefined || u.at > best.at)) best = u;
  return best?.id;
}

/** Where an unfinished upload may be recorded: the resume store's point, else the uploads on the key. */
export interface ResumeLookup {
  point: ResumePoint | undefined;
  /** Listed only when the store has no point. */
  uploads: UploadOnKey[] | undefined;
}

/**
 * Reads the resume store and, when it holds nothing, lists the uploads on the destination
 * key. Needs only the job, so a copy that expects to go multipart starts it beside its
 * HEADs: over a long link that takes one round trip off every large object's start.
 */
export async function lookUpResume(ctx: CopyContext): Promise<ResumeLookup> {
  const point = await ctx.o.resumeStore?.load(ctx.job);
  return { point, uploads: point === undefined ? await listUploadsOnKey(ctx) : undefined };
}

/** Every part S3 holds for the upload (ListParts, all pages); `undefined` if the upload is gone. */
export async function listAllParts(
  ctx: CopyContext,
  uploadId: string,
): Promise<Map<number, { size: number; etag: string }> | undefined> {
  const { bucket, key } = ctx.job.destination;
  const parts = new Map<number, { size: number; etag: string }>();
  let marker: string | undefined;
  for (;;) {
    let page: ListPartsCommandOutput;
    try {
      page = await send(ctx, "destination", "ListParts", (c, abortSignal) =>
        c.send(
          new ListPartsCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
            MaxParts: ctx.o.listPageSize,
          }),
          { abortSignal },
        ),
      );
    } catch (err) {
      if (err instanceof TransferError && err.code === "NoSuchUpload") return undefined;
      throw err;
    }
    for (const p of page.Parts ?? []) {
      const etag = unquote(p.ETag);
      if (p.PartNumber !== undefined && p.Size !== undefined && etag)
        parts.set(p.PartNumber, { size: p.Size, etag });
    }
    if (!page.IsTruncated || page.NextPartNumberMarker === undefined) return parts;
    marker = page.NextPartNumberMarker;
  }
}

/** The layout a stored resume point's upload was planned with. */
function layoutOfPoint(point: ResumePoint, size: number) {
  return point.layout ?? uniformLayout(size, point.partSize);
}

/**
 * Parts of an upload found by listing (no resume store) that fit the plan: the same size
 * as the plan's part, at the same offset (every earlier part listed at the plan's size, or
 * the upload cut uniformly by its first part's size, as every plan the engine made without
 * a store was). A part of the right size at another offset is never kept.
 */
function fittingParts(
  plan: PartPlan,
  parts: Map<number, { size: number; etag: string }>,
): Map<number, string> {
  const kept = new Map<number, string>();
  const apparentPartSize = parts.get(1)?.size ?? Math.max(0, ...[...parts.values()].map((p) => p.size));
  let prefixIntact = true;
  for (let n = 1; n <= plan.partsCount; n++) {
    const p = parts.get(n);
    const { start, length } = plan.range(n);
    const fits = p !== undefined && p.size === length;
    if (fits && (prefixIntact || start === (n - 1) * apparentPartSize)) kept.set(n, p.etag);
    prefixIntact &&= fits;
  }
  return kept;
}

/**
 * Finds the upload to continue: the resume store's (if it was started from this same
 * source ETag/version with this same plan; otherwise it is superseded and aborted), else
 * the newest fitting one on the exact key. Keeps the parts S3 holds with exactly the
 * planned size at the planned offset; others will be re-sent. `lookup` is a
 * {@link lookUpResume} already under way for this copy, if any.
 */
export async function findResumableUpload(
  ctx: CopyContext,
  src: SourceObject,
  plan: PartPlan,
  lookup: Promise<ResumeLookup> = lookUpResume(ctx),
): Promise<ResumableUpload | undefined> {
  const store = ctx.o.resumeStore;
  let uploadId: string | undefined;
  const { point, uploads } = await lookup;
  if (point !== undefined) {
    const sameSource =
      point.sourceEtag === src.etag &&
      (point.sourceVersionId === undefined || point.sourceVersionId === src.versionId);
    const samePlan = sameLayout(layoutOfPoint(point, src.size), plan.layout);
    if (sameSource && samePlan) {
      uploadId = point.uploadId;
    } else {
      ctx.o.logger.info(
        {
          key: ctx.job.destination.key,
          uploadId: point.uploadId,
          reason: sameSource ? "part plan changed" : "source changed",
        },
        "unfinished upload superseded; aborting it and starting over",
      );
      await abortUpload(ctx, point.uploadId);
      await store?.clear(ctx.job);
    }
  } else {
    uploadId = newestAfter(uploads ?? [], src);
  }
  if (uploadId === undefined) return undefined;
  const parts = await listAllParts(ctx, uploadId);
  if (parts === undefined) {
    if (point?.completing !== undefined && (await completedObject(ctx, point.completing))) {
      return { uploadId, kept: new Map(), completedEtag: point.completing };
    }
    if (point !== undefined)
      ctx.o.logger.warn(
        { key: ctx.job.destination.key, uploadId, completing: point.completing !== undefined },
        "the recorded upload is gone from the destination (aborted, or expired by a lifecycle rule); starting a new one",
      );
    await store?.clear(ctx.job);
    return undefined;
  }
  if (point !== undefined) {
    const kept = new Map<number, string>();
    for (const [n, p] of parts) {
      if (n <= plan.partsCount && p.size === plan.range(n).length) kept.set(n, p.etag);
    }
    return { uploadId, kept };
  }
  return { uploadId, kept: fittingParts(plan, parts) };
}
