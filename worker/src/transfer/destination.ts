import { DeleteObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { classifyS3Error } from "../s3/index.js";
import { type CopyContext, explainForbiddenHead, type SourceObject, send } from "./context.js";
import { provenanceKeys } from "./metadata.js";
import { unquote } from "./plan.js";

/** What the destination holds at the job's key, if anything. */
export interface DestinationObject {
  size: number;
  etag: string;
  metadata: Record<string, string>;
}

/** HEADs the destination key; `undefined` when there is no object. */
export async function headDestination(ctx: CopyContext): Promise<DestinationObject | undefined> {
  const { bucket, key } = ctx.job.destination;
  try {
    const head = await ctx.o.destination.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: ctx.signal,
    });
    return { size: head.ContentLength ?? 0, etag: unquote(head.ETag) ?? "", metadata: head.Metadata ?? {} };
  } catch (err) {
    const detail = await explainForbiddenHead(ctx, "destination", err);
    if (classifyS3Error(detail) === "not-found") return undefined;
    return send(ctx, "destination", "HeadObject", () => Promise.reject(detail));
  }
}

/**
 * True when the destination already holds this source: same size, and the same ETag or
 * provenance metadata naming the source's ETag (a copy made with another part size).
 */
export function isIdentical(source: SourceObject, dest: DestinationObject | undefined): boolean {
  if (dest === undefined || dest.size !== source.size) return false;
  if (dest.etag === source.etag) return true;
  const recordedVersion = dest.metadata[provenanceKeys.versionId];
  return (
    dest.metadata[provenanceKeys.etag] === source.etag &&
    (recordedVersion === undefined || source.versionId === undefined || recordedVersion === source.versionId)
  );
}

/** Removes a destination object that failed verification, so a wrong object never stays. */
export async function deleteDestination(ctx: CopyContext, versionId: string | undefined): Promise<void> {
  const { bucket, key } = ctx.job.destination;
  await send(ctx, "destination", "DeleteObject", (c, abortSignal) =>
    c.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }), { abortSignal }),
  );
}
