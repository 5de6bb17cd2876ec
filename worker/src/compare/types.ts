/** One object as a listing reports it. ETags are kept without their quotes. */
export interface ListedObject {
  key: string;
  size: number;
  etag?: string;
  /** Set by version listings (the latest version's id). */
  versionId?: string;
}

/** One page of a listing: objects, and common prefixes when a delimiter was given. */
export interface ListPage {
  objects: ListedObject[];
  commonPrefixes: string[];
  /** Continuation token; absent on the last page. */
  nextToken?: string;
}

/** One ListObjectsV2-style request. */
export interface ListRequest {
  bucket: string;
  prefix: string;
  delimiter?: string;
  token?: string;
  signal?: AbortSignal;
}

/**
 * Where listings come from: S3 (`ListObjectsV2` or `ListObjectVersions`) or, in tests and
 * benchmarks, memory. Pages must be in ascending key order, as S3 returns them.
 */
export interface ObjectLister {
  listPage(request: ListRequest): Promise<ListPage>;
}

/**
 * How one key compares. `extra` objects exist only at the destination: never deleted, except
 * by a migration in mirror mode (see worker/src/mirror), after review.
 */
export type DiffKind = "new" | "changed" | "identical" | "ignored" | "extra";

/** The verdict on one key. */
export interface DiffItem {
  kind: DiffKind;
  /** Absent for `extra`. */
  sourceKey?: string;
  destinationKey: string;
  /** Source size (destination size for `extra`). */
  size: number;
  /** Source ETag without quotes (destination ETag for `extra`), when listed. */
  etag?: string;
  /** Source latest versionId, when listed by version. */
  versionId?: string;
  /** Set on a source item whose key the destination lists too (`extra` items are always there). */
  atDestination?: true;
}

/** What the ledger remembers about the copy that produced a destination object. */
export interface CopyRecord {
  sourceEtag?: string;
  sourceVersionId?: string;
}

/**
 * Provenance of destination objects, answered in batches: for each source key that was
 * copied, the source ETag and versionId the copy was made from. Keys never copied are
 * absent from the map. Engineer D's ledger implements it; tests use a map.
 */
export interface CopyRecords {
  copiedFrom(migration: string, sourceKeys: string[], signal?: AbortSignal): Promise<Map<string, CopyRecord>>;
}
