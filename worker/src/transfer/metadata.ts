import type { HeadObjectCommandOutput } from "@aws-sdk/client-s3";
import type { SourceObject } from "./context.js";

/** User-metadata keys (x-amz-meta-*) where the destination records which source it came from. */
export const provenanceKeys = {
  etag: "longbow-source-etag",
  versionId: "longbow-source-version-id",
} as const;

/** Fields that travel from the source object to its copy (PutObject / CreateMultipartUpload input). */
export interface CarriedMetadata {
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Expires?: Date;
  Metadata: Record<string, string>;
}

/**
 * The source's system and user metadata for the destination, plus provenance (source ETag
 * and versionId) unless switched off. A provenance pair copied from an earlier hop is replaced.
 */
export function carriedMetadata(source: SourceObject, provenance: boolean): CarriedMetadata {
  const h: HeadObjectCommandOutput = source.head;
  const meta: Record<string, string> = { ...(h.Metadata ?? {}) };
  delete meta[provenanceKeys.etag];
  delete meta[provenanceKeys.versionId];
  if (provenance) {
    meta[provenanceKeys.etag] = source.etag;
    if (source.versionId !== undefined && source.versionId !== "null")
      meta[provenanceKeys.versionId] = source.versionId;
  }
  const out: CarriedMetadata = { Metadata: meta };
  if (h.ContentType !== undefined) out.ContentType = h.ContentType;
  if (h.CacheControl !== undefined) out.CacheControl = h.CacheControl;
  if (h.ContentDisposition !== undefined) out.ContentDisposition = h.ContentDisposition;
  if (h.ContentEncoding !== undefined) out.ContentEncoding = h.ContentEncoding;
  if (h.ContentLanguage !== undefined) out.ContentLanguage = h.ContentLanguage;
  if (h.Expires !== undefined && !Number.isNaN(h.Expires.getTime())) out.Expires = h.Expires;
  return out;
}
