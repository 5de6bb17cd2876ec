import {
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommand,
} from "@aws-sdk/client-s3";
import { completedObject } from "./completed-upload.js";
import { type CopyContext, type Pin, type SourceObject, send } from "./context.js";
import { deleteDestination } from "./destination.js";
import { destinationEtagIsMd5, type WriteAnswer } from "./destination-etag.js";
import {
  IntegrityError,
  ReadMismatchError,
  SourceChangedError,
  SourceMissingError,
  TransferError,
} from "./errors.js";
import { multipartEtag, unquote } from "./etag.js";
import type { PartLayout, PartPlan } from "./part-plan.js";
import { type PartSent, partSlot, runPart } from "./part-transfer.js";
import { proofFor, type ReadProof, type VerificationLevel } from "./read-proof.js";
import { abortUpload, findResumableUpload, type ResumeLookup } from "./resume.js";
import type { ResumePoint } from "./resume-store.js";
import { Semaphore } from "./semaphore.js";
import { writeFields } from "./write-fields.js";

/** CompleteMultipartUpload errors that no retry of the same upload can fix. */
const unusableUploadCodes = new Set(["InvalidPart", "InvalidPartOrder", "NoSuchUpload", "EntityTooSmall"]);

/** Outcome of one multipart copy. */
export interface MultipartOutcome {
  etag: string;
  partsReused: number;
  verification: VerificationLevel;
  /** What proved the bytes read, when `verification` is `content-md5`. */
  readProof?: VerificationLevel;
}

/** How the plan of a multipart copy came about. */
export interface MultipartPlanOrigin {
  /** A resume lookup started early (see `lookUpResume`); one is made here otherwise. */
  lookup?: Promise<ResumeLookup> | undefined;
  /** True when the plan rests on a source layout partly inferred (see `readSourceLayout`). */
  layoutGuessed: boolean;
  /** The source's own part layout, when it was uploaded in parts. */
  sourceLayout: PartLayout | undefined;
}

/** The upload this copy writes into, and the parts an earlier attempt left that fit the plan. */
export interface OpenUpload {
  uploadId: string;
  kept: Map<number, string>;
  /** What the resume store holds for it. */
  point: ResumePoint;
  /** Set when an earlier attempt completed it already (see `ResumableUpload.completedEtag`). */
  completedEtag?: string;
  /** CreateMultipartUpload's answer on its encryption, when the upload was created now (not kept). */
  created?: WriteAnswer;
}

/**
 * Copies a large object part by part, in five steps: open the upload (resume one that
 * fits, else create it, and record the resume point), transfer the missing parts, prove
 * the bytes read against the source (see `proofFor`), complete the upload, and check the
 * completed object's ETag against the local md5-of-md5s. A source that changed or
 * vanished aborts the upload; a read that does not prove aborts it too (the copy is made
 * again); any other failure leaves it for resume.
 */
export async function copyMultipart(
  ctx: CopyContext,
  src: SourceObject,
  pin: Pin,
  plan: PartPlan,
  origin: MultipartPlanOrigin,
): Promise<MultipartOutcome> {
  const upload = await openUpload(ctx, src, plan, origin);
  const proof = proofFor(src, plan, origin.sourceLayout);
  if (upload.completedEtag !== undefined) {
    // The attempt that sent the Complete proved the read first (step 3 precedes step 4),
    // with this same plan and source; the destination's ETag proves what S3 assembled.
    proof.dispose();
    return { etag: upload.completedEtag, partsReused: plan.partsCount, verification: proof.level };
  }
  const parts = await transferParts(ctx, pin, plan, upload, proof);
  await proveRead(
    ctx,
    src,
    upload,
    proof,
    parts.map((p) => p.md5),
    origin.layoutGuessed,
  );
  const done = await completeUpload(ctx, upload, parts);
  const partsReused = upload.kept.size;
  if (done.confirmed) return { etag: done.etag, partsReused, verification: proof.level };
  return { etag: done.etag, partsReused, verification: "content-md5", readProof: proof.level };
}

async function createUpload(
  ctx: CopyContext,
  src: SourceObject,
): Promise<{ uploadId: string; answer: WriteAnswer }> {
  const { job } = ctx;
  const fields = await writeFields(ctx, src);
  const out = await send(ctx, "destination", "CreateMultipartUpload", (c, abortSignal) =>
    c.send(
      new CreateMultipartUploadCommand({
        Bucket: job.destination.bucket,
        Key: job.destination.key,
        ...fields,
      }),
      { abortSignal },
    ),
  );
  if (out.UploadId === undefined) throw new IntegrityError("CreateMultipartUpload returned no UploadId", {});
  return {
    uploadId: out.UploadId,
    answer: {
      ServerSideEncryption: out.ServerSideEncryption,
      SSECustomerAlgorithm: out.SSECustomerAlgorithm,
    },
  };
}

/** Step 1: the upload to write into, its resume point saved before any part is sent. */
export async function openUpload(
  ctx: CopyContext,
  src: SourceObject,
  plan: PartPlan,
  origin: MultipartPlanOrigin,
): Promise<OpenUpload> {
  const { job, o } = ctx;
  const resumable = await findResumableUpload(ctx, src, plan, origin.lookup);
  const created = resumable === undefined ? await createUpload(ctx, src) : undefined;
  const uploadId = resumable?.uploadId ?? (created as { uploadId: string }).uploadId;
  const point: ResumePoint = {
    uploadId,
    partSize: plan.partSize,
    layout: plan.layout,
    ...(origin.layoutGuessed ? { layoutGuessed: true } : {}),
    sourceEtag: src.etag,
    ...(src.versionId === undefined ? {} : { sourceVersionId: src.versionId }),
  };
  const completedEtag = resumable?.completedEtag;
  // the store is written before the upload is announced: whoever acts on the event (a kill,
  // in the tests) finds the point in place
  if (completedEtag === undefined) await o.resumeStore?.save(job, point);
  else await o.resumeStore?.clear(job);
  o.onProgress({
    type: "upload_started",
    uploadId,
    partSize: plan.partSize,
    resumed: resumable !== undefined,
  });
  if (completedEtag !== undefined) {
    o.onProgress({ type: "parts_reused", count: plan.partsCount, bytes: src.size });
    o.logger.info(
      { key: job.destination.key, uploadId, etag: completedEtag },
      "an earlier attempt's CompleteMultipartUpload finished although its answer was lost; nothing left to send",
    );
    return { uploadId, kept: new Map(), point, completedEtag };
  }
  const kept = resumable?.kept ?? new Map<number, string>();
  if (kept.size > 0) {
    let bytes = 0;
    for (const n of kept.keys()) bytes += plan.range(n).length;
    o.onProgress({ type: "parts_reused", count: kept.size, bytes });
  }
  o.logger.debug(
    {
      key: job.destination.key,
      uploadId,
      partsTotal: plan.partsCount,
      partsReused: kept.size,
      mirrored: plan.mirrored,
    },
    "multipart copy planned",
  );
  return { uploadId, kept, point, ...(created === undefined ? {} : { created: created.answer }) };
}

/**
 * Step 2: every part not kept is read (pinned) and uploaded with Content-MD5; kept parts
 * are read again only when the proof needs their bytes. Parts are dispatched in order,
 * each reserving its bytes from the shared budget before its GET, at most
 * `partsInParallel` at once for this object and within the shared pool's slots overall.
 * Failures are decided once every part has settled. Returns each part, in order. On an
 * SSE-KMS destination kept parts are read too: their ETags are not the MD5s a proof needs.
 * `within` limits the copy to parts `first`..`last` (one range of a fanned-out object; the
 * other entries stay undefined).
 */
export async function transferParts(
  ctx: CopyContext,
  pin: Pin,
  plan: PartPlan,
  upload: OpenUpload,
  proof: ReadProof,
  within?: { first: number; last: number },
): Promise<PartSent[]> {
  const { o } = ctx;
  const keptAreMd5 = destinationEtagIsMd5(ctx.job.destination.encryption, {});
  const etags: (PartSent | undefined)[] = new Array(plan.partsCount).fill(undefined);
  for (const [n, etag] of upload.kept) etags[n - 1] = { md5: etag, etag, confirmed: true };
  // Cancels sibling parts once one part has failed for good.
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  // Each part in flight gets a signal of its own (AbortSignal.any adds no listener to its
  // parent): its requests listen to it, and parts in flight at once would otherwise pile
  // their listeners on one signal (MaxListenersExceededWarning).
  const partContext = (): CopyContext => {
    const own = AbortSignal.any([signal]);
    return { ...ctx, signal: own, retry: { ...ctx.retry, signal: own } };
  };
  const perObject = new Semaphore(o.settings.partsInParallel);
  let failure: unknown;
  const fail = (err: unknown) => {
    if (failure === undefined) {
      failure = err;
      stop.abort(err);
    }
  };
  const tasks: Promise<void>[] = [];
  try {
    for (const part of plan.parts()) {
      if (within !== undefined && (part.n < within.first || part.n > within.last)) continue;
      const kept = upload.kept.get(part.n);
      if (kept !== undefined && !proof.needsEveryPart && keptAreMd5) continue;
      if (failure !== undefined) break;
      // paced before anything is held: a wait for the bandwidth keeps no slot or memory idle
      await o.pace(part.length, signal);
      const releaseSlot = await partSlot(perObject, o.pool, signal);
      let releaseBytes: () => void;
      try {
        releaseBytes = await o.budget.acquire(part.length, signal);
      } catch (err) {
        releaseSlot();
        throw err;
      }
      const job = { part, uploadId: upload.uploadId, kept, proof, releaseSlot, releaseBytes };
      tasks.push(
        runPart(partContext(), pin, job).then((sent) => {
          etags[part.n - 1] = sent;
        }, fail),
      );
    }
    // what is left is parts in flight ending: their connections free one by one
    if (failure === undefined) o.onLastPartStarted();
  } catch (err) {
    fail(err);
  }
  await Promise.all(tasks);
  if (failure !== undefined) {
    proof.dispose();
    if (failure instanceof SourceChangedError || failure instanceof SourceMissingError) {
      // Parts of a version that no longer exists are worthless; leave nothing behind.
      await abortUpload({ ...ctx, signal: AbortSignal.timeout(30_000) }, upload.uploadId);
      await o.resumeStore?.clear(ctx.job);
    }
    throw failure;
  }
  return etags as PartSent[];
}

/** Step 3: the bytes read are those of the source (or the upload is aborted and the copy made again). */
export async function proveRead(
  ctx: CopyContext,
  src: Pick<SourceObject, "etag">,
  upload: OpenUpload,
  proof: ReadProof,
  etags: readonly string[],
  layoutGuessed: boolean,
): Promise<void> {
  const mismatch = await proof.mismatch(etags);
  if (mismatch === undefined) return;
  await abortUpload(ctx, upload.uploadId);
  await ctx.o.resumeStore?.clear(ctx.job);
  const what = proof.level === "source-checksum" ? "checksum" : "ETag";
  throw new ReadMismatchError(
    `bytes read from ${ctx.o.sourceLabel} do not match the source ${what} ${mismatch.expected} (read ${mismatch.computed}); upload aborted`,
    {
      bucket: ctx.job.source.bucket,
      key: ctx.job.source.key,
      uploadId: upload.uploadId,
      sourceEtag: src.etag,
    },
    layoutGuessed,
  );
}

/** Steps 4 and 5: complete the upload, and check what S3 assembled against the parts sent. */
export async function completeUpload(
  ctx: CopyContext,
  upload: OpenUpload,
  parts: readonly PartSent[],
): Promise<{ etag: string; confirmed: boolean }> {
  const { job, o } = ctx;
  const { uploadId } = upload;
  const local = multipartEtag(parts.map((p) => p.md5));
  await o.resumeStore?.save(job, { ...upload.point, completing: local });
  let done: CompleteMultipartUploadCommandOutput;
  try {
    done = await send(ctx, "destination", "CompleteMultipartUpload", (c, abortSignal) =>
      c.send(
        new CompleteMultipartUploadCommand({
          Bucket: job.destination.bucket,
          Key: job.destination.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p, i) => ({ PartNumber: i + 1, ETag: `"${p.etag}"` })) },
        }),
        { abortSignal },
      ),
    );
  } catch (err) {
    // The upload cannot be completed as it stands (a part vanished or changed): start over
    // rather than fail the same way on every redelivery.
    if (!(err instanceof TransferError) || !unusableUploadCodes.has(err.code)) throw err;
    if (err.code === "NoSuchUpload" && (await completedObject(ctx, local))) {
      // A retry of a Complete that S3 had finished (its first answer was lost on the way).
      await o.resumeStore?.clear(job);
      return { etag: local, confirmed: true };
    }
    await abortUpload(ctx, uploadId);
    await o.resumeStore?.clear(job);
    throw new IntegrityError(
      `${o.destinationLabel} refused to complete upload ${uploadId} (${err.code}); starting over`,
      {
        bucket: job.destination.bucket,
        key: job.destination.key,
        uploadId,
      },
    );
  }
  await o.resumeStore?.clear(job);
  const finalEtag = unquote(done.ETag);
  // an SSE-KMS destination's ETag is no md5-of-md5s: the parts' accepted Content-MD5s stand
  const confirmed = parts.every((p) => p.confirmed) && destinationEtagIsMd5(job.destination.encryption, done);
  if (!confirmed && finalEtag) return { etag: finalEtag, confirmed };
  if (finalEtag !== local) {
    await deleteDestination(ctx, done.VersionId);
    throw new IntegrityError(
      `${o.destinationLabel} completed the upload with ETag ${finalEtag}, expected ${local}; object removed`,
      { bucket: job.destination.bucket, key: job.destination.key, uploadId },
    );
  }
  return { etag: local, confirmed };
}
