import {
  GetObjectTaggingCommand,
  type ServerSideEncryption,
  type StorageClass,
  type Tag,
} from "@aws-sdk/client-s3";
import type { DestinationEncryption } from "../job/index.js";
import { type CopyContext, type SourceObject, send } from "./context.js";
import { type CarriedMetadata, carriedMetadata } from "./metadata.js";

/** What a PutObject or CreateMultipartUpload writes besides the bytes. */
export interface WriteFields extends CarriedMetadata {
  StorageClass?: StorageClass;
  /** The tag set as S3's `x-amz-tagging` wants it: URL-query encoded. */
  Tagging?: string;
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
  BucketKeyEnabled?: boolean;
}

/** The request fields of the migration's destination encryption (none: the bucket's default applies). */
export function encryptionFields(
  e: DestinationEncryption | undefined,
): Pick<WriteFields, "ServerSideEncryption" | "SSEKMSKeyId" | "BucketKeyEnabled"> {
  if (e === undefined) return {};
  if (e.type === "SSE-S3") return { ServerSideEncryption: "AES256" };
  return {
    ServerSideEncryption: "aws:kms",
    SSEKMSKeyId: e.keyId,
    ...(e.bucketKey === undefined ? {} : { BucketKeyEnabled: e.bucketKey }),
  };
}

/**
 * The destination object's metadata (with provenance), storage class, encryption and tags. Tags cost a
 * GetObjectTagging unless the source's GET already said it has none (no `x-amz-tagging-count`);
 * a HEAD does not say, so objects copied after a HEAD always ask. Needs s3:GetObjectTagging
 * on the source: without it a GET never reports tags.
 */
export async function writeFields(ctx: CopyContext, src: SourceObject): Promise<WriteFields> {
  const fields: WriteFields = {
    ...carriedMetadata(src, ctx.o.provenance),
    ...encryptionFields(ctx.job.destination.encryption),
  };
  const { storageClass, tags } = ctx.job.destination;
  const cls = storageClass === "preserve" ? src.head.StorageClass : storageClass;
  if (cls !== undefined) fields.StorageClass = cls as StorageClass;
  if (tags !== "none") {
    const tagging = await sourceTagging(ctx, src);
    if (tagging !== undefined) fields.Tagging = tagging;
  }
  return fields;
}

async function sourceTagging(ctx: CopyContext, src: SourceObject): Promise<string | undefined> {
  if (src.tagCount === 0) return undefined;
  const { bucket, key } = ctx.job.source;
  const versionId = src.versionId === undefined || src.versionId === "null" ? undefined : src.versionId;
  const out = await send(ctx, "source", "GetObjectTagging", (c, abortSignal) =>
    c.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }), { abortSignal }),
  );
  return encodeTagging(out.TagSet ?? []);
}

/** `k1=v1&k2=v2` with every key and value percent-encoded; undefined for no tags. */
function encodeTagging(tags: readonly Tag[]): string | undefined {
  if (tags.length === 0) return undefined;
  return tags.map((t) => `${encodeURIComponent(t.Key ?? "")}=${encodeURIComponent(t.Value ?? "")}`).join("&");
}
