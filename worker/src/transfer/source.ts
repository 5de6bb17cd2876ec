import { GetObjectCommand, HeadObjectCommand, type HeadObjectCommandOutput } from "@aws-sdk/client-s3";
import { archiveClasses } from "../endpoint/index.js";
import { AbortError } from "../errors.js";
import { type ReadInto, readIntoOptions } from "../s3/index.js";
import { checksumOfHead } from "./checksum.js";
import {
  type CopyContext,
  explainForbiddenHead,
  needsRestore,
  type Pin,
  type SourceObject,
  send,
} from "./context.js";
import { TransferError } from "./errors.js";
import { etagPartsCount, unquote } from "./etag.js";
import { etagIsContentMd5 } from "./read-proof.js";

/**
 * HEADs the source (at `versionId` when given), asking for its additional checksum too, so
 * a source whose ETag is not an MD5 (SSE-KMS, other stores) can still be proven.
 */
export async function headSource(ctx: CopyContext, versionId: string | undefined): Promise<SourceObject> {
  const { bucket, key } = ctx.job.source;
  const head = await send(ctx, "source", "HeadObject", async (c, abortSignal) => {
    try {
      return await c.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, ChecksumMode: "ENABLED" }),
        { abortSignal },
      );
    } catch (err) {
      throw await explainForbiddenHead(ctx, "source", err);
    }
  });
  // a GET would be refused (InvalidObjectState): say so now, before any upload is opened
  if (isArchived(head)) throw needsRestore(ctx, head.StorageClass);
  return sourceObjectOf(head, true);
}

/** An archive-class object that is not (yet) restored. */
function isArchived(head: HeadObjectCommandOutput): boolean {
  return (
    archiveClasses.has(head.StorageClass ?? "") && !(head.Restore ?? "").includes('ongoing-request="false"')
  );
}

/**
 * Describes the source from a HEAD answer, or from a GET answer's headers;
 * `checksumAsked`: the request had ChecksumMode ENABLED, so a missing checksum means none.
 */
export function sourceObjectOf(head: HeadObjectCommandOutput, checksumAsked: boolean): SourceObject {
  const etag = unquote(head.ETag) ?? "";
  return {
    size: head.ContentLength ?? 0,
    etag,
    versionId: head.VersionId,
    lastModified: head.LastModified,
    serverSideEncryption: head.ServerSideEncryption,
    etagIsContentMd5: etagIsContentMd5(head.ServerSideEncryption, head.SSECustomerAlgorithm !== undefined),
    checksum: checksumOfHead(head),
    checksumAsked,
    partsCount: etagPartsCount(etag),
    head,
  };
}

/**
 * Reads `length` bytes at `start` (or the whole object when `start` is undefined) into one
 * buffer, pinned to the version or ETag seen at the start. A body that breaks or ends short
 * fails with a retryable TransferError; a changed source fails with SourceChangedError.
 */
export async function readSource(
  ctx: CopyContext,
  pin: Pin,
  range: { start: number; length: number } | undefined,
  expectedLength: number,
  /** Where the bytes go; must be `expectedLength` long. @defaultValue a new buffer */
  into?: Buffer,
): Promise<Buffer> {
  const { bucket, key } = ctx.job.source;
  const op =
    range === undefined ? "GetObject" : `GetObject(bytes=${range.start}-${range.start + range.length - 1})`;
  if (expectedLength === 0) {
    // A ranged GET of zero bytes is invalid; an unranged one still proves the version is there.
    range = undefined;
  }
  const sink: ReadInto = {
    target(length) {
      if (length !== expectedLength) return undefined;
      into ??= Buffer.allocUnsafe(length);
      return into;
    },
  };
  const out = await send(ctx, "source", op, (c, abortSignal) =>
    c.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...("versionId" in pin ? { VersionId: pin.versionId } : { IfMatch: `"${pin.ifMatch}"` }),
        ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.start + range.length - 1}` }),
      }),
      readIntoOptions(abortSignal, sink),
    ),
  );
  if (sink.received !== undefined && into !== undefined) return into;
  const declared = out.ContentLength;
  if (declared !== undefined && declared !== expectedLength) {
    (out.Body as Body | undefined)?.destroy?.();
    throw bodyLengthError(ctx, op, declared, expectedLength);
  }
  return readBody(ctx, op, out.Body as Body | undefined, expectedLength, into);
}

/** What one unpinned GET of a whole small object returned. */
export interface WholeSource {
  src: SourceObject;
  data: Buffer;
}

/**
 * GETs a whole object (at `versionId` when given) and describes it from the same answer,
 * so no HEAD is needed: one GET is one version, whatever happens to the key meanwhile.
 * Returns `undefined`, without reading the body, when the object turns out larger than
 * `maxSize` (it grew since it was listed): the caller then copies it the long way.
 */
export async function getWholeSource(
  ctx: CopyContext,
  versionId: string | undefined,
  maxSize: number,
): Promise<WholeSource | undefined> {
  const { bucket, key } = ctx.job.source;
  let data: Buffer | undefined;
  const sink: ReadInto = {
    target(length) {
      if (length > maxSize) return undefined;
      data = Buffer.allocUnsafe(length);
      return data;
    },
  };
  const out = await send(ctx, "source", "GetObject", (c, abortSignal) =>
    c.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      readIntoOptions(abortSignal, sink),
    ),
  );
  const { Body: body, ...head } = out;
  // a GET states x-amz-tagging-count only for a tagged object (to a reader allowed to read tags)
  const src = { ...sourceObjectOf(head, false), tagCount: (head as { TagCount?: number }).TagCount ?? 0 };
  if (sink.received !== undefined && data !== undefined) return { src, data };
  if (src.size > maxSize) {
    (body as Body | undefined)?.destroy?.();
    return undefined;
  }
  return { src, data: await readBody(ctx, "GetObject", body as Body | undefined, src.size) };
}

type Body = AsyncIterable<Uint8Array> & { destroy?: (err?: Error) => void };

/** Reads a GET's body into one buffer of exactly `expectedLength` bytes. */
async function readBody(
  ctx: CopyContext,
  op: string,
  body: Body | undefined,
  expectedLength: number,
  into?: Buffer,
): Promise<Buffer> {
  const { bucket, key } = ctx.job.source;
  const buf = into ?? Buffer.allocUnsafe(expectedLength);
  let filled = 0;
  const onAbort = () => body?.destroy?.(new AbortError("aborted while reading the source"));
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    if (body !== undefined) {
      for await (const chunk of body) {
        if (filled + chunk.length > expectedLength) {
          throw bodyLengthError(ctx, op, filled + chunk.length, expectedLength);
        }
        buf.set(chunk, filled);
        filled += chunk.length;
      }
    }
  } catch (err) {
    if (ctx.signal.aborted) throw new AbortError("aborted while reading the source", ctx.signal.reason);
    if (err instanceof TransferError) throw err;
    const code = (err as { code?: string }).code ?? "BodyReadFailed";
    throw new TransferError(
      code,
      `${op} on ${ctx.o.sourceLabel} bucket '${bucket}' broke off mid-body (${code})`,
      {
        cause: err,
        context: { bucket, key },
        retryable: true,
      },
    );
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
  if (filled !== expectedLength) throw bodyLengthError(ctx, op, filled, expectedLength);
  return buf;
}

/** A body longer or shorter than asked for: retryable, as a proxy or a race can cause it. */
function bodyLengthError(ctx: CopyContext, op: string, got: number, expected: number): TransferError {
  const { bucket, key } = ctx.job.source;
  const long = got > expected;
  return new TransferError(
    long ? "LongBody" : "ShortBody",
    long
      ? `${op} on ${ctx.o.sourceLabel} returned more than ${expected} bytes`
      : `${op} on ${ctx.o.sourceLabel} returned ${got} of ${expected} bytes`,
    { context: { bucket, key }, retryable: true },
  );
}
