import { regionStatus } from "../config/index.js";
import type { MigrationPlan } from "./model.js";
import { type Currency, type PriceBook, priceBook, type RegionPrices, type Tiers } from "./prices.js";
import { type PartRules, partRulesOf } from "./requests.js";

/**
 * The stack's default fleet (`instanceTypes` in infra/lib/config.ts; a test keeps the two
 * equal): the engine cannot read the stack's configuration, so `longbow plan
 * --instance-types` names another mix.
 */
export const stackInstanceTypes: readonly string[] = [
  "c5.large",
  "c6i.large",
  "c5a.large",
  "m5.large",
  "m6i.large",
];

/** The fleet the estimate prices: the one that will run the copy. */
export interface FleetOptions {
  /** @defaultValue the migrations' global-partition side (the usual setup), else the source's region */
  region?: string;
  /** @defaultValue {@link stackInstanceTypes} */
  instanceTypes?: readonly string[];
  /** Instances running during the ETA; the plan's throughput is theirs together. @defaultValue 1 */
  instances?: number;
}

/** What the estimate rests on besides the plan. */
export interface CostOptions {
  /** @defaultValue the repository's {@link priceBook} */
  prices?: PriceBook;
  fleet?: FleetOptions;
}

/** What a line of the estimate counts. */
export type CostItem =
  | "transfer-internet"
  | "transfer-inter-region"
  | "s3-write"
  | "s3-list"
  | "s3-read"
  | "sqs"
  | "dynamodb"
  | "fleet";

/** A sum of money; `low` and `high` differ only where a price is a range (Spot). */
export interface Money {
  currency: Currency;
  low: number;
  high: number;
}

/** One priced line: a quantity in one region times its price. */
export interface CostLine {
  item: CostItem;
  region: string;
  /** The written objects' class (`s3-write` only). */
  storageClass?: string;
  /** GB, requests, write request units or instance-hours. */
  quantity: number;
  /** Per GB, per 1,000 or per million requests, or per hour (low–high for the fleet). */
  unitPrice: { low: number; high: number };
  cost: Money;
}

/** The estimate of a plan: lines, totals per currency, and what could not be priced. */
export interface CostEstimate {
  asOf: string;
  caveat: string;
  lines: CostLine[];
  /** One per currency, in the order first met. */
  total: Money[];
  /** Each planned migration's own total (compares that failed are left out). */
  migrations: { migration: string; total: Money[] }[];
  /** Why a cost is missing: the estimate is then a lower bound. */
  unpriced: string[];
  /** What the figures assume, for the reader. */
  basis: {
    throughputBytesPerSecond: number;
    fleet: { region: string; instanceTypes: readonly string[]; instances: number; onDemandPerHour?: Money };
    spotShare: { low: number; high: number };
    partRules: PartRules;
    sqsRequestsPerObject: number;
    dynamoWriteUnitsPerObject: number;
    bytesPerGB: number;
  };
}

/** A quantity to price, before prices: one migration's or the whole plan's. */
interface Usage {
  key: string;
  item: CostItem;
  region: string;
  storageClass?: string;
  quantity: number;
}

const listPage = 1000;

/** The region the fleet runs in when not given: the global-partition side, as the README's usual setup. */
function defaultFleetRegion(migrations: readonly MigrationPlan[]): string {
  const m = migrations[0];
  if (m === undefined) return "us-east-1";
  const global = [m.usage.source.region, m.usage.destination.region].find((r) => {
    const s = regionStatus(r);
    return s.kind !== "impossible" && s.partition === "aws";
  });
  return global ?? m.usage.source.region;
}

/** The usage of one migration: what it will transfer and request. */
function usageOf(
  p: MigrationPlan,
  fleet: Required<FleetOptions>,
  book: PriceBook,
  unpriced: Set<string>,
): Usage[] {
  const out: Usage[] = [];
  const add = (item: CostItem, region: string, quantity: number, storageClass?: string) => {
    if (quantity > 0)
      out.push({
        key: `${item}|${region}|${storageClass ?? ""}`,
        item,
        region,
        quantity,
        ...(storageClass ? { storageClass } : {}),
      });
  };
  const { source, destination, requests } = p.usage;
  const gb = p.toCopy.bytes / book.bytesPerGB;
  if (source.customEndpoint || destination.customEndpoint) {
    if (p.toCopy.objects > 0)
      unpriced.add(
        `${p.migration}: S3 requests and data transfer at a custom endpoint (an S3-compatible store this price list does not know)`,
      );
  }
  if (!source.customEndpoint && !destination.customEndpoint && source.region !== destination.region) {
    const crossBorder = partitionOf(source.region) !== partitionOf(destination.region);
    add(crossBorder ? "transfer-internet" : "transfer-inter-region", source.region, gb);
  }
  if (!source.customEndpoint) {
    const listed =
      p.classes.new.objects +
      p.classes.changed.objects +
      p.classes.identical.objects +
      p.classes.ignored.objects;
    add("s3-list", source.region, Math.ceil(listed / listPage));
    add("s3-read", source.region, requests.source.get + requests.source.head);
  }
  if (!destination.customEndpoint) {
    const listed = p.classes.changed.objects + p.classes.identical.objects + p.classes.extra.objects;
    add("s3-list", destination.region, Math.ceil(listed / listPage) + requests.destination.list);
    add("s3-write", destination.region, requests.destination.put, destination.storageClass);
    add("s3-read", destination.region, requests.destination.head);
  }
  add("sqs", fleet.region, p.toCopy.objects * book.sqsRequestsPerObject.value);
  add("dynamodb", fleet.region, p.toCopy.objects * book.dynamoWriteUnitsPerObject.value);
  add("fleet", fleet.region, (fleet.instances * p.etaSeconds) / 3600);
  return out;
}

function partitionOf(region: string): string | undefined {
  const s = regionStatus(region);
  return s.kind === "impossible" ? undefined : s.partition;
}

function tiered(gb: number, t: Tiers): number {
  let cost = 0;
  let from = 0;
  for (const tier of t.tiers) {
    const to = tier.upToGB ?? Number.POSITIVE_INFINITY;
    if (gb > from) cost += (Math.min(gb, to) - from) * tier.perGB;
    from = to;
  }
  return cost;
}

/** The on-demand price range of the fleet's priced types; names the types without a price. */
function onDemandRange(
  r: RegionPrices | undefined,
  fleet: Required<FleetOptions>,
  unpriced: Set<string>,
): { low: number; high: number } | undefined {
  const prices: number[] = [];
  const missing: string[] = [];
  for (const type of fleet.instanceTypes) {
    const p = r?.ec2OnDemandPerHour?.perHour[type];
    if (p === undefined) missing.push(type);
    else prices.push(p);
  }
  if (missing.length > 0) {
    const left = prices.length === 0 ? "" : " (left out of the range)";
    unpriced.add(`fleet: no on-demand price in ${fleet.region} for ${missing.join(", ")}${left}`);
  }
  return prices.length === 0 ? undefined : { low: Math.min(...prices), high: Math.max(...prices) };
}

/** The unit price of a usage in its region, or undefined (and a reason) when the price list has none. */
function unitPriceOf(
  u: Usage,
  r: RegionPrices,
  fleet: Required<FleetOptions>,
  book: PriceBook,
  unpriced: Set<string>,
): { low: number; high: number } | undefined {
  const one = (v: number | undefined) => (v === undefined ? undefined : { low: v, high: v });
  switch (u.item) {
    case "transfer-internet":
      return one(r.internetOut.tiers[0]?.perGB);
    case "transfer-inter-region":
      return one(r.interRegionOutPerGB?.value);
    case "s3-write": {
      const cls = u.storageClass ?? "STANDARD";
      const p = r.s3.writePer1000[cls];
      if (p !== undefined) return one(p);
      unpriced.add(`S3 writes of class ${cls} in ${u.region}: priced as STANDARD (no price for the class)`);
      return one(r.s3.writePer1000.STANDARD);
    }
    case "s3-list":
      return one(r.s3.listPer1000);
    case "s3-read":
      return one(r.s3.readPer1000);
    case "sqs":
      return one(r.sqsPerMillion?.value);
    case "dynamodb":
      return one(r.dynamoWritePerMillion?.value);
    case "fleet": {
      const od = onDemandRange(r, fleet, unpriced);
      const s = book.spotShareOfOnDemand;
      return od === undefined ? undefined : { low: od.low * s.low, high: od.high * s.high };
    }
  }
}

const labelOf: Record<CostItem, string> = {
  "transfer-internet": "data transfer out to the internet",
  "transfer-inter-region": "data transfer to another region",
  "s3-write": "S3 PUT, COPY, POST",
  "s3-list": "S3 LIST",
  "s3-read": "S3 GET, HEAD",
  sqs: "SQS requests",
  dynamodb: "DynamoDB write request units",
  fleet: "fleet instance-hours on Spot",
};

/** How many units a price is per. */
export const perUnits: Record<CostItem, number> = {
  "transfer-internet": 1,
  "transfer-inter-region": 1,
  "s3-write": 1000,
  "s3-list": 1000,
  "s3-read": 1000,
  sqs: 1_000_000,
  dynamodb: 1_000_000,
  fleet: 1,
};

/** What a line counts, for people. */
export const costItemLabel = (item: CostItem): string => labelOf[item];

/** Sums usages by key, keeping the first-met order. */
function merge(usages: readonly Usage[]): Usage[] {
  const byKey = new Map<string, Usage>();
  for (const u of usages) {
    const had = byKey.get(u.key);
    if (had) had.quantity += u.quantity;
    else byKey.set(u.key, { ...u });
  }
  return [...byKey.values()];
}

function priceAll(
  usages: readonly Usage[],
  fleet: Required<FleetOptions>,
  book: PriceBook,
  unpriced: Set<string>,
): CostLine[] {
  const lines: CostLine[] = [];
  for (const u of merge(usages)) {
    const r = book.regions[u.region];
    if (r === undefined) {
      unpriced.add(`${labelOf[u.item]} in ${u.region}: no prices for the region`);
      continue;
    }
    const unit = unitPriceOf(u, r, fleet, book, unpriced);
    if (unit === undefined) {
      if (u.item !== "fleet") unpriced.add(`${labelOf[u.item]} in ${u.region}: no price for it`);
      continue;
    }
    const per = perUnits[u.item];
    const cost =
      u.item === "transfer-internet"
        ? { low: tiered(u.quantity, r.internetOut), high: tiered(u.quantity, r.internetOut) }
        : { low: (u.quantity * unit.low) / per, high: (u.quantity * unit.high) / per };
    lines.push({
      item: u.item,
      region: u.region,
      ...(u.storageClass ? { storageClass: u.storageClass } : {}),
      quantity: u.quantity,
      unitPrice: unit,
      cost: { currency: r.currency, ...cost },
    });
  }
  return lines;
}

function totalOf(lines: readonly CostLine[]): Money[] {
  const by = new Map<Currency, Money>();
  for (const l of lines) {
    const t = by.get(l.cost.currency) ?? { currency: l.cost.currency, low: 0, high: 0 };
    t.low += l.cost.low;
    t.high += l.cost.high;
    by.set(l.cost.currency, t);
  }
  return [...by.values()];
}

/**
 * The cost of carrying out a plan, from list prices: data transfer out of each source
 * region, S3 requests on both sides from the planned objects and their parts, SQS and
 * DynamoDB requests from the measured figures per object, and the fleet's instance-hours
 * for the ETA. An estimate: its assumptions are in {@link CostEstimate.basis} and the
 * rendered plan lists them.
 */
export function estimateCost(
  migrations: readonly MigrationPlan[],
  throughputBytesPerSecond: number,
  options: CostOptions = {},
): CostEstimate {
  const book = options.prices ?? priceBook;
  const planned = migrations.filter((m) => m.error === undefined);
  const fleet: Required<FleetOptions> = {
    region: options.fleet?.region ?? defaultFleetRegion(planned),
    instanceTypes: options.fleet?.instanceTypes ?? stackInstanceTypes,
    instances: options.fleet?.instances ?? 1,
  };
  const unpriced = new Set<string>();
  for (const m of migrations)
    if (m.error !== undefined) unpriced.add(`${m.migration}: not estimated (its compare failed)`);
  const perMigration = planned.map((m) => {
    const usage = usageOf(m, fleet, book, unpriced);
    return { m, usage };
  });
  const lines = priceAll(
    perMigration.flatMap((x) => x.usage),
    fleet,
    book,
    unpriced,
  );
  const fleetPrices = book.regions[fleet.region];
  const od = onDemandRange(fleetPrices, fleet, new Set());
  return {
    asOf: book.asOf,
    caveat: book.caveat,
    lines,
    total: totalOf(lines),
    migrations: perMigration.map(({ m, usage }) => ({
      migration: m.migration,
      total: totalOf(priceAll(usage, fleet, book, new Set())),
    })),
    unpriced: [...unpriced],
    basis: {
      throughputBytesPerSecond,
      fleet: {
        ...fleet,
        ...(od && fleetPrices ? { onDemandPerHour: { currency: fleetPrices.currency, ...od } } : {}),
      },
      spotShare: { low: book.spotShareOfOnDemand.low, high: book.spotShareOfOnDemand.high },
      partRules: planned[0]?.usage.partRules ?? partRulesOf(),
      sqsRequestsPerObject: book.sqsRequestsPerObject.value,
      dynamoWriteUnitsPerObject: book.dynamoWriteUnitsPerObject.value,
      bytesPerGB: book.bytesPerGB,
    },
  };
}
