import type { PartitionsInfo } from "@aws-sdk/core/client";
// The SDK ships its partition table (every region it knows, and each partition's region
// pattern and DNS suffixes) but exports only `partition(region)`, which answers "aws" both
// for a region matching the aws pattern and for one matching nothing. Reading the table
// itself tells the two apart, so regions are checked against the SDK's own list.
// @ts-expect-error: this module of @aws-sdk/core has no declaration file of its own
import { partitionsInfo } from "../../../node_modules/@aws-sdk/core/dist-es/submodules/client/util-endpoints/lib/aws/partitions.js";

/** One AWS partition as the SDK describes it. */
export interface Partition {
  /** `aws`, `aws-cn`, `aws-us-gov`, ... */
  id: string;
  /** Pattern of the region names the partition may have, including ones the SDK does not list yet. */
  regionPattern: RegExp;
  /** The regions the SDK lists (pseudo-regions such as `aws-global` left out). */
  regions: readonly string[];
  /** Host suffixes of the partition's endpoints: `amazonaws.com`, `api.aws`, ... */
  dnsSuffixes: readonly string[];
}

const table = partitionsInfo as PartitionsInfo;

/** The SDK's partitions, in the SDK's order of precedence. */
export const partitions: readonly Partition[] = table.partitions.map((p) => {
  const regionPattern = new RegExp(p.regionRegex);
  return {
    id: p.id,
    regionPattern,
    regions: Object.keys(p.regions).filter((r) => regionPattern.test(r)),
    dnsSuffixes: [p.outputs.dnsSuffix, p.outputs.dualStackDnsSuffix],
  };
});

/** The partitions Longbow moves objects between. */
export const supportedPartitions = ["aws", "aws-cn"] as const;

/** What the SDK knows of a region name. */
export type RegionStatus =
  | { kind: "known"; partition: string }
  /** Not listed, but fits a partition's pattern: perhaps newer than this SDK. */
  | { kind: "unlisted"; partition: string }
  | { kind: "impossible" };

/** Looks a region up as the SDK does: listed regions first, then each partition's pattern in order. */
export function regionStatus(region: string): RegionStatus {
  for (const p of partitions) if (p.regions.includes(region)) return { kind: "known", partition: p.id };
  for (const p of partitions) if (p.regionPattern.test(region)) return { kind: "unlisted", partition: p.id };
  return { kind: "impossible" };
}

/** The partition whose endpoints `host` belongs to (`s3.cn-north-1.amazonaws.com.cn` → `aws-cn`), if any. */
export function partitionOfHost(host: string): string | undefined {
  let best: { id: string; suffix: string } | undefined;
  for (const p of partitions) {
    for (const s of p.dnsSuffixes) {
      // the longest matching suffix wins; on a tie the first partition (aws and aws-us-gov share amazonaws.com)
      if ((host === s || host.endsWith(`.${s}`)) && s.length > (best?.suffix.length ?? -1)) {
        best = { id: p.id, suffix: s };
      }
    }
  }
  return best?.id;
}
