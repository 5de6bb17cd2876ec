import { isIgnored, jobDestination, type Migration } from "../config/index.js";
import type { Job } from "../job/index.js";
import { deletionJobForRemoved } from "../mirror/index.js";

/** What one queue message asks for. */
export type ParsedMessage =
  /**
   * Jobs to run: a Job message, or the records of an S3 event that match a migration
   * (ObjectCreated: copies; ObjectRemoved: deletions, by migrations in mirror mode only).
   * `skipped`: objects no migration takes; `notMirrored`: removals that the migrations
   * taking the key leave alone, since they do not mirror (`<migration>: bucket/key`).
   */
  | { kind: "jobs"; jobs: Job[]; skipped: string[]; notMirrored: string[] }
  /** Nothing to do and safe to delete: `s3:TestEvent`, or an event with no ObjectCreated or ObjectRemoved record. */
  | { kind: "ignore"; reason: string }
  /** Not a message Longbow understands; it goes to the dead letters. */
  | { kind: "invalid"; reason: string };

interface S3EventRecord {
  eventSource?: string;
  eventName?: string;
  s3?: {
    bucket?: { name?: string };
    object?: { key?: string; size?: number; eTag?: string; versionId?: string };
  };
}

/** S3 event keys are URL-encoded with `+` for a space (application/x-www-form-urlencoded). */
export function decodeEventKey(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, " "));
}

function isJob(v: unknown): v is Job {
  const j = v as Job;
  return (
    typeof j === "object" &&
    j !== null &&
    typeof j.migration === "string" &&
    typeof j.source?.bucket === "string" &&
    typeof j.source?.key === "string" &&
    typeof j.destination?.bucket === "string" &&
    typeof j.destination?.key === "string" &&
    (j.action === undefined || j.action === "delete")
  );
}

/**
 * The jobs of one S3 ObjectCreated record: one per enabled migration whose source bucket
 * and prefix contain the key and whose ignore rules let it through, to that migration's
 * destination key. Several migrations may take the same object.
 */
export function jobsForObject(
  migrations: readonly Migration[],
  bucket: string,
  object: { key: string; size?: number; etag?: string; versionId?: string },
): Job[] {
  const jobs: Job[] = [];
  for (const m of migrations) {
    if (!m.enabled || m.source.bucket !== bucket || !object.key.startsWith(m.source.prefix)) continue;
    if (isIgnored(m, object.key, object.size)) continue;
    const source: Job["source"] = { bucket, key: object.key };
    if (object.size !== undefined) source.size = object.size;
    if (object.etag) source.etag = object.etag.replace(/"/g, "");
    if (object.versionId) source.versionId = object.versionId;
    jobs.push({
      migration: m.name,
      source,
      destination: jobDestination(m, object.key),
    });
  }
  return jobs;
}

/**
 * The deletion jobs of one S3 ObjectRemoved record: one per enabled migration in mirror
 * mode whose source contains the key and whose rules let it through. Migrations that take
 * the key but do not mirror are named in `notMirrored`: their destination keeps its copy.
 */
export function deletionsForRemoved(
  migrations: readonly Migration[],
  bucket: string,
  key: string,
): { jobs: Job[]; notMirrored: string[] } {
  const jobs: Job[] = [];
  const notMirrored: string[] = [];
  for (const m of migrations) {
    if (!m.enabled || m.source.bucket !== bucket || !key.startsWith(m.source.prefix)) continue;
    if (isIgnored(m, key)) continue;
    const job = deletionJobForRemoved(m, key);
    if (job) jobs.push(job);
    else notMirrored.push(`${m.name}: ${bucket}/${key}`);
  }
  return { jobs, notMirrored };
}

function fromS3Event(records: S3EventRecord[], migrations: readonly Migration[]): ParsedMessage {
  const jobs: Job[] = [];
  const skipped: string[] = [];
  const notMirrored: string[] = [];
  let understood = 0;
  for (const r of records) {
    if (r.eventSource !== undefined && r.eventSource !== "aws:s3") continue;
    const removed = r.eventName?.startsWith("ObjectRemoved:") === true;
    if (!removed && !r.eventName?.startsWith("ObjectCreated:")) continue;
    const bucket = r.s3?.bucket?.name;
    const rawKey = r.s3?.object?.key;
    if (bucket === undefined || rawKey === undefined)
      return { kind: "invalid", reason: "S3 event record without bucket or key" };
    let key: string;
    try {
      key = decodeEventKey(rawKey);
    } catch {
      return { kind: "invalid", reason: `S3 event key is not URL-encoded: ${rawKey.slice(0, 200)}` };
    }
    understood++;
    if (removed) {
      const found = deletionsForRemoved(migrations, bucket, key);
      if (found.jobs.length === 0 && found.notMirrored.length === 0) skipped.push(`${bucket}/${key}`);
      jobs.push(...found.jobs);
      notMirrored.push(...found.notMirrored);
      continue;
    }
    const o = r.s3?.object ?? {};
    const found = jobsForObject(migrations, bucket, {
      key,
      ...(o.size === undefined ? {} : { size: o.size }),
      ...(o.eTag === undefined ? {} : { etag: o.eTag }),
      ...(o.versionId === undefined ? {} : { versionId: o.versionId }),
    });
    if (found.length === 0) skipped.push(`${bucket}/${key}`);
    jobs.push(...found);
  }
  if (understood === 0)
    return { kind: "ignore", reason: "S3 event without an ObjectCreated or ObjectRemoved record" };
  return { kind: "jobs", jobs, skipped, notMirrored };
}

/**
 * Reads a queue message: a Longbow {@link Job}, an S3 event notification (straight from a
 * bucket notification, or wrapped in an SNS notification), or `s3:TestEvent`.
 */
export function parseMessage(body: string, migrations: readonly Migration[]): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: "invalid", reason: "message body is not JSON" };
  }
  const v = value as { Type?: string; Message?: unknown; Event?: string; Records?: unknown };
  if (v?.Type === "Notification" && typeof v.Message === "string") return parseMessage(v.Message, migrations);
  if (v?.Event === "s3:TestEvent") return { kind: "ignore", reason: "s3:TestEvent" };
  if (Array.isArray(v?.Records)) return fromS3Event(v.Records as S3EventRecord[], migrations);
  if (isJob(value)) return { kind: "jobs", jobs: [value], skipped: [], notMirrored: [] };
  return { kind: "invalid", reason: "message is neither a Longbow job nor an S3 event" };
}
