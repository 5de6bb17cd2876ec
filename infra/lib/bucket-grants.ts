import type { MigrationGrantSide, MigrationGrantSource, Partition } from "./config.js";

/** One bucket and the key prefixes the fleet may touch in it; `""` means the whole bucket. */
export interface BucketGrant {
  readonly bucket: string;
  readonly prefixes: readonly string[];
}

/** Buckets to read (sources) and to write (destinations), in the stack's own partition only. */
export interface BucketGrants {
  readonly read: readonly BucketGrant[];
  readonly write: readonly BucketGrant[];
}

/** An SSM SecureString a migration names for one of its sides. */
export interface CredentialsParameterRef {
  readonly name: string;
  /** @defaultValue undefined: the reader's (stack's) region */
  readonly region?: string;
}

function partitionOfRegion(region: string): Partition {
  return region.startsWith("cn-") ? "aws-cn" : "aws";
}

/**
 * The worker's role reaches a side only if the side is in the stack's partition (a role means
 * nothing in the other one), is real S3 (no custom endpoint) and uses the default chain; a
 * side with a profile or a credentials parameter is reached with those keys instead.
 */
function reachedByRole(side: MigrationGrantSide, partition: Partition): boolean {
  const local = side.region === undefined || partitionOfRegion(side.region) === partition;
  return local && side.endpoint === undefined && (side.credentials ?? "default") === "default";
}

function merge(entries: { bucket: string; prefix: string }[]): BucketGrant[] {
  const byBucket = new Map<string, Set<string>>();
  for (const { bucket, prefix } of entries) {
    const set = byBucket.get(bucket) ?? new Set<string>();
    set.add(prefix);
    byBucket.set(bucket, set);
  }
  return [...byBucket.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([bucket, set]) => ({ bucket, prefixes: dropCovered([...set].sort()) }));
}

/** Drops prefixes a shorter one already covers; `""` covers everything. */
function dropCovered(sorted: string[]): string[] {
  const kept: string[] = [];
  for (const p of sorted) {
    if (!kept.some((k) => p.startsWith(k))) kept.push(p);
  }
  return kept;
}

/** Which buckets and prefixes the worker role needs to read and write. Disabled migrations are left out. */
export function bucketGrants(
  migrations: readonly MigrationGrantSource[],
  partition: Partition,
): BucketGrants {
  const read: { bucket: string; prefix: string }[] = [];
  const write: { bucket: string; prefix: string }[] = [];
  for (const m of migrations) {
    if (m.enabled === false) continue;
    if (reachedByRole(m.source, partition))
      read.push({ bucket: m.source.bucket, prefix: m.source.prefix ?? "" });
    if (reachedByRole(m.destination, partition)) {
      write.push({ bucket: m.destination.bucket, prefix: m.destination.prefix ?? "" });
    }
  }
  return { read: merge(read), write: merge(write) };
}

/**
 * Every bucket of enabled migrations in this partition (real S3 only), whichever
 * credentials the fleet uses for it: what a role of this partition lists for a plan.
 */
export function partitionBuckets(
  migrations: readonly MigrationGrantSource[],
  partition: Partition,
): string[] {
  const names = new Set<string>();
  for (const m of migrations) {
    if (m.enabled === false) continue;
    for (const side of [m.source, m.destination]) {
      const local = side.region === undefined || partitionOfRegion(side.region) === partition;
      if (local && side.endpoint === undefined) names.add(side.bucket);
    }
  }
  return [...names].sort();
}

/**
 * The destination buckets and prefixes of enabled migrations in this partition (real S3
 * only): where `send` aborts unfinished uploads of objects already done or skipped.
 */
export function partitionDestinations(
  migrations: readonly MigrationGrantSource[],
  partition: Partition,
): BucketGrant[] {
  const entries: { bucket: string; prefix: string }[] = [];
  for (const m of migrations) {
    if (m.enabled === false) continue;
    const d = m.destination;
    const local = d.region === undefined || partitionOfRegion(d.region) === partition;
    if (local && d.endpoint === undefined) entries.push({ bucket: d.bucket, prefix: d.prefix ?? "" });
  }
  return merge(entries);
}

/** A KMS key the fleet encrypts destination objects with, as its region and path after the partition. */
export interface KmsKeyGrant {
  readonly region: string;
  /** `<region>:<account>:key/<id>`: the key ARN without `arn:<partition>:kms:`. */
  readonly key: string;
}

/**
 * The SSE-KMS keys of enabled migrations whose destination the fleet's role writes (in this
 * partition, real S3, default credentials), each once, sorted. A destination reached with an
 * access key needs the grant on that key's identity instead, which the stack cannot give.
 */
export function destinationKmsKeys(
  migrations: readonly MigrationGrantSource[],
  partition: Partition,
): KmsKeyGrant[] {
  const found = new Map<string, KmsKeyGrant>();
  for (const m of migrations) {
    const e = m.destination.encryption;
    if (m.enabled === false || e?.type !== "SSE-KMS" || e.keyId === undefined) continue;
    if (!reachedByRole(m.destination, partition)) continue;
    const [arn, keyPartition, service, region, account, resource] = e.keyId.split(":");
    // validated by the migration checks; anything else is not granted rather than guessed at
    if (arn !== "arn" || keyPartition !== partition || service !== "kms" || !region || !account || !resource)
      continue;
    const key = `${region}:${account}:${resource}`;
    found.set(key, { region, key });
  }
  return [...found.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Every credentials parameter enabled migrations name, without duplicates, sorted by name. */
export function credentialsParameters(
  migrations: readonly MigrationGrantSource[],
): CredentialsParameterRef[] {
  const found = new Map<string, CredentialsParameterRef>();
  for (const m of migrations) {
    if (m.enabled === false) continue;
    for (const side of [m.source, m.destination]) {
      const c = side.credentials;
      if (c !== undefined && typeof c === "object" && "ssmParameter" in c) {
        const ref =
          c.region === undefined ? { name: c.ssmParameter } : { name: c.ssmParameter, region: c.region };
        found.set(`${ref.region ?? ""}|${ref.name}`, ref);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
