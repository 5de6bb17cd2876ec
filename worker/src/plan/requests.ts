import { defaultSettings, type Settings } from "../settings/index.js";
import { ownPlan } from "../transfer/index.js";

const MiB = 1024 * 1024;

/** How the engine cuts objects: what the request count of a copy depends on. */
export interface PartRules {
  /** Objects of at most this size are one GET and one PUT. */
  multipartThreshold: number;
  /** Fixed part size, or undefined for the engine's auto size. */
  partSize: number | undefined;
  /** Smallest part the engine plans (S3's 5 MiB). */
  minPartSize: number;
}

/** The engine's part rules from its settings (the defaults unless the environment changes them). */
export function partRulesOf(
  settings: Pick<Settings, "multipartThreshold" | "partSize"> &
    Partial<Pick<Settings, "minPartSize">> = defaultSettings,
): PartRules {
  return {
    multipartThreshold: settings.multipartThreshold,
    partSize: settings.partSize,
    minPartSize: settings.minPartSize ?? 5 * MiB,
  };
}

/**
 * S3 requests a copy will make, by side and billing class. Multipart uploads' POSTs
 * (Create/Complete) and UploadPart bill as PUTs; HEAD as GET; ListMultipartUploads as LIST.
 */
export interface CopyRequests {
  source: { get: number; head: number };
  destination: { put: number; head: number; list: number };
  /** Objects copied in parts, and their parts. */
  multipartObjects: number;
  parts: number;
}

export const noRequests = (): CopyRequests => ({
  source: { get: 0, head: 0 },
  destination: { put: 0, head: 0, list: 0 },
  multipartObjects: 0,
  parts: 0,
});

/**
 * The requests of one first, clean copy of an object of `size` bytes, as `copyObject` makes
 * them: at or below the threshold one GET and one PUT (no HEAD on a fresh job); above it a
 * ListMultipartUploads (resume), a HEAD of each side, a GetObjectTagging when tags are
 * copied (a HEAD does not tell whether there are any), one ranged GET and one UploadPart per
 * part of the engine's own plan, and Create + Complete. Not counted: retries, a source
 * uploaded in parts (copied in its own parts, with two part HEADs), tagged small objects
 * (one GetObjectTagging each), SSE-KMS sources (one HEAD for the checksum).
 */
export function addCopyRequests(into: CopyRequests, size: number, rules: PartRules, copyTags: boolean): void {
  if (size <= rules.multipartThreshold) {
    into.source.get += 1;
    into.destination.put += 1;
    return;
  }
  const parts = ownPlan({ size, fixedPartSize: rules.partSize, minPartSize: rules.minPartSize }).partsCount;
  into.multipartObjects += 1;
  into.parts += parts;
  into.source.head += 1;
  into.source.get += parts + (copyTags ? 1 : 0);
  into.destination.list += 1;
  into.destination.head += 1;
  into.destination.put += parts + 2;
}
