import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type ListPartsCommandOutput,
} from "@aws-sdk/client-s3";
import { s3ErrorCode } from "../s3/index.js";
import { type CopyContext, type SourceObject, send } from "./context.js";
import { TransferError } from "./errors.js";
import { type PartPlan, partRange, unquote } from "./plan.js";

/** An unfinished upload to continue, with the parts that may be kept. */
export interface ResumableUpload {
  uploadId: string;
  /** ETag (unquoted) of each kept part, by part number. */
  kept: Map<number, string>;
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

/**
 * Without a resume store, the newest upload on the exact key started after the source was
 * last written. One started before could hold parts of an older version of the source, and
 * Last-Modified has one-second resolution, hence the extra second.
 */
async function findUploadOnKey(ctx: CopyContext, src: SourceObject): Promise<string | undefined> {
  const { bucket, key } = ctx.job.destination;
  const notBefore = (src.lastModified?.getTime() ?? Number.POSITIVE_INFINITY) + 1000;
  let best: { id: string; at: number } | undefined;
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
      const at = u.Initiated?.getTime() ?? 0;
      if (
        u.Key === key &&
        u.UploadId !== undefined &&
        at >= notBefore &&
        (best === undefined || at > best.at)
      ) {
        best = { id: u.UploadId, at };
      }
    }
    if (!page.IsTruncated) return best?.id;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
    if (keyMarker === undefined && uploadIdMarker === undefined) return best?.id;
  }
}

/** Every part S3 holds for the upload (ListParts, all pages); `undefined` if the upload is gone. */
async function listAllParts(
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

/**
 * Finds the upload to continue: the resume store's (if it was started from this same
 * source ETag/version; otherwise it is aborted), else the newest fitting one on the exact
 * key. Keeps the parts S3 holds with exactly the planned size; others will be re-sent.
 */
export async function findResumableUpload(
  ctx: CopyContext,
  src: SourceObject,
  plan: PartPlan,
): Promise<ResumableUpload | undefined> {
  const store = ctx.o.resumeStore;
  let uploadId: string | undefined;
  const point = await store?.load(ctx.job);
  if (point !== undefined) {
    const sameSource =
      point.sourceEtag === src.etag &&
      (point.sourceVersionId === undefined || point.sourceVersionId === src.versionId);
    if (sameSource) {
      uploadId = point.uploadId;
    } else {
      ctx.o.logger.info(
        { key: ctx.job.destination.key, uploadId: point.uploadId },
        "source changed since the upload began; starting over",
      );
      await abortUpload(ctx, point.uploadId);
      await store?.clear(ctx.job);
    }
  } else {
    uploadId = await findUploadOnKey(ctx, src);
  }
  if (uploadId === undefined) return undefined;
  const parts = await listAllParts(ctx, uploadId);
  if (parts === undefined) {
    await store?.clear(ctx.job);
    return undefined;
  }
  const kept = new Map<number, string>();
  for (const [n, p] of parts) {
    if (n <= plan.partsCount && p.size === partRange(plan, src.size, n).length) kept.set(n, p.etag);
  }
  return { uploadId, kept };
}
