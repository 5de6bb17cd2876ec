import type { DiffItem } from "../compare/index.js";
import { destinationKey, isIgnored, type Migration, sourceKeyOf } from "../config/index.js";
import type { Job } from "../job/index.js";

/**
 * The deletion job of one diff item, or undefined: only a migration in mirror mode deletes,
 * only `extra` objects (at the destination, not at the source), and never a key its ignore
 * or include rules leave out (matched as the source key it would be copied from). The job
 * names that source key (the ledger's identity of the object) and carries the listed ETag
 * and size, the condition the deletion is made under.
 */
export function deletionJob(m: Migration, item: DiffItem): Job | undefined {
  if (!m.mirror.enabled || item.kind !== "extra") return undefined;
  const sourceKey = sourceKeyOf(m, item.destinationKey);
  if (sourceKey === undefined || isIgnored(m, sourceKey, item.size)) return undefined;
  const destination: Job["destination"] = {
    bucket: m.destination.bucket,
    key: item.destinationKey,
    size: item.size,
  };
  if (item.etag !== undefined) destination.etag = item.etag;
  return {
    migration: m.name,
    action: "delete",
    source: { bucket: m.source.bucket, key: sourceKey },
    destination,
  };
}

/**
 * The deletion job of a source `ObjectRemoved` event, or undefined when the migration does
 * not mirror or leaves the key out. No ETag: nothing was listed, so the worker deletes only
 * the copy the ledger recorded (its destination ETag).
 */
export function deletionJobForRemoved(m: Migration, sourceKey: string): Job | undefined {
  if (!m.mirror.enabled || !sourceKey.startsWith(m.source.prefix) || isIgnored(m, sourceKey))
    return undefined;
  return {
    migration: m.name,
    action: "delete",
    source: { bucket: m.source.bucket, key: sourceKey },
    destination: {
      bucket: m.destination.bucket,
      key: m.destination.prefix + sourceKey.slice(m.source.prefix.length),
    },
  };
}

/**
 * Why a deletion job does not belong to its migration, or undefined when it does: its
 * buckets are the migration's, its destination key is the one its source key maps to, and
 * the key is in the migration's scope. A worker checks this before deleting anything, so a
 * message naming another key, bucket or an ignored object never deletes it.
 */
export function deletionOutOfScope(m: Migration, job: Job): string | undefined {
  const { source, destination } = job;
  if (source.bucket !== m.source.bucket || destination.bucket !== m.destination.bucket)
    return `deletion job names buckets ${source.bucket} → ${destination.bucket}, not migration '${m.name}''s ${m.source.bucket} → ${m.destination.bucket}`;
  if (!source.key.startsWith(m.source.prefix) || destinationKey(m, source.key) !== destination.key)
    return `deletion job's destination key is not the one its source key maps to in migration '${m.name}'`;
  if (isIgnored(m, source.key, destination.size))
    return `deletion job names a key migration '${m.name}' ignores`;
  return undefined;
}
