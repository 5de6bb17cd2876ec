import { PutObjectCommand } from "@aws-sdk/client-s3";
import { type CopyContext, type Pin, type SourceObject, send } from "./context.js";
import { deleteDestination } from "./destination.js";
import { IntegrityError } from "./errors.js";
import { carriedMetadata } from "./metadata.js";
import { isPlainMd5, md5Hex, unquote } from "./plan.js";
import { withRetries } from "./retry.js";
import { getWholeSource, readSource } from "./source.js";

/**
 * Copies an object at or below the multipart threshold that was HEADed first: one GET
 * pinned to what the HEAD saw, one PUT with Content-MD5. Returns the destination ETag.
 */
export async function copySmall(ctx: CopyContext, src: SourceObject, pin: Pin): Promise<string> {
  const out = await copyWhole(ctx, src.size, async () => ({
    src,
    data: await readSource(ctx, pin, undefined, src.size),
  }));
  // a pinned read yields bytes or throws, so something was copied
  return (out as { etag: string }).etag;
}

/** What {@link copyListedSmall} did: copied (with the source it read), or nothing. */
export type ListedSmallOutcome = { src: SourceObject; etag: string } | { src: undefined };

/**
 * Copies an object whose listing said it is small with no round trip beyond one GET and
 * one PUT: the GET's own headers describe the source (no HEAD, no pin: one GET is one
 * version), and the destination is not HEADed first, since re-sending a small object
 * costs about what asking whether it is there would. Returns `{ src: undefined }`, having
 * copied nothing, when the object is now larger than `listedSize` allows for: it grew
 * since the listing, and is copied the long way.
 */
export function copyListedSmall(
  ctx: CopyContext,
  versionId: string | undefined,
  listedSize: number,
): Promise<ListedSmallOutcome> {
  return copyWhole(
    ctx,
    listedSize,
    () => getWholeSource(ctx, versionId, listedSize),
    (src) =>
      ctx.o.onProgress({
        type: "copy_planned",
        key: ctx.job.source.key,
        bytesTotal: src.size,
        partsTotal: 1,
        partSize: src.size,
        multipart: false,
      }),
  );
}

/**
 * One whole-object copy within `reserve` bytes of the budget and one pool slot: `read`
 * (retried, its bytes checked against the source ETag), then a verified PUT. `read`
 * returning `undefined` copies nothing.
 */
async function copyWhole(
  ctx: CopyContext,
  reserve: number,
  read: () => Promise<{ src: SourceObject; data: Buffer } | undefined>,
  onRead?: (src: SourceObject) => void,
): Promise<ListedSmallOutcome> {
  const releaseBytes = await ctx.o.budget.acquire(reserve, ctx.signal);
  try {
    return await ctx.o.pool.run(async () => {
      const got = await withRetries(
        "GetObject",
        async () => {
          const whole = await read();
          return whole && { ...whole, md5: checkedMd5(ctx, whole.src, whole.data) };
        },
        ctx.retry,
      );
      if (got === undefined) return { src: undefined };
      onRead?.(got.src);
      return { src: got.src, etag: await putWhole(ctx, got.src, got.data, got.md5) };
    }, ctx.signal);
  } finally {
    releaseBytes();
  }
}

/** The MD5 of bytes read, checked against the source ETag when that is a plain MD5. */
function checkedMd5(ctx: CopyContext, src: SourceObject, data: Buffer): string {
  const md5 = md5Hex(data);
  const canCheckSource = isPlainMd5(src.etag) && src.serverSideEncryption !== "aws:kms";
  if (canCheckSource && md5 !== src.etag) {
    throw new IntegrityError(`bytes read from ${ctx.o.sourceLabel} do not match the source ETag`, {
      bucket: ctx.job.source.bucket,
      key: ctx.job.source.key,
    });
  }
  return md5;
}

/**
 * PUTs `data` with Content-MD5 and checks the destination's ETag against the local MD5; a
 * mismatching destination object is deleted. Returns the destination ETag.
 */
async function putWhole(ctx: CopyContext, src: SourceObject, data: Buffer, md5: string): Promise<string> {
  const { job, o } = ctx;
  const contentMd5 = Buffer.from(md5, "hex").toString("base64");
  const put = await withRetries(
    "PutObject",
    async () => {
      const out = await send(ctx, "destination", "PutObject", (c, abortSignal) =>
        c.send(
          new PutObjectCommand({
            Bucket: job.destination.bucket,
            Key: job.destination.key,
            Body: data,
            ContentLength: data.length,
            ContentMD5: contentMd5,
            StorageClass: job.destination.storageClass,
            ...carriedMetadata(src, o.provenance),
          }),
          { abortSignal },
        ),
      );
      ctx.moved.bytes += data.length;
      return out;
    },
    ctx.retry,
  );
  const etag = unquote(put.ETag);
  if (etag !== md5) {
    await deleteDestination(ctx, put.VersionId);
    throw new IntegrityError(
      `${o.destinationLabel} stored ETag ${etag} for a PUT whose MD5 is ${md5}; object removed`,
      {
        bucket: job.destination.bucket,
        key: job.destination.key,
      },
    );
  }
  o.onProgress({ type: "object_put", bytes: data.length });
  return md5;
}
