import type { BandwidthScheduleFile } from "../bandwidth/index.js";
import type { CredentialsRef, StorageClassChoice } from "../endpoint/index.js";
import type { DestinationEncryption, ObjectTags } from "../job/index.js";

/** How an object already at the destination is judged identical. */
export type CompareMode = "size" | "etag" | "version";

/** One side of a migration as written in YAML (`source:`). */
export interface MigrationSideFile {
  bucket: string;
  /** @defaultValue "" */
  prefix?: string;
  region: string;
  /** Custom endpoint URL (S3-compatible stores, the emulator); path-style addressing. */
  endpoint?: string;
  /** @defaultValue "default" */
  credentials?: CredentialsRef;
}

/** The destination side as written in YAML. */
export interface MigrationDestinationFile extends MigrationSideFile {
  /** @defaultValue "STANDARD" */
  storageClass?: StorageClassChoice;
  /** @defaultValue "copy" */
  tags?: ObjectTags;
  /** Absent: the bucket's default encryption. */
  encryption?: DestinationEncryption;
}

/** The original's versioning switches. All default to false. */
export interface VersioningSwitches {
  /** Compare source versionIds with those recorded at copy time (JobsenderCompareVersionId). */
  compareVersionId: boolean;
  /** Workers look up the current versionId before copying when a job has none (UpdateVersionId). */
  updateVersionId: boolean;
  /** Every read is pinned to the job's versionId (GetObjectWithVersionId). */
  getObjectWithVersionId: boolean;
}

/** Optional per-migration limits; each overrides the worker's runtime setting for this migration. */
export interface MigrationLimits {
  filesInParallel?: number;
  partsInParallel?: number;
  /** Source objects larger than this many bytes are ignored rather than copied. */
  maxObjectSize?: number;
  /** Objects of at least this many MiB are fanned out across workers (the LONGBOW_FANOUT_THRESHOLD_MB setting's override). */
  fanoutThresholdMB?: number;
  /** Fleet-wide bandwidth outside the schedule's windows, e.g. `200MB/s`; absent: unlimited. */
  bandwidth?: string;
  /** A weekly timetable of bandwidth limits in one IANA time zone. */
  bandwidthSchedule?: BandwidthScheduleFile;
}

/** Mirror mode as written: a switch, or the switch with its safety stop. */
export type MirrorFile = boolean | { enabled: boolean; maxDeleteShare?: string };

/** Mirror mode with its default applied. */
export interface MirrorMode {
  /** Delete the destination's extra objects (never, when false). */
  enabled: boolean;
  /** The safety stop as written, a percentage such as `10%`; see {@link maxDeleteFraction}. */
  maxDeleteShare: string;
}

/** The safety stop's default: at most this share of the destination is deleted without raising it. */
export const defaultMaxDeleteShare = "10%";

/** The safety stop as a fraction (0..1) of the destination's objects. */
export function maxDeleteFraction(mirror: MirrorMode): number {
  return Number.parseFloat(mirror.maxDeleteShare) / 100;
}

/** A migration file exactly as `migrations/schema.json` allows it (optional fields optional). */
export interface MigrationFile {
  name: string;
  /** @defaultValue true */
  enabled?: boolean;
  source: MigrationSideFile;
  destination: MigrationDestinationFile;
  /** @defaultValue "etag" (a same-size rewrite has a new ETag; "size" misses it) */
  compare?: CompareMode;
  /** @defaultValue [] */
  ignore?: string[];
  include?: string[];
  versioning?: Partial<VersioningSwitches>;
  limits?: MigrationLimits;
  /** @defaultValue false */
  mirror?: MirrorFile;
}

/** One side with its defaults applied. */
export interface MigrationSide {
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string;
  credentials: CredentialsRef;
}

/**
 * A validated migration with every default applied: what the engine, the Action and the
 * infrastructure read. Published to SSM as this JSON.
 */
export interface Migration {
  name: string;
  enabled: boolean;
  source: MigrationSide;
  destination: MigrationSide & {
    storageClass: StorageClassChoice;
    tags: ObjectTags;
    /** Absent: the bucket's default encryption. */
    encryption?: DestinationEncryption;
  };
  compare: CompareMode;
  ignore: string[];
  /** Empty means "everything under the source prefix". */
  include: string[];
  versioning: VersioningSwitches;
  limits: MigrationLimits;
  mirror: MirrorMode;
}

/** Where a migration came from: the model plus its file, for messages and annotations. */
export interface LoadedMigration {
  migration: Migration;
  /** Path of the YAML file as given to the loader (relative paths stay relative). */
  file: string;
}

function side(s: MigrationSideFile): MigrationSide {
  const out: MigrationSide = {
    bucket: s.bucket,
    prefix: s.prefix ?? "",
    region: s.region,
    credentials: s.credentials ?? "default",
  };
  if (s.endpoint !== undefined) out.endpoint = s.endpoint;
  return out;
}

/** Applies every default of the schema in one place. The input must already be schema-valid. */
export function normalizeMigration(file: MigrationFile): Migration {
  return {
    name: file.name,
    enabled: file.enabled ?? true,
    source: side(file.source),
    destination: {
      ...side(file.destination),
      storageClass: file.destination.storageClass ?? "STANDARD",
      tags: file.destination.tags ?? "copy",
      ...(file.destination.encryption === undefined
        ? {}
        : { encryption: { ...file.destination.encryption } }),
    },
    compare: file.compare ?? "etag",
    ignore: [...(file.ignore ?? [])],
    include: [...(file.include ?? [])],
    versioning: {
      compareVersionId: file.versioning?.compareVersionId ?? false,
      updateVersionId: file.versioning?.updateVersionId ?? false,
      getObjectWithVersionId: file.versioning?.getObjectWithVersionId ?? false,
    },
    limits: { ...(file.limits ?? {}) },
    mirror: mirrorOf(file.mirror),
  };
}

function mirrorOf(m: MirrorFile | undefined): MirrorMode {
  if (typeof m === "object")
    return { enabled: m.enabled, maxDeleteShare: m.maxDeleteShare ?? defaultMaxDeleteShare };
  return { enabled: m ?? false, maxDeleteShare: defaultMaxDeleteShare };
}
