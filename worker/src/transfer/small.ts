import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { checksumOfHead } from "./checksum.js";
import { type CopyContext, type Pin, type SourceObject, send } from "./context.js";
import { deleteDestination } from "./destination.js";
import { destinationEtagIsMd5 } from "./destination-etag.js";
import { IntegrityError, ReadMismatchError } from "./errors.js";
import { md5Hex, unquote } from "./etag.js";
import { proveWhole, type VerificationLevel } from "./read-proof.js";
import { withRetries } from "./retry.js";
import { getWholeSource, readSource } from "./source.js";
import { writeFields } from "./write-fields.js";

/** What a whole-object copy wrote, and what it proved. */
export interface WholeCopy {
  etag: string;
  verification: VerificationLevel;
  /** What proved the bytes read, when `verification` is `content-md5`. */
  readProof?: VerificationLevel;
}

/**
 * Copies an object at or below the multipart threshold that was HEADed first: one GET
 * pinned to what the HEAD saw, one PUT with Content-MD5.
 */
export async function copySmall(ctx: CopyContext, src: SourceObject, pin: Pin): Promise<WholeCopy> {
  const out = await copyWhole(ctx, src.size, async () => ({
    src,
    data: await readSource(ctx, pin, undefined, src.size),
  }));
  // a pinned read yields bytes or throws, so something was copied
  return out as { src: SourceObject } & WholeCopy;
}

/** What {@link copyListedSmall} did: copied (with the source it read), or nothing. */
export type ListedSmallOutcome = ({ src: SourceObject } & WholeCopy) | { src: undefined };

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
 * (retried, its bytes proven against the source where it allows), then a verified PUT.
 * `read` returning `undefined` copies nothing.
 */
async function copyWhole(
  ctx: CopyContext,
  reserve: number,
  read: () => Promise<{ src: SourceObject; data: Buffer } | undefined>,
  onRead?: (src: SourceObject) => void,
): Promise<ListedSmallOutcome> {
  await ctx.o.pace(reserve, ctx.signal);
  const releaseBytes = await ctx.o.budget.acquire(reserve, ctx.signal);
  try {
    return await ctx.o.pool.run(async () => {
      const got = await withRetries(
        "GetObject",
        async () => {
          const whole = await read();
          return whole && { ...whole, ...(await provenRead(ctx, whole.src, whole.data)) };
        },
        ctx.retry,
      );
      if (got === undefined) return { src: undefined };
      onRead?.(got.src);
      const put = await putWhole(ctx, got.src, got.data, got.md5);
      if (put.confirmed) return { src: got.src, etag: put.etag, verification: got.verification };
      return { src: got.src, etag: put.etag, verification: "content-md5", readProof: got.verification };
    }, ctx.signal);
  } finally {
    releaseBytes();
  }
}

/**
 * A source read by one GET without a HEAD carries no additional checksum. When its ETag
 * cannot prove the bytes (SSE-KMS, another store's ETag), one HEAD of the same version
 * asks for the checksum: one request more for such objects only.
 */
async function withChecksum(ctx: CopyContext, src: SourceObject): Promise<SourceObject> {
  if (src.checksumAsked) return src;
  const { bucket, key } = ctx.job.source;
  try {
    const head = await send(ctx, "source", "HeadObject(ChecksumMode)", (c, abortSignal) =>
      c.send(
        new HeadObjectCommand({
          Bucket: bucket,
          Key: key,
          ChecksumMode: "ENABLED",
          ...(src.versionId === undefined ? { IfMatch: `"${src.etag}"` } : { VersionId: src.versionId }),
        }),
        { abortSignal },
      ),
    );
    return { ...src, checksum: checksumOfHead(head), checksumAsked: true };
  } catch {
    // changed or gone since the GET: the bytes read are still one version, just unproven
    return src;
  }
}

/** The MD5 of bytes read and what proves them; a mismatch throws (retryable: read again). */
async function provenRead(
  ctx: CopyContext,
  src: SourceObject,
  data: Buffer,
): Promise<{ md5: string; verification: VerificationLevel }> {
  const md5 = md5Hex(data);
  let proof = await proveWhole(src, data, md5);
  if ("level" in proof && proof.level === "parts-only")
    proof = await proveWhole(await withChecksum(ctx, src), data, md5);
  if ("level" in proof) return { md5, verification: proof.level };
  throw new ReadMismatchError(
    `bytes read from ${ctx.o.sourceLabel} do not match the source's ${proof.expected.length === 32 ? "ETag" : "checksum"} ${proof.expected} (read ${proof.computed})`,
    { bucket: ctx.job.source.bucket, key: ctx.job.source.key },
    false,
  );
}

/**
 * PUTs `data` with Content-MD5 and checks the destination's ETag against the local MD5; a
 * mismatching destination object is deleted. Returns the destination ETag, and whether it
 * confirmed the bytes: an SSE-KMS destination's ETag is no MD5, and only the accepted
 * Content-MD5 proves what it stored.
 */
async function putWhole(
  ctx: CopyContext,
  src: SourceObject,
  data: Buffer,
  md5: string,
): Promise<{ etag: string; confirmed: boolean }> {
  const { job, o } = ctx;
  const contentMd5 = Buffer.from(md5, "hex").toString("base64");
  const fields = await writeFields(ctx, src);
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
            ...fields,
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
  const confirmed = destinationEtagIsMd5(job.destination.encryption, put);
  if (!confirmed && etag) {
    o.onProgress({ type: "object_put", bytes: data.length });
    return { etag, confirmed };
  }
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
  return { etag: md5, confirmed };
}
