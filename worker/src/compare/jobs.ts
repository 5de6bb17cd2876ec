import { jobDestination, type Migration } from "../config/index.js";
import type { Job } from "../job/index.js";
import type { DiffItem } from "./types.js";

/** The job copying a `new` or `changed` item; undefined for every other kind. */
export function toJob(m: Migration, item: DiffItem): Job | undefined {
  if ((item.kind !== "new" && item.kind !== "changed") || item.sourceKey === undefined) return undefined;
  const source: Job["source"] = { bucket: m.source.bucket, key: item.sourceKey, size: item.size };
  if (item.etag !== undefined) source.etag = item.etag;
  if (item.versionId !== undefined) source.versionId = item.versionId;
  return {
    migration: m.name,
    source,
    destination: { ...jobDestination(m, item.sourceKey), key: item.destinationKey },
  };
}

/** The jobs of a diff stream, in the stream's order. */
export async function* jobsFromDiff(m: Migration, items: AsyncIterable<DiffItem>): AsyncGenerator<Job> {
  for await (const item of items) {
    const job = toJob(m, item);
    if (job) yield job;
  }
}
