import type { S3Client } from "@aws-sdk/client-s3";
import { ignoreFilter, type Migration } from "../config/index.js";
import { AbortError, throwIfAborted } from "../errors.js";
import { type Logger, silentLogger } from "../log/index.js";
import { requireWholeNumber } from "../whole-number.js";
import { forEachBounded } from "./bounded.js";
import { Channel } from "./channel.js";
import { CompareOptionsError } from "./errors.js";
import { mergePartition } from "./merge.js";
import { discoverPartitions } from "./partition.js";
import { s3LatestVersionLister, s3ObjectLister } from "./s3-lister.js";
import type { CopyRecords, DiffItem, ObjectLister } from "./types.js";

/** Tuning shared by every compare entry point. */
export interface CompareTuning {
  /** Provenance for `etag` and `version` modes. Without it, ETags and versions decide alone. */
  copyRecords?: CopyRecords;
  /** Partitions listed at once. Memory is about parallelism × (2 pages + 2 chunks). @defaultValue 16 */
  parallelism?: number;
  /** Levels of `/`-delimited prefixes the key space is split by; 0 lists sequentially. @defaultValue 1 */
  depth?: number;
  /** Items per emitted chunk and most keys per provenance lookup. @defaultValue 1000 */
  chunkSize?: number;
  signal?: AbortSignal;
  /** @defaultValue silentLogger */
  logger?: Logger;
}

/** Options of {@link compareListings}: listers instead of clients (tests, benchmarks, other stores). */
export interface ListingCompareOptions extends CompareTuning {
  sourceLister: ObjectLister;
  destinationLister: ObjectLister;
}

/** Options of {@link compareMigration}. */
export interface CompareOptions extends CompareTuning {
  /** Client for the source side (credentials of the source partition). */
  source: S3Client;
  /** Client for the destination side. */
  destination: S3Client;
}

/** Checks the tuning; messages name the option. */
export function validateCompareTuning(
  t: Required<Pick<CompareTuning, "parallelism" | "depth" | "chunkSize">>,
) {
  const int = (name: string, v: number, min: number, max: number) =>
    requireWholeNumber(name, v, min, max, (m) => new CompareOptionsError(m));
  int("parallelism", t.parallelism, 1, 1000);
  int("depth", t.depth, 0, 8);
  int("chunkSize", t.chunkSize, 1, 100_000);
}

/**
 * Streams the diff of one migration from two listers, in chunks of up to `chunkSize` items
 * (cheaper to consume than single items when there are millions). Partitions are listed
 * concurrently; items of one partition come in key order, partitions interleave. Breaking
 * out of the loop cancels the listings.
 */
export async function* compareListingChunks(
  m: Migration,
  options: ListingCompareOptions,
): AsyncGenerator<DiffItem[]> {
  const parallelism = options.parallelism ?? 16;
  const depth = options.depth ?? 1;
  const chunkSize = options.chunkSize ?? 1000;
  const logger = options.logger ?? silentLogger;
  validateCompareTuning({ parallelism, depth, chunkSize });
  throwIfAborted(options.signal);
  const inner = new AbortController();
  const onAbort = () => inner.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const signal = inner.signal;
  // one unread chunk per worker keeps every worker busy without buffering the diff
  const channel = new Channel<DiffItem[]>(parallelism);
  const ctx = {
    migration: m,
    sourceLister: options.sourceLister,
    destinationLister: options.destinationLister,
    filter: ignoreFilter(m),
    copyRecords: options.copyRecords,
    chunkSize,
    signal,
  };
  const run = (async () => {
    const partitions = await discoverPartitions({ ...ctx, depth, parallelism });
    logger.debug({ migration: m.name, partitions: partitions.length }, "compare partitions discovered");
    await forEachBounded(partitions, parallelism, (p) =>
      mergePartition(p, ctx, (items) => channel.push(items)),
    );
  })().then(
    () => channel.close(),
    (err: unknown) => channel.close(signal.aborted && options.signal?.aborted ? new AbortError() : err),
  );
  try {
    yield* channel;
  } finally {
    inner.abort(new AbortError("compare stopped"));
    channel.close();
    await run;
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** {@link compareListingChunks} one item at a time. */
export async function* compareListings(
  m: Migration,
  options: ListingCompareOptions,
): AsyncGenerator<DiffItem> {
  for await (const chunk of compareListingChunks(m, options)) yield* chunk;
}

/**
 * Streams the diff of one migration from S3 in chunks: `ListObjectsV2` on both sides, or
 * `ListObjectVersions` (latest versions) on the source in `version` mode.
 */
export function compareMigrationChunks(m: Migration, options: CompareOptions): AsyncGenerator<DiffItem[]> {
  const byVersion = m.compare === "version" || m.versioning.compareVersionId;
  return compareListingChunks(m, {
    ...options,
    sourceLister: byVersion ? s3LatestVersionLister(options.source) : s3ObjectLister(options.source),
    destinationLister: s3ObjectLister(options.destination),
  });
}

/** {@link compareMigrationChunks} one item at a time. */
export async function* compareMigration(m: Migration, options: CompareOptions): AsyncGenerator<DiffItem> {
  for await (const chunk of compareMigrationChunks(m, options)) yield* chunk;
}
