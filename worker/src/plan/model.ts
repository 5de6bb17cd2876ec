import { compileBandwidth } from "../bandwidth/index.js";
import { compareKeys, type DiffItem, type DiffKind } from "../compare/index.js";
import { type Migration, storeOf } from "../config/index.js";
import type { DestinationEncryption } from "../job/index.js";
import { type DeletionShare, deletionJob, deletionShare } from "../mirror/index.js";
import { type CostEstimate, type CostOptions, estimateCost } from "./estimate.js";
import { addCopyRequests, type CopyRequests, noRequests, type PartRules, partRulesOf } from "./requests.js";

/** A count of objects and their bytes. */
export interface Tally {
  objects: number;
  bytes: number;
}

/** One object the plan will copy, among the largest. */
export interface PlannedCopy {
  kind: "new" | "changed";
  sourceKey: string;
  destinationKey: string;
  size: number;
}

/** One destination object a mirror-mode migration will delete, among the largest. */
export interface PlannedDeletion {
  destinationKey: string;
  size: number;
}

/** What a migration in mirror mode will delete: its extra objects, less ignored keys. */
export interface PlannedDeletions extends DeletionShare {
  bytes: number;
  /** The largest, biggest first (at most {@link largestCount}). */
  largest: PlannedDeletion[];
  /** The first keys in key order (at most {@link deletionSampleCount}): the same sample on every plan of the same state. */
  sample: string[];
}

/** What a migration's copies will use, for the cost estimate. */
export interface PlannedUsage {
  /** `customEndpoint`: an S3-compatible store, not AWS S3 (which the price list knows). */
  source: { region: string; customEndpoint: boolean };
  destination: { region: string; customEndpoint: boolean; storageClass: string };
  /** The part rules the request counts follow. */
  partRules: PartRules;
  /** S3 requests of copying `toCopy`, each object once. */
  requests: CopyRequests;
}

/** The plan of one migration. */
export interface MigrationPlan {
  migration: string;
  /** `s3://bucket/prefix` of each side (no credentials, no endpoint). */
  source: string;
  destination: string;
  compare: Migration["compare"];
  /** The destination encryption copies ask for; absent: the bucket's default. */
  encryption?: DestinationEncryption;
  /** The storage class copies are written in (`preserve`: each source object's own), and whether tags are copied. */
  writes: { storageClass: Migration["destination"]["storageClass"]; tags: Migration["destination"]["tags"] };
  classes: Record<DiffKind, Tally>;
  /** new + changed. */
  toCopy: Tally;
  /** The largest objects to copy, biggest first (at most {@link largestCount}). */
  largest: PlannedCopy[];
  /** Seconds to copy `toCopy.bytes` at the plan's throughput. */
  etaSeconds: number;
  usage: PlannedUsage;
  /** The migration's bandwidth limit, when it sets one, and the ETA of `toCopy` under it from the plan's time. */
  bandwidth?: { limit: string; etaSeconds: number };
  /** Set for a migration in mirror mode (even with nothing to delete). */
  deletions?: PlannedDeletions;
  /** Set when the compare failed; counts then cover only what was seen before. */
  error?: string;
}

/** The plan of a set of migrations: what `longbow plan` and the Action's PR comment show. */
export interface Plan {
  /** ISO 8601 time the plan was made. */
  createdAt: string;
  /** Throughput the ETAs assume, bytes per second. */
  throughputBytesPerSecond: number;
  migrations: MigrationPlan[];
  totals: { classes: Record<DiffKind, Tally>; toCopy: Tally; etaSeconds: number };
  /** What carrying the plan out would cost, from list prices: an estimate. */
  estimate: CostEstimate;
}

/** How many of the largest objects a plan lists. */
export const largestCount = 10;

/** How many keys to delete a plan shows as a sample. */
export const deletionSampleCount = 20;

const kinds: DiffKind[] = ["new", "changed", "identical", "ignored", "extra"];

const emptyClasses = (): Record<DiffKind, Tally> =>
  Object.fromEntries(kinds.map((k) => [k, { objects: 0, bytes: 0 }])) as Record<DiffKind, Tally>;

/** True for AWS S3 itself, named by region or by one of AWS's own endpoints; false for any other store. */
const onAws = (side: Migration["source"]) => storeOf(side).startsWith("aws:");

const eta = (bytes: number, throughput: number) => Math.ceil(bytes / throughput);

/** Inserts `entry` into `list` kept sorted by `before`, holding at most `max` entries. */
function insertBounded<T>(list: T[], entry: T, max: number, before: (a: T, b: T) => boolean): void {
  const last = list[list.length - 1];
  if (list.length >= max && (last === undefined || !before(entry, last))) return;
  const at = list.findIndex((x) => before(entry, x));
  list.splice(at < 0 ? list.length : at, 0, entry);
  if (list.length > max) list.pop();
}

/** Accumulates one migration's diff items into its plan in O(1) memory. */
export class MigrationPlanBuilder {
  private readonly classes = emptyClasses();
  private readonly largest: PlannedCopy[] = [];
  private readonly requests = noRequests();
  private error: string | undefined;
  private destinationObjects = 0;
  private readonly deletions = {
    objects: 0,
    bytes: 0,
    largest: [] as PlannedDeletion[],
    sample: [] as string[],
  };

  /** @param partRules how the engine will cut the copies. @defaultValue the engine's default settings */
  constructor(
    private readonly migration: Migration,
    private readonly partRules: PartRules = partRulesOf(),
  ) {}

  add(item: DiffItem): void {
    const t = this.classes[item.kind];
    t.objects++;
    t.bytes += item.size;
    if (item.kind === "extra" || item.atDestination) this.destinationObjects++;
    if (item.kind === "extra" && deletionJob(this.migration, item)) this.addDeletion(item);
    if ((item.kind === "new" || item.kind === "changed") && item.sourceKey !== undefined) {
      addCopyRequests(this.requests, item.size, this.partRules, this.migration.destination.tags !== "none");
      const last = this.largest[this.largest.length - 1];
      if (this.largest.length < largestCount || (last !== undefined && item.size > last.size)) {
        const entry = {
          kind: item.kind,
          sourceKey: item.sourceKey,
          destinationKey: item.destinationKey,
          size: item.size,
        };
        const at = this.largest.findIndex((x) => x.size < item.size);
        this.largest.splice(at < 0 ? this.largest.length : at, 0, entry);
        if (this.largest.length > largestCount) this.largest.pop();
      }
    }
  }

  private addDeletion(item: DiffItem): void {
    const d = this.deletions;
    d.objects++;
    d.bytes += item.size;
    const entry = { destinationKey: item.destinationKey, size: item.size };
    // ties go by key, so the same state always plans the same list
    insertBounded(
      d.largest,
      entry,
      largestCount,
      (a, b) => a.size > b.size || (a.size === b.size && compareKeys(a.destinationKey, b.destinationKey) < 0),
    );
    insertBounded(d.sample, item.destinationKey, deletionSampleCount, (a, b) => compareKeys(a, b) < 0);
  }

  /** Records that the compare failed; the message must not carry credentials. */
  fail(message: string): void {
    this.error = message;
  }

  build(throughputBytesPerSecond: number, now: number = Date.now()): MigrationPlan {
    const m = this.migration;
    const toCopy = {
      objects: this.classes.new.objects + this.classes.changed.objects,
      bytes: this.classes.new.bytes + this.classes.changed.bytes,
    };
    const plan: MigrationPlan = {
      migration: m.name,
      source: `s3://${m.source.bucket}/${m.source.prefix}`,
      destination: `s3://${m.destination.bucket}/${m.destination.prefix}`,
      compare: m.compare,
      writes: { storageClass: m.destination.storageClass, tags: m.destination.tags },
      classes: this.classes,
      toCopy,
      largest: [...this.largest],
      etaSeconds: eta(toCopy.bytes, throughputBytesPerSecond),
      usage: {
        source: { region: m.source.region, customEndpoint: !onAws(m.source) },
        destination: {
          region: m.destination.region,
          customEndpoint: !onAws(m.destination),
          storageClass: m.destination.storageClass,
        },
        partRules: { ...this.partRules },
        requests: structuredClone(this.requests),
      },
    };
    if (m.mirror.enabled) {
      const d = this.deletions;
      plan.deletions = {
        ...deletionShare(m, d.objects, this.destinationObjects),
        bytes: d.bytes,
        largest: [...d.largest],
        sample: [...d.sample],
      };
    }
    const { limit } = compileBandwidth(m.limits);
    if (limit !== undefined) {
      const seconds = limit.secondsToMove(toCopy.bytes, throughputBytesPerSecond, now);
      plan.bandwidth = { limit: limit.describe(), etaSeconds: Math.ceil(seconds) };
    }
    if (this.error !== undefined) plan.error = this.error;
    if (m.destination.encryption !== undefined) plan.encryption = m.destination.encryption;
    return plan;
  }
}

/** Consumes a diff stream, of items or of chunks of items, into the plan of its migration. */
export async function planFromDiff(
  m: Migration,
  items: AsyncIterable<DiffItem | readonly DiffItem[]>,
  throughputBytesPerSecond: number,
  partRules?: PartRules,
): Promise<MigrationPlan> {
  const b = new MigrationPlanBuilder(m, partRules);
  for await (const item of items) {
    if (Array.isArray(item)) for (const i of item as readonly DiffItem[]) b.add(i);
    else b.add(item as DiffItem);
  }
  return b.build(throughputBytesPerSecond);
}

/** Puts migration plans together with totals, a timestamp and the cost estimate. */
export function assemblePlan(
  migrations: MigrationPlan[],
  throughputBytesPerSecond: number,
  now: Date,
  costs: CostOptions = {},
): Plan {
  const classes = emptyClasses();
  for (const p of migrations) {
    for (const k of kinds) {
      classes[k].objects += p.classes[k].objects;
      classes[k].bytes += p.classes[k].bytes;
    }
  }
  const toCopy = {
    objects: classes.new.objects + classes.changed.objects,
    bytes: classes.new.bytes + classes.changed.bytes,
  };
  return {
    createdAt: now.toISOString(),
    throughputBytesPerSecond,
    migrations,
    totals: { classes, toCopy, etaSeconds: eta(toCopy.bytes, throughputBytesPerSecond) },
    estimate: estimateCost(migrations, throughputBytesPerSecond, costs),
  };
}
