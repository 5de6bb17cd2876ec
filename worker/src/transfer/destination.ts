import { DeleteObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { classifyS3Error } from "../s3/index.js";
import { type CopyContext, explainForbiddenHead, type SourceObject, send } from "./context.js";
import { unquote } from "./etag.js";
import { provenanceKeys } from "./metadata.js";
import { etagIsContentMd5 } from "./read-proof.js";

/** What the destination holds at the job's key, if anything. */
export interface DestinationObject {
  size: number;
  etag: string;
  metadata: Record<string, string>;
  /** False for SSE-KMS and SSE-C objects, whose ETag is not an MD5 of the content. */
  etagIsContentMd5: boolean;
}

/** HEADs the destination key; `undefined` when there is no object. */
export async function headDestination(ctx: CopyContext): Promise<DestinationObject | undefined> {
  const { bucket, key } = ctx.job.destination;
  try {
    const head = await ctx.o.destination.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: ctx.signal,
    });
    return {
      size: head.ContentLength ?? 0,
      etag: unquote(head.ETag) ?? "",
      metadata: head.Metadata ?? {},
      etagIsContentMd5: etagIsContentMd5(head.ServerSideEncryption, head.SSECustomerAlgorithm !== undefined),
    };
  } catch (err) {
    const detail = await explainForbiddenHead(ctx, "destination", err);
    if (classifyS3Error(detail) === "not-found") return undefined;
    return send(ctx, "destination", "HeadObject", () => Promise.reject(detail));
  }
}

/**
 * How the destination already holds this source, if it does: same size and the same ETag
 * (`etag`), or provenance metadata naming the source's ETag (`provenance`: a copy Longbow
 * made of a source it cut into other parts, such as a single-PUT source copied in parts, or
 * any copy on an SSE-KMS destination, whose ETag says nothing of the content and so is
 * never compared).
 */
export function identicalBy(
  source: SourceObject,
  dest: DestinationObject | undefined,
): "etag" | "provenance" | undefined {
  if (dest === undefined || dest.size !== source.size) return undefined;
  if (dest.etagIsContentMd5 && dest.etag === source.etag) return "etag";
  const recordedVersion = dest.metadata[provenanceKeys.versionId];
  const same =
    dest.metadata[provenanceKeys.etag] === source.etag &&
    (recordedVersion === undefined || source.versionId === undefined || recordedVersion === source.versionId);
  return same ? "provenance" : undefined;
}

/** Removes a destination object that failed verification, so a wrong object never stays. */
export async function deleteDestination(ctx: CopyContext, versionId: string | undefined): Promise<void> {
  const { bucket, key } = ctx.job.destination;
  await send(ctx, "destination", "DeleteObject", (c, abortSignal) =>
    c.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }), { abortSignal }),
  );
}
