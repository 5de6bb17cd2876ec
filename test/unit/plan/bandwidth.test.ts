import { describe, expect, it } from "vitest";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import { assemblePlan, MigrationPlanBuilder, renderPlanMarkdown } from "../../../worker/src/plan/index.js";

const MB = 1_000_000;

describe("the plan's bandwidth line", () => {
  it("shows the limit and the ETA it implies for the bytes to copy", () => {
    const m = normalizeMigration({
      name: "videos",
      source: { bucket: "src", region: "us-east-1" },
      destination: { bucket: "dst", region: "cn-northwest-1" },
      limits: {
        bandwidth: "100MB/s",
        bandwidthSchedule: {
          timeZone: "Asia/Shanghai",
          windows: [{ days: "weekdays", from: "09:00", to: "18:00", bandwidth: "50MB/s" }],
        },
      },
    });
    const b = new MigrationPlanBuilder(m);
    // 10 h of the business-hours limit: 1.8 TB, planned Wednesday 09:00 Shanghai
    b.add({ kind: "new", sourceKey: "a", destinationKey: "a", size: 50 * MB * 9 * 3600 + 100 * MB * 3600 });
    const planned = Date.parse("2027-03-10T01:00:00Z");
    const p = b.build(1000 * MB, planned);
    expect(p.bandwidth).toEqual({
      limit: "weekdays 09:00–18:00: 50 MB/s (Asia/Shanghai); otherwise 100 MB/s",
      etaSeconds: 10 * 3600,
    });
    const md = renderPlanMarkdown(assemblePlan([p], 1000 * MB, new Date(planned)));
    expect(md).toContain(
      "Bandwidth (fleet-wide): `weekdays 09:00–18:00: 50 MB/s (Asia/Shanghai); otherwise 100 MB/s`; ETA under it 10h",
    );
  });

  it("is absent when the migration sets no bandwidth", () => {
    const m = normalizeMigration({
      name: "free",
      source: { bucket: "src", region: "us-east-1" },
      destination: { bucket: "dst", region: "cn-northwest-1" },
    });
    expect(new MigrationPlanBuilder(m).build(100 * MB).bandwidth).toBeUndefined();
  });
});
