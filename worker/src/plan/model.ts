import type { DiffItem, DiffKind } from "../compare/index.js";
import type { Migration } from "../config/index.js";

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

/** The plan of one migration. */
export interface MigrationPlan {
  migration: string;
  /** `s3://bucket/prefix` of each side (no credentials, no endpoint). */
  source: string;
  destination: string;
  compare: Migration["compare"];
  classes: Record<DiffKind, Tally>;
  /** new + changed. */
  toCopy: Tally;
  /** The largest objects to copy, biggest first (at most {@link largestCount}). */
  largest: PlannedCopy[];
  /** Seconds to copy `toCopy.bytes` at the plan's throughput. */
  etaSeconds: number;
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
}

/** How many of the largest objects a plan lists. */
export const largestCount = 10;

const kinds: DiffKind[] = ["new", "changed", "identical", "ignored", "extra"];

const emptyClasses = (): Record<DiffKind, Tally> =>
  Object.fromEntries(kinds.map((k) => [k, { objects: 0, bytes: 0 }])) as Record<DiffKind, Tally>;

const eta = (bytes: number, throughput: number) => Math.ceil(bytes / throughput);

/** Accumulates one migration's diff items into its plan in O(1) memory. */
export class MigrationPlanBuilder {
  private readonly classes = emptyClasses();
  private readonly largest: PlannedCopy[] = [];
  private error: string | undefined;

  constructor(private readonly migration: Migration) {}

  add(item: DiffItem): void {
    const t = this.classes[item.kind];
    t.objects++;
    t.bytes += item.size;
    if ((item.kind === "new" || item.kind === "changed") && item.sourceKey !== undefined) {
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

  /** Records that the compare failed; the message must not carry credentials. */
  fail(message: string): void {
    this.error = message;
  }

  build(throughputBytesPerSecond: number): MigrationPlan {
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
      classes: this.classes,
      toCopy,
      largest: [...this.largest],
      etaSeconds: eta(toCopy.bytes, throughputBytesPerSecond),
    };
    if (this.error !== undefined) plan.error = this.error;
    return plan;
  }
}

/** Consumes a diff stream, of items or of chunks of items, into the plan of its migration. */
export async function planFromDiff(
  m: Migration,
  items: AsyncIterable<DiffItem | readonly DiffItem[]>,
  throughputBytesPerSecond: number,
): Promise<MigrationPlan> {
  const b = new MigrationPlanBuilder(m);
  for await (const item of items) {
    if (Array.isArray(item)) for (const i of item as readonly DiffItem[]) b.add(i);
    else b.add(item as DiffItem);
  }
  return b.build(throughputBytesPerSecond);
}

/** Puts migration plans together with totals and a timestamp. */
export function assemblePlan(migrations: MigrationPlan[], throughputBytesPerSecond: number, now: Date): Plan {
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
  };
}
