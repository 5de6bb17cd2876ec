import { UploadPartCommand } from "@aws-sdk/client-s3";
import { AbortError } from "../errors.js";
import { type CopyContext, type Pin, send } from "./context.js";
import { destinationEtagIsMd5 } from "./destination-etag.js";
import { IntegrityError } from "./errors.js";
import { md5Hex, unquote } from "./etag.js";
import type { TransferPool } from "./pool.js";
import type { ReadProof } from "./read-proof.js";
import { withRetries } from "./retry.js";
import type { Semaphore } from "./semaphore.js";
import { readSource } from "./source.js";

/**
 * Waits until one more part of this object may start. `partsInParallel` parts are the
 * object's own; beyond them a part may also start whenever the shared pool has a slot that
 * nothing waits for, so an object keeps connections busy that would otherwise idle (on a
 * thin long link, bytes in flight are what throughput needs; the byte budget still bounds
 * them, since every part reserves its bytes before its GET). Such a borrowed part holds no
 * unit of its own (its release is a no-op); the pool's FIFO slots keep it from crowding
 * out others, and once anything waits for a slot no part is borrowed.
 */
export async function partSlot(
  perObject: Semaphore,
  pool: TransferPool,
  signal: AbortSignal,
): Promise<() => void> {
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

/** One part as the upload holds it: the MD5 of its bytes, and the ETag S3 gave it. */
export interface PartSent {
  md5: string;
  /** What CompleteMultipartUpload names the part by: its MD5, except on SSE-KMS destinations. */
  etag: string;
  /** True when the destination's ETag confirmed the MD5; false when only Content-MD5 vouches for it (SSE-KMS). */
  confirmed: boolean;
}

/** One part to move: its range, where it goes, and what holds its slot and bytes. */
export interface PartTask {
  part: { n: number; start: number; length: number };
  uploadId: string;
  /** The ETag of this part as an earlier attempt left it, when kept: the part is read only to prove it. */
  kept: string | undefined;
  proof: ReadProof;
  releaseSlot: () => void;
  releaseBytes: () => void;
}

async function uploadPart(
  ctx: CopyContext,
  uploadId: string,
  n: number,
  data: Buffer,
  md5: string,
): Promise<PartSent> {
  const { job, o } = ctx;
  const contentMd5 = Buffer.from(md5, "hex").toString("base64");
  return withRetries(
    `part ${n} UploadPart`,
    async () => {
      const out = await send(ctx, "destination", "UploadPart", (c, abortSignal) =>
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
      // an SSE-KMS destination's part ETag is no MD5: S3 accepting the Content-MD5 is the proof
      const confirmed = destinationEtagIsMd5(job.destination.encryption, out);
      if (etag && !confirmed) return { md5, etag, confirmed };
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
      return { md5, etag, confirmed };
    },
    ctx.retry,
  );
}

/**
 * Reads one part (pinned, retried when its body breaks), hands its bytes to the proof,
 * and uploads it with Content-MD5, checking the returned ETag. A kept part is only read:
 * when its MD5 equals the kept part's ETag it stays; otherwise it is uploaded again. On an
 * SSE-KMS destination a kept part's ETag says nothing of its bytes: it stays (it was sent
 * from this same pinned source version with its Content-MD5, which S3 checked), and is read
 * only for the MD5 the proof needs. The part's bytes go back to the budget once uploaded
 * and released by the proof; its buffer is recycled only when no request can still be
 * reading it.
 */
export async function runPart(ctx: CopyContext, pin: Pin, t: PartTask): Promise<PartSent> {
  const { o } = ctx;
  const { n, length } = t.part;
  let holders = 2;
  const buffer = o.budget.buffer(length);
  let settled = false;
  const letGo = () => {
    if (--holders > 0) return;
    t.releaseBytes();
    if (settled) o.budget.recycle(buffer);
  };
  let handedIn = false;
  try {
    return await o.pool.run(async () => {
      const data = await withRetries(
        `part ${n} GET`,
        () => readSource(ctx, pin, t.part, length, buffer),
        ctx.retry,
      );
      o.onProgress({ type: "part_downloaded", partNumber: n, bytes: data.length });
      const md5 = md5Hex(data);
      handedIn = true;
      t.proof.add(n, data, letGo);
      const keptIsMd5 = destinationEtagIsMd5(ctx.job.destination.encryption, {});
      if (t.kept !== undefined && (t.kept === md5 || !keptIsMd5)) {
        settled = true;
        o.onProgress({ type: "part_checked", partNumber: n, bytes: data.length });
        return { md5, etag: t.kept, confirmed: keptIsMd5 };
      }
      if (t.kept !== undefined) {
        o.logger.warn(
          { key: ctx.job.destination.key, partNumber: n, kept: t.kept, read: md5 },
          "a part kept from an earlier attempt differs from the source; uploading it again",
        );
      }
      const sent = await uploadPart(ctx, t.uploadId, n, data, md5);
      settled = true;
      o.onProgress({ type: "part_uploaded", partNumber: n, bytes: data.length, uploadId: t.uploadId });
      return sent;
    }, ctx.signal);
  } finally {
    t.releaseSlot();
    if (!handedIn) letGo();
    letGo();
  }
}
