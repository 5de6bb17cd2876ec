import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../infra/lib/config.js";
import type { DiffItem } from "../../../worker/src/compare/index.js";
import { type Migration, normalizeMigration } from "../../../worker/src/config/index.js";
import {
  assemblePlan,
  type CostLine,
  estimateCost,
  formatMoney,
  MigrationPlanBuilder,
  type PartRules,
  partRulesOf,
  renderPlanJson,
  renderPlanMarkdown,
  stackInstanceTypes,
} from "../../../worker/src/plan/index.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const toChina = normalizeMigration({
  name: "videos",
  source: { bucket: "src", prefix: "v/", region: "us-east-1" },
  destination: { bucket: "dst", region: "cn-northwest-1" },
});

function planOf(m: Migration, items: DiffItem[], throughput: number, rules?: PartRules) {
  const b = new MigrationPlanBuilder(m, rules);
  for (const i of items) b.add(i);
  return b.build(throughput);
}

const copies = (n: number, size: number, kind: "new" | "changed" = "new"): DiffItem[] =>
  Array.from({ length: n }, (_, i) => ({
    kind,
    sourceKey: `v/${kind}${size}-${i}`,
    destinationKey: `${i}`,
    size,
  }));

/** The fixed plan: 1,000 × 1 MiB new, 2 × 100 MiB changed, 1 identical, 3 extra, at 10 MB/s. */
const fixed = () =>
  planOf(
    toChina,
    [
      ...copies(1000, MiB),
      ...copies(2, 100 * MiB, "changed"),
      { kind: "identical", sourceKey: "v/same", destinationKey: "same", size: 1 },
      ...[1, 2, 3].map((i): DiffItem => ({ kind: "extra", destinationKey: `x${i}`, size: 1 })),
    ],
    10_000_000,
  );

const line = (lines: CostLine[], item: string, region: string) =>
  lines.find((l) => l.item === item && l.region === region);

describe("cost estimate", () => {
  it("equals the hand-computed figure for a fixed plan", () => {
    // By hand, with the default part rules (5 MiB threshold, 5 MiB parts) and 2 instances:
    // - 1 MiB objects: 1 GET + 1 PUT each. 100 MiB objects: 100 / 5 = 20 parts, so each is
    //   20 GETs + 1 GetObjectTagging + 1 source HEAD; 20 UploadParts + Create + Complete = 22
    //   PUTs, 1 destination HEAD, 1 ListMultipartUploads.
    // - us-east-1 reads: 1000 + 2 × 21 = 1042 GETs + 2 HEADs = 1044 × 0.0004 / 1000 = 0.0004176
    // - us-east-1 LIST: 1003 listed keys (1000 + 2 + 1 identical) → 2 pages × 0.005 / 1000 = 0.00001
    // - transfer: 1000 MiB + 200 MiB = 1200 MiB = 1.171875 GB × 0.09 = 0.10546875
    // - SQS: 1002 objects × 2.33 = 2334.66 × 0.40 / 1e6 = 0.000933864
    // - DynamoDB: 1002 × 8.08 = 8096.16 WRU × 0.625 / 1e6 = 0.0050601
    // - fleet: 1,258,291,200 B / 10 MB/s = 125.83 s → ETA 126 s × 2 instances = 252 s = 0.07 h;
    //   on-demand 0.077 (c5a.large) to 0.096 (m5.large); Spot 0.3 × 0.077 × 0.07 = 0.001617
    //   to 0.7 × 0.096 × 0.07 = 0.004704
    // - USD low: 0.10546875 + 0.0004176 + 0.00001 + 0.000933864 + 0.0050601 + 0.001617 = 0.113507314
    // - USD high: the same with 0.004704 = 0.116594314
    // - cn-northwest-1 (CNY): 1000 + 2 × 22 = 1044 PUTs × 0.00405 / 1000 = 0.0042282; LIST:
    //   4 listed keys (1 identical + 3 extra) → 1 page + 2 ListMultipartUploads = 3 × 0.00405 /
    //   1000 = 0.00001215; 2 HEADs × 0.00135 / 1000 = 0.0000027; total 0.00424305
    const p = fixed();
    const e = estimateCost([p], 10_000_000, { fleet: { instances: 2 } });
    expect(e.total.map((t) => t.currency)).toEqual(["USD", "CNY"]);
    expect(e.total[0]?.low).toBeCloseTo(0.113507314, 12);
    expect(e.total[0]?.high).toBeCloseTo(0.116594314, 12);
    expect(e.total[1]?.low).toBeCloseTo(0.00424305, 12);
    expect(e.total[1]?.high).toBeCloseTo(0.00424305, 12);
    expect(line(e.lines, "s3-read", "us-east-1")?.quantity).toBe(1044);
    expect(line(e.lines, "s3-write", "cn-northwest-1")?.quantity).toBe(1044);
    expect(line(e.lines, "s3-list", "cn-northwest-1")?.quantity).toBe(3);
    expect(line(e.lines, "fleet", "us-east-1")?.quantity).toBeCloseTo(0.07, 12);
    expect(e.unpriced).toEqual([]);
    expect(e.migrations).toEqual([{ migration: "videos", total: e.total }]);
  });

  it("counts parts as the engine cuts them: one PUT at the threshold, parts of the part size above it", () => {
    const requests = (size: number, rules?: PartRules) =>
      planOf(toChina, copies(1, size), 1, rules).usage.requests;
    // at the threshold: 1 GET, 1 PUT
    expect(requests(5 * MiB)).toMatchObject({
      source: { get: 1, head: 0 },
      destination: { put: 1 },
      parts: 0,
    });
    // one byte above: 2 parts (5 MiB + 1 B), 2 GETs + tagging, 2 UploadParts + Create + Complete
    expect(requests(5 * MiB + 1)).toMatchObject({
      source: { get: 3, head: 1 },
      destination: { put: 4 },
      parts: 2,
    });
    // 100 GiB at 5 MiB would be 20,480 parts: grown to whole MiB for 10,000, ceil(102400 / 10000) = 11 MiB → 9,310 parts
    expect(requests(100 * GiB).parts).toBe(9310);
    // fixed 8 MiB parts, threshold 64 MiB: 100 MiB → 13 parts; 64 MiB → one PUT
    const rules = partRulesOf({ multipartThreshold: 64 * MiB, partSize: 8 * MiB });
    expect(requests(100 * MiB, rules).parts).toBe(13);
    expect(requests(64 * MiB, rules).destination.put).toBe(1);
    // no tags copied: no GetObjectTagging
    const untagged = planOf(
      { ...toChina, destination: { ...toChina.destination, tags: "none" } },
      copies(1, 100 * MiB),
      1,
    );
    expect(untagged.usage.requests.source.get).toBe(20);
  });

  it("prices transfer by route: tiers out of us-east-1, CNY out of China, inter-region, none within a region", () => {
    const gb = (m: Migration, bytes: number) =>
      estimateCost([planOf(m, copies(1, bytes), 1e12)], 1e12).lines.filter((l) =>
        l.item.startsWith("transfer"),
      );
    // 20 TB out of us-east-1: 10,240 GB × 0.09 + 10,240 GB × 0.085 = 921.6 + 870.4 = 1792
    const [tiered] = gb(toChina, 20 * 1024 * GiB);
    expect(tiered?.cost.low).toBeCloseTo(1792, 9);
    // China → global: 10 GB × CNY 0.933 = 9.33, billed by cn-north-1
    const fromChina = normalizeMigration({
      name: "back",
      source: { bucket: "s", region: "cn-north-1" },
      destination: { bucket: "d", region: "us-east-1" },
    });
    expect(gb(fromChina, 10 * GiB)).toMatchObject([
      { item: "transfer-internet", region: "cn-north-1", cost: { currency: "CNY" } },
    ]);
    expect(gb(fromChina, 10 * GiB)[0]?.cost.low).toBeCloseTo(9.33, 9);
    // the fleet then runs on the global side (the destination here)
    expect(estimateCost([planOf(fromChina, [], 1)], 1).basis.fleet.region).toBe("us-east-1");
    // within the global partition: 10 GB × 0.02 = 0.2
    const west = { ...toChina, destination: { ...toChina.destination, region: "us-west-2" } };
    expect(gb(west, 10 * GiB)).toMatchObject([{ item: "transfer-inter-region" }]);
    expect(gb(west, 10 * GiB)[0]?.cost.low).toBeCloseTo(0.2, 9);
    expect(
      gb({ ...toChina, destination: { ...toChina.destination, region: "us-east-1" } }, 10 * GiB),
    ).toEqual([]);
  });

  it("prices writes by the destination's storage class", () => {
    const ia = normalizeMigration({
      name: "ia",
      source: { bucket: "s", region: "cn-north-1" },
      destination: { bucket: "d", region: "us-east-1", storageClass: "STANDARD_IA" },
    });
    // 1,000 single PUTs × 0.01 / 1000 = 0.01
    const e = estimateCost([planOf(ia, copies(1000, 1), 1e9)], 1e9);
    expect(line(e.lines, "s3-write", "us-east-1")).toMatchObject({
      storageClass: "STANDARD_IA",
      quantity: 1000,
    });
    expect(line(e.lines, "s3-write", "us-east-1")?.cost.low).toBeCloseTo(0.01, 12);
  });

  it("says what it cannot price, so the total reads as a lower bound", () => {
    const custom = normalizeMigration({
      name: "minio",
      source: { bucket: "s", region: "us-east-1", endpoint: "https://store.example.com" },
      destination: { bucket: "d", region: "cn-northwest-1" },
    });
    const failed = new MigrationPlanBuilder({ ...toChina, name: "broken" });
    failed.fail("AccessDenied");
    const e = estimateCost([planOf(custom, copies(1, MiB), 1e6), failed.build(1e6)], 1e6, {
      fleet: { region: "cn-northwest-1", instanceTypes: ["c5.large"] },
    });
    expect(e.unpriced).toEqual([
      "broken: not estimated (its compare failed)",
      "minio: S3 requests and data transfer at a custom endpoint (an S3-compatible store this price list does not know)",
      "SQS requests in cn-northwest-1: no price for it",
      "DynamoDB write request units in cn-northwest-1: no price for it",
      "fleet: no on-demand price in cn-northwest-1 for c5.large",
    ]);
    // the destination's side is still AWS: its PUT is priced
    expect(e.lines.map((l) => l.item)).toEqual(["s3-write"]);
    expect(e.migrations.map((m) => m.migration)).toEqual(["minio"]);
  });

  it("prices an endpoint on AWS's own domains as AWS S3", () => {
    const named = normalizeMigration({
      name: "named",
      source: { bucket: "s", region: "us-east-1" },
      destination: {
        bucket: "d",
        region: "cn-northwest-1",
        endpoint: "https://s3.cn-northwest-1.amazonaws.com.cn",
      },
    });
    const e = estimateCost([planOf(named, copies(1, MiB), 1e6)], 1e6);
    expect(e.unpriced).toEqual([]);
    expect(line(e.lines, "s3-write", "cn-northwest-1")?.quantity).toBe(1);
  });

  it("prices the stack's default fleet", () => {
    expect(stackInstanceTypes).toEqual(resolveConfig().instanceTypes);
  });

  it("formats sums in their currency, ranges and sub-cent amounts", () => {
    expect(formatMoney({ currency: "USD", low: 1234.5, high: 1234.5 })).toBe("USD 1,234.50");
    expect(formatMoney({ currency: "USD", low: 0.11, high: 0.12 })).toBe("USD 0.11–0.12");
    expect(formatMoney({ currency: "CNY", low: 0.004, high: 0.004 })).toBe("under CNY 0.01");
    expect(formatMoney({ currency: "USD", low: 0.001, high: 0.02 })).toBe("up to USD 0.02");
    expect(formatMoney({ currency: "USD", low: 0, high: 0 })).toBe("USD 0.00");
  });
});

describe("the plan with its estimate", () => {
  it("shows the estimate beside the ETA and in a fold with its lines and assumptions", () => {
    const plan = assemblePlan([fixed()], 10_000_000, new Date("2026-01-02T03:04:05Z"), {
      fleet: { instances: 2 },
    });
    const md = renderPlanMarkdown(plan);
    expect(md.split("\n")[0]).toBe(
      "**Longbow plan:** 1 migration, 1,002 (1.2 GiB) to copy, 1 identical, 0 ignored, 3 extra; ETA 2m 6s at 9.5 MiB/s; estimated cost USD 0.11–0.12 + under CNY 0.01",
    );
    expect(md).toContain("Estimated cost: USD 0.11–0.12 + under CNY 0.01 (see the estimate below)");
    expect(md).toContain(
      "<details><summary>Estimated cost: USD 0.11–0.12 + under CNY 0.01 (an estimate from list prices as of 2025-01-01)</summary>",
    );
    expect(md).toContain(
      "| data transfer out to the internet | `us-east-1` | 1.17 GB | USD 0.09/GB, less above 10 TB | USD 0.11 |",
    );
    expect(md).toContain(
      "| S3 PUT, COPY, POST (`STANDARD`) | `cn-northwest-1` | 1,044 | CNY 0.00405 per 1,000 | under CNY 0.01 |",
    );
    expect(md).toContain(
      "| fleet instance-hours on Spot | `us-east-1` | 0.07 h | USD 0.0231–0.0672/h | under USD 0.01 |",
    );
    expect(md).toContain("| **total** | | | | **USD 0.11–0.12 + under CNY 0.01** |");
    expect(md).toContain("Assumptions:");
    expect(md).toContain("check before relying on it");
    expect(md).toMatch(/- Fleet: 2 instances in `us-east-1` for the ETA/);
    expect(md).toMatch(/- Not included: storage at the destination/);
    // no `$`: GitHub would take `$…$` for math
    expect(md).not.toContain("$");
    expect(JSON.parse(renderPlanJson(plan)).estimate).toEqual(JSON.parse(JSON.stringify(plan.estimate)));
  });

  it("marks a partly unpriced total and lists what is missing as code", () => {
    const failed = new MigrationPlanBuilder({ ...toChina, name: "a</details>`b" });
    failed.fail("AccessDenied");
    const md = renderPlanMarkdown(assemblePlan([fixed(), failed.build(1e7)], 1e7, new Date(0)));
    expect(md.split("\n")[0]).toContain(
      "estimated cost USD 0.11 + under CNY 0.01, partly unpriced; **1 failed**",
    );
    expect(md).toContain("Not priced (the total is a lower bound):");
    expect(md).toContain("- ``a</details>`b: not estimated (its compare failed)``");
  });
});
