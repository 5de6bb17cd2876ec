import { PutObjectCommand } from "@aws-sdk/client-s3";
import { type CopyContext, type Pin, type SourceObject, send } from "./context.js";
import { deleteDestination } from "./destination.js";
import { IntegrityError } from "./errors.js";
import { carriedMetadata } from "./metadata.js";
import { isPlainMd5, md5Hex, unquote } from "./plan.js";
import { withRetries } from "./retry.js";
import { readSource } from "./source.js";

/**
 * Copies an object at or below the multipart threshold: one GET, one PUT with Content-MD5.
 * The bytes read are checked against the source ETag when it is a plain MD5, and the
 * destination's ETag against the local MD5; a mismatching destination object is deleted.
 * Returns the destination ETag.
 */
export async function copySmall(ctx: CopyContext, src: SourceObject, pin: Pin): Promise<string> {
  const { job, o } = ctx;
  const releaseBytes = await o.budget.acquire(src.size, ctx.signal);
  try {
    return await o.pool.run(async () => {
      const canCheckSource = isPlainMd5(src.etag) && src.serverSideEncryption !== "aws:kms";
      const { data, md5 } = await withRetries(
        "GetObject",
        async () => {
          const data = await readSource(ctx, pin, undefined, src.size);
          const md5 = md5Hex(data);
          if (canCheckSource && md5 !== src.etag) {
            throw new IntegrityError(`bytes read from ${o.sourceLabel} do not match the source ETag`, {
              bucket: job.source.bucket,
              key: job.source.key,
            });
          }
          return { data, md5 };
        },
        ctx.retry,
      );
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
    }, ctx.signal);
  } finally {
    releaseBytes();
  }
}
