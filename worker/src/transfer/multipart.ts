import { setMaxListeners } from "node:events";
import {
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { AbortError } from "../errors.js";
import { type CopyContext, type Pin, type SourceObject, send } from "./context.js";
import { deleteDestination } from "./destination.js";
import { IntegrityError, SourceChangedError, SourceMissingError, TransferError } from "./errors.js";
import { carriedMetadata } from "./metadata.js";
import { OrderedMd5 } from "./ordered-md5.js";
import { isPlainMd5, md5Hex, multipartEtag, type PartPlan, partRange, unquote } from "./plan.js";
import type { TransferPool } from "./pool.js";
import { abortUpload, findResumableUpload, type ResumeLookup } from "./resume.js";
import { withRetries } from "./retry.js";
import { Semaphore } from "./semaphore.js";
import { readSource } from "./source.js";

/** CompleteMultipartUpload errors that no retry of the same upload can fix. */
const unusableUploadCodes = new Set(["InvalidPart", "InvalidPartOrder", "NoSuchUpload", "EntityTooSmall"]);

/**
 * Waits until one more part of this object may start. `partsInParallel` parts are the
 * object's own; beyond them a part may also start whenever the shared pool has a slot that
 * nothing waits for, so an object keeps connections busy that would otherwise idle (on a
 * thin long link, bytes in flight are what throughput needs; the byte budget still bounds
 * them, since every part reserves its bytes before its GET). Such a borrowed part holds no
 * unit of its own (its release is a no-op); the pool's FIFO slots keep it from crowding
 * out others, and once anything waits for a slot no part is borrowed.
 */
async function partSlot(perObject: Semaphore, pool: TransferPool, signal: AbortSignal): Promise<() => void> {
  for (;;) {
    const own = perObject.tryAcquire(1);
    if (own !== undefined) return own;
    if (pool.hasIdleSlot) return () => {};
    const stop = new AbortController();
    const either = AbortSignal.any([signal, stop.signal]);
    const waits = [perObject.nextRelease(either), pool.nextRelease(either)];
    // the loser is rejected by stop.abort() below; nobody else awaits it
    for (const w of waits) w.catch(() => {});
    try {
      await Promise.race(waits);
    } catch {
      // aborted: reported below
    } finally {
      stop.abort();
    }
    if (signal.aborted) throw new AbortError("aborted while waiting for a part slot", signal.reason);
  }
}

/** Outcome of one multipart copy. */
export interface MultipartOutcome {
  etag: string;
  partsReused: number;
}

async function startUpload(ctx: CopyContext, src: SourceObject): Promise<string> {
  const { job, o } = ctx;
  const out = await send(ctx, "destination", "CreateMultipartUpload", (c, abortSignal) =>
    c.send(
      new CreateMultipartUploadCommand({
        Bucket: job.destination.bucket,
        Key: job.destination.key,
        StorageClass: job.destination.storageClass,
        ...carriedMetadata(src, o.provenance),
      }),
      { abortSignal },
    ),
  );
  if (out.UploadId === undefined) throw new IntegrityError("CreateMultipartUpload returned no UploadId", {});
  return out.UploadId;
}

/**
 * Copies a large object part by part: resumes an unfinished upload when one fits, then
 * reads the missing parts (pinned) and uploads each with Content-MD5, checking every part
 * ETag. Parts are dispatched in order, each reserving its bytes from the shared budget
 * before its GET and releasing them once uploaded (and hashed), at most
 * `partsInParallel` at once for this object and within the shared pool's slots overall.
 * Before completing, the bytes read are checked against the source's ETag when that is
 * possible (mirrored parts, or a plain-MD5 source copied whole in this attempt); after
 * completing, the object's ETag against the local md5-of-md5s. A source that changed or
 * vanished aborts the upload; any other failure leaves it for resume.
 */
export async function copyMultipart(
  ctx: CopyContext,
  src: SourceObject,
  pin: Pin,
  plan: PartPlan,
  /** A resume lookup started early (see `lookUpResume`); one is made here otherwise. */
  lookup?: Promise<ResumeLookup>,
): Promise<MultipartOutcome> {
  const { job, o } = ctx;
  const store = o.resumeStore;
  const resumable = await findResumableUpload(ctx, src, plan, lookup);
  const uploadId = resumable?.uploadId ?? (await startUpload(ctx, src));
  await store?.save(job, {
    uploadId,
    partSize: plan.partSize,
    sourceEtag: src.etag,
    ...(src.versionId === undefined ? {} : { sourceVersionId: src.versionId }),
  });
  o.onProgress({
    type: "upload_started",
    uploadId,
    partSize: plan.partSize,
    resumed: resumable !== undefined,
  });

  const etags: (string | undefined)[] = new Array(plan.partsCount).fill(undefined);
  let reusedBytes = 0;
  for (const [n, etag] of resumable?.kept ?? []) {
    etags[n - 1] = etag;
    reusedBytes += partRange(plan, src.size, n).length;
  }
  const partsReused = resumable?.kept.size ?? 0;
  if (partsReused > 0) o.onProgress({ type: "parts_reused", count: partsReused, bytes: reusedBytes });
  o.logger.debug(
    { key: job.destination.key, uploadId, partsTotal: plan.partsCount, partsReused },
    "multipart copy planned",
  );

  const hasher =
    partsReused === 0 && isPlainMd5(src.etag) && src.serverSideEncryption !== "aws:kms"
      ? new OrderedMd5()
      : undefined;
  // Cancels sibling parts once one part has failed for good.
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  // Every part in flight or waiting for a slot listens to it: many listeners, no leak.
  setMaxListeners(0, signal);
  const pctx: CopyContext = { ...ctx, signal, retry: { ...ctx.retry, signal } };
  const perObject = new Semaphore(o.settings.partsInParallel);
  let failure: unknown;
  const fail = (err: unknown) => {
    if (failure === undefined) {
      failure = err;
      stop.abort(err);
    }
  };

  const runPart = async (n: number, releaseSlot: () => void, releaseBytes: () => void) => {
    const range = partRange(plan, src.size, n);
    // Bytes go back to the budget when the part is uploaded and, if hashing, hashed.
    let holders = hasher === undefined ? 1 : 2;
    const buffer = o.budget.buffer(range.length);
    let uploaded = false;
    const letGo = () => {
      if (--holders > 0) return;
      releaseBytes();
      // only a part that went through is surely no longer read by a request or the hasher
      if (uploaded) o.budget.recycle(buffer);
    };
    let hashing = false;
    try {
      await o.pool.run(async () => {
        const data = await withRetries(
          `part ${n} GET`,
          () => readSource(pctx, pin, range, range.length, buffer),
          pctx.retry,
        );
        o.onProgress({ type: "part_downloaded", partNumber: n, bytes: data.length });
        const md5 = md5Hex(data);
        if (hasher !== undefined) {
          hashing = true;
          hasher.add(n, data, letGo);
        }
        const contentMd5 = Buffer.from(md5, "hex").toString("base64");
        await withRetries(
          `part ${n} UploadPart`,
          async () => {
            const out = await send(pctx, "destination", "UploadPart", (c, abortSignal) =>
              c.send(
                new UploadPartCommand({
                  Bucket: job.destination.bucket,
                  Key: job.destination.key,
                  UploadId: uploadId,
                  PartNumber: n,
                  Body: data,
                  ContentLength: data.length,
                  ContentMD5: contentMd5,
                }),
                { abortSignal },
              ),
            );
            ctx.moved.bytes += data.length;
            const etag = unquote(out.ETag);
            if (etag !== md5) {
              throw new IntegrityError(
                `${o.destinationLabel} returned ETag ${etag} for part ${n} whose MD5 is ${md5}`,
                {
                  bucket: job.destination.bucket,
                  key: job.destination.key,
                  uploadId,
                },
              );
            }
          },
          pctx.retry,
        );
        etags[n - 1] = md5;
        uploaded = true;
        o.onProgress({ type: "part_uploaded", partNumber: n, bytes: data.length, uploadId });
      }, signal);
    } finally {
      releaseSlot();
      if (hasher !== undefined && !hashing) letGo();
      letGo();
    }
  };

  const tasks: Promise<void>[] = [];
  try {
    for (let n = 1; n <= plan.partsCount; n++) {
      if (etags[n - 1] !== undefined) continue;
      if (failure !== undefined) break;
      const releaseSlot = await partSlot(perObject, o.pool, signal);
      let releaseBytes: () => void;
      try {
        releaseBytes = await o.budget.acquire(partRange(plan, src.size, n).length, signal);
      } catch (err) {
        releaseSlot();
        throw err;
      }
      tasks.push(runPart(n, releaseSlot, releaseBytes).catch(fail));
    }
  } catch (err) {
    fail(err);
  }
  await Promise.all(tasks);
  if (failure !== undefined) {
    hasher?.dispose();
    if (failure instanceof SourceChangedError || failure instanceof SourceMissingError) {
      // Parts of a version that no longer exists are worthless; leave nothing behind.
      await abortUpload({ ...ctx, signal: AbortSignal.timeout(30_000) }, uploadId);
      await store?.clear(job);
    }
    throw failure;
  }

  const local = multipartEtag(etags as string[]);
  const readMismatch =
    (plan.mirrored && local !== src.etag) || (hasher !== undefined && hasher.digest() !== src.etag);
  if (readMismatch) {
    await abortUpload(ctx, uploadId);
    await store?.clear(job);
    throw new IntegrityError(
      `bytes read from ${o.sourceLabel} do not match the source ETag ${src.etag}; upload aborted`,
      {
        bucket: job.source.bucket,
        key: job.source.key,
        uploadId,
      },
    );
  }
  let done: CompleteMultipartUploadCommandOutput;
  try {
    done = await send(ctx, "destination", "CompleteMultipartUpload", (c, abortSignal) =>
      c.send(
        new CompleteMultipartUploadCommand({
          Bucket: job.destination.bucket,
          Key: job.destination.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((etag, i) => ({ PartNumber: i + 1, ETag: `"${etag}"` })) },
        }),
        { abortSignal },
      ),
    );
  } catch (err) {
    // The upload cannot be completed as it stands (a part vanished or changed): start over
    // rather than fail the same way on every redelivery.
    if (!(err instanceof TransferError) || !unusableUploadCodes.has(err.code)) throw err;
    await abortUpload(ctx, uploadId);
    await store?.clear(job);
    throw new IntegrityError(
      `${o.destinationLabel} refused to complete upload ${uploadId} (${err.code}); starting over`,
      {
        bucket: job.destination.bucket,
        key: job.destination.key,
        uploadId,
      },
    );
  }
  await store?.clear(job);
  const finalEtag = unquote(done.ETag);
  if (finalEtag !== local) {
    await deleteDestination(ctx, done.VersionId);
    throw new IntegrityError(
      `${o.destinationLabel} completed the upload with ETag ${finalEtag}, expected ${local}; object removed`,
      {
        bucket: job.destination.bucket,
        key: job.destination.key,
        uploadId,
      },
    );
  }
  return { etag: local, partsReused };
}
